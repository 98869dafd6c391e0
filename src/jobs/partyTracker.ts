/**
 * Which parties are live, as a pure state machine over the poller's observations.
 *
 * PSN's party list flaps (a read comes back empty for a tick while the party goes on), so
 * a party ends only when every linked member who saw it in their own parties read has
 * either missed it `missesToEnd` (2) observations in a row or been seen offline. A member
 * not observed on a tick proves nothing either way. The same party seen by several linked
 * members is one entry with their member lists merged.
 */

import { fromPsnParty, type LinkedAccounts, type Party, type PartyDetails } from "../domain/party.js";
import type { EndedParty } from "../domain/partyUpdate.js";
import type { GameTitle, PsnParty, PsnPartyMember } from "../psn/types.js";

/** What the poller learnt about one linked member on this tick. */
export interface MemberObservation {
  accountId: string;
  /** null: presence not read this tick. */
  online: boolean | null;
  /** null: parties not read this tick. */
  parties: PsnParty[] | null;
  /** The presence's game; only meaningful when `online` is not null. */
  game: GameTitle | null;
  at: Date;
}

interface ObserverStatus {
  /** Consecutive parties reads of this observer that did not contain the party. */
  readonly misses: number;
  readonly offline: boolean;
}

export interface TrackedParty {
  readonly sessionId: string;
  readonly firstSeenAt: Date;
  /** Last sighting, or the seeding time for a party known only from an open card. */
  readonly lastSeenAt: Date;
  /** The merged last sighting; null for a party known only from an open card (after a restart). */
  readonly snapshot: PsnParty | null;
  readonly game: GameTitle | null;
  readonly details: PartyDetails | null;
  /** Linked members who saw it in their own parties read. */
  readonly observers: ReadonlyMap<string, ObserverStatus>;
  /** The first observation since the last sighting that did not find it. */
  readonly missingSince: Date | null;
}

export interface TrackerState {
  readonly parties: ReadonlyMap<string, TrackedParty>;
  /**
   * Parties that ended recently, reported on every tick until forgotten, so a card that
   * could not be ended at once (server paused) still ends later; reconcile is idempotent.
   */
  readonly ended: ReadonlyMap<string, EndedParty>;
}

export interface TrackerOptions {
  missesToEnd: number;
  /** A party nobody has reported on for this long is over (its observers stopped being polled). */
  staleAfterMs: number;
  /** How long ended parties stay in `ended`. */
  endedMemoryMs: number;
}

export const defaultTrackerOptions: TrackerOptions = {
  missesToEnd: 2,
  staleAfterMs: 10 * 60_000,
  endedMemoryMs: 24 * 60 * 60_000,
};

export interface TrackInput {
  observations: readonly MemberObservation[];
  linked: LinkedAccounts;
  /** Share link and partyInfo fetched for some parties; kept once known. */
  details?: ReadonlyMap<string, PartyDetails>;
  /**
   * Linked accounts the poller can still read (active, announced somewhere). A party with
   * linked members and none of them here cannot be observed any more. Absent: all can.
   */
  readable?: ReadonlySet<string>;
  now: Date;
}

export interface TrackResult {
  state: TrackerState;
  /** Every live party the tracker has seen, oldest first. */
  live: Party[];
  /** Parties that ended on this tick. */
  justEnded: EndedParty[];
  /** Every party in the ended memory, including justEnded. */
  ended: EndedParty[];
}

export function emptyTrackerState(): TrackerState {
  return { parties: new Map(), ended: new Map() };
}

/**
 * After a restart, the sessions of cards still open are tracked again without a sighting:
 * they stay untouched until a member sees them (and keep their first-seen time), or end
 * with no party once the linked members the card showed have all missed them (a party
 * that ended while the bot was down), or once nobody has seen them for `staleAfterMs`.
 */
export function seedTracker(
  state: TrackerState,
  sessions: readonly { sessionId: string; since: Date; observers?: readonly string[] }[],
  now: Date,
): TrackerState {
  const parties = new Map(state.parties);
  for (const s of sessions) {
    if (parties.has(s.sessionId) || state.ended.has(s.sessionId)) continue;
    parties.set(s.sessionId, {
      sessionId: s.sessionId,
      firstSeenAt: s.since,
      lastSeenAt: now,
      snapshot: null,
      game: null,
      details: null,
      observers: new Map((s.observers ?? []).map((a) => [a, { misses: 0, offline: false }])),
      missingSince: null,
    });
  }
  return { parties, ended: state.ended };
}

/** An open card as the previous run left it, with the party it showed (null when unreadable). */
export interface OpenCardParty {
  sessionId: string;
  party: Party | null;
  postedAt: Date | null;
  createdAt: Date;
}

/**
 * Pure: what seedTracker is given for the open cards after a restart, one entry per party
 * (a party may have a card in several servers). It was first seen when the earliest card
 * says (its stored party, else when it was posted or written); its observers are the
 * linked members the cards showed.
 */
export function seedSessionsOf(
  cards: readonly OpenCardParty[],
): { sessionId: string; since: Date; observers: string[] }[] {
  const sessions = new Map<string, { since: Date; observers: Set<string> }>();
  for (const card of cards) {
    const since = card.party?.firstSeenAt ?? card.postedAt ?? card.createdAt;
    const known = sessions.get(card.sessionId) ?? { since, observers: new Set<string>() };
    if (since < known.since) known.since = since;
    for (const m of card.party?.members ?? []) if (m.discordUserId !== null) known.observers.add(m.accountId);
    sessions.set(card.sessionId, known);
  }
  return [...sessions].map(([sessionId, s]) => ({ sessionId, since: s.since, observers: [...s.observers] }));
}

interface Sighting {
  observer: string;
  party: PsnParty;
  at: Date;
}

function mergeMembers(a: readonly PsnPartyMember[], b: readonly PsnPartyMember[]): PsnPartyMember[] {
  const out = [...a];
  const seen = new Set(a.map((m) => m.accountId));
  for (const m of b) {
    if (!seen.has(m.accountId)) {
      seen.add(m.accountId);
      out.push(m);
    }
  }
  return out;
}

/** One party from every sighting of this tick: the first observer's view, everyone's members. */
function mergeSightings(sightings: readonly Sighting[]): PsnParty {
  const [first, ...rest] = sightings;
  let party: PsnParty = { ...first!.party, members: [...first!.party.members] };
  for (const s of rest) party = { ...party, members: mergeMembers(party.members, s.party.members) };
  return party;
}

function latestAt(sightings: readonly Sighting[]): Date {
  return new Date(Math.max(...sightings.map((s) => s.at.getTime())));
}

function earliestAt(sightings: readonly Sighting[]): Date {
  return new Date(Math.min(...sightings.map((s) => s.at.getTime())));
}

function minDate(a: Date | null, b: Date): Date {
  return a === null || b.getTime() < a.getTime() ? b : a;
}

export function trackParties(
  prev: TrackerState,
  input: TrackInput,
  opts: TrackerOptions = defaultTrackerOptions,
): TrackResult {
  const { now, linked, readable } = input;
  const byMember = new Map<string, MemberObservation>();
  for (const o of input.observations) byMember.set(o.accountId, o);

  const sightings = new Map<string, Sighting[]>();
  for (const o of byMember.values()) {
    for (const p of o.parties ?? []) {
      const list = sightings.get(p.sessionId) ?? [];
      if (!list.some((s) => s.observer === o.accountId))
        list.push({ observer: o.accountId, party: p, at: o.at });
      sightings.set(p.sessionId, list);
    }
  }

  const parties = new Map<string, TrackedParty>();
  const ended = new Map(prev.ended);
  const justEnded: EndedParty[] = [];

  const hostGame = (snapshot: PsnParty, previous: GameTitle | null): GameTitle | null => {
    const host = byMember.get(snapshot.owner.accountId);
    return host && host.online !== null ? host.game : previous;
  };
  const detailsFor = (sessionId: string, previous: PartyDetails | null): PartyDetails | null =>
    input.details?.get(sessionId) ?? previous;

  for (const tracked of prev.parties.values()) {
    const seen = sightings.get(tracked.sessionId);
    sightings.delete(tracked.sessionId);
    const observers = new Map(tracked.observers);
    let missedAt: Date | null = null;
    for (const [accountId, status] of tracked.observers) {
      if (seen?.some((s) => s.observer === accountId)) continue;
      const o = byMember.get(accountId);
      if (!o) continue;
      if (o.online === false) {
        observers.set(accountId, { misses: status.misses, offline: true });
        missedAt = minDate(missedAt, o.at);
      } else if (o.parties !== null) {
        observers.set(accountId, { misses: status.misses + 1, offline: false });
        missedAt = minDate(missedAt, o.at);
      }
    }

    if (seen && seen.length > 0) {
      for (const s of seen) observers.set(s.observer, { misses: 0, offline: false });
      const snapshot = mergeSightings(seen);
      parties.set(tracked.sessionId, {
        ...tracked,
        lastSeenAt: latestAt(seen),
        snapshot,
        game: hostGame(snapshot, tracked.game),
        details: detailsFor(tracked.sessionId, tracked.details),
        observers,
        missingSince: null,
      });
      continue;
    }

    const missingSince = missedAt === null ? tracked.missingSince : minDate(tracked.missingSince, missedAt);
    const allGone =
      observers.size > 0 && [...observers.values()].every((s) => s.offline || s.misses >= opts.missesToEnd);
    const stale = now.getTime() - tracked.lastSeenAt.getTime() >= opts.staleAfterMs;
    const details = detailsFor(tracked.sessionId, tracked.details);
    if (allGone || stale) {
      const end: EndedParty = {
        sessionId: tracked.sessionId,
        endedAt: missingSince ?? now,
        party: tracked.snapshot ? toParty({ ...tracked, details }, linked, readable) : null,
      };
      ended.set(tracked.sessionId, end);
      justEnded.push(end);
      continue;
    }
    parties.set(tracked.sessionId, { ...tracked, observers, missingSince, details });
  }

  for (const [sessionId, seen] of sightings) {
    const snapshot = mergeSightings(seen);
    // A party back from the dead (ended on a longer flap than the debounce) keeps its first-seen time.
    const revived = ended.get(sessionId)?.party ?? null;
    ended.delete(sessionId);
    const firstSeenAt = earliestAt(seen);
    parties.set(sessionId, {
      sessionId,
      firstSeenAt: revived?.firstSeenAt ?? firstSeenAt,
      lastSeenAt: latestAt(seen),
      snapshot,
      game: hostGame(snapshot, revived?.game ?? null),
      details: detailsFor(sessionId, null),
      observers: new Map(seen.map((s) => [s.observer, { misses: 0, offline: false }])),
      missingSince: null,
    });
  }

  for (const [sessionId, e] of ended) {
    if (now.getTime() - e.endedAt.getTime() > opts.endedMemoryMs) ended.delete(sessionId);
  }

  const live = [...parties.values()]
    .filter((p) => p.snapshot !== null)
    .sort(
      (a, b) => a.firstSeenAt.getTime() - b.firstSeenAt.getTime() || a.sessionId.localeCompare(b.sessionId),
    )
    .map((p) => toParty(p, linked, readable));

  return { state: { parties, ended }, live, justEnded, ended: [...ended.values()] };
}

function toParty(p: TrackedParty, linked: LinkedAccounts, readable?: ReadonlySet<string>): Party {
  return fromPsnParty(p.snapshot!, {
    linked,
    game: p.game,
    firstSeenAt: p.firstSeenAt,
    details: p.details,
    unseenReason: readable && unobservable(p.snapshot!, linked, readable) ? "relinkNeeded" : null,
  });
}

/**
 * Pure: nobody can report on the party any more. Its linked members are all unreadable (each
 * must sign in again), so it would stay "live" until staleness with nobody to serve an
 * invite. A party with no linked member at all is not shown anywhere, so no verdict is needed.
 */
export function unobservable(
  party: PsnParty,
  linked: LinkedAccounts,
  readable: ReadonlySet<string>,
): boolean {
  const accounts = [party.owner.accountId, ...party.members.map((m) => m.accountId)].filter((a) =>
    linked.has(a),
  );
  return accounts.length > 0 && !accounts.some((a) => readable.has(a));
}
