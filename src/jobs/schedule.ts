/**
 * Who is polled on a tick, and with which PSN calls, as a pure function of each member's
 * last observation. The poller stores a WatchState per linked member, asks `planPoll` on
 * every tick, makes the calls, and folds what it saw back in with `afterObservation`.
 *
 * `now` is always the tick's start time, passed in: a tick that takes a few seconds must
 * not push its members past the next tick.
 */
import type { WatchState } from "../domain/watch.js";

export interface ScheduleOptions {
  tickMs: number;
  /** How often the presence of a member known to be online is read again. */
  presenceRefreshMs: number;
  /** The longest gap between two presence reads of an offline member. */
  maxOfflineBackoffMs: number;
  /**
   * The first wait after an "unavailable" failure; doubles up to maxUnavailableBackoffMs.
   * One tick by default: a single garbage answer or timeout must not cost a party that
   * lasts two ticks its card, while a PSN that keeps failing is still left alone quickly.
   */
  unavailableBackoffMs: number;
  maxUnavailableBackoffMs: number;
  /** A member whose time is this close is due now: ticks fire a few ms early or late. */
  dueSlackMs: number;
}

export const defaultScheduleOptions: ScheduleOptions = {
  tickMs: 30_000,
  presenceRefreshMs: 5 * 60_000,
  maxOfflineBackoffMs: 120_000,
  unavailableBackoffMs: 30_000,
  maxUnavailableBackoffMs: 5 * 60_000,
  dueSlackMs: 2_000,
};

/** The default schedule at a poll interval: a tick every `intervalSeconds`. */
export function scheduleOptionsFor(intervalSeconds: number): ScheduleOptions {
  return { ...defaultScheduleOptions, tickMs: intervalSeconds * 1000 };
}

export type PollPlan =
  | { due: false }
  | {
      due: true;
      presence: boolean;
      /** Read the parties whatever the presence says. */
      parties: boolean;
      /** Read the parties in the same tick if the presence read says online. */
      partiesIfOnline: boolean;
    };

/**
 * What the poller saw for one member. `online`/`partyCount` are null for a call that was
 * not made. When a call fails, report the failure, not a partial observation.
 */
export type Observation =
  | { kind: "observed"; online: boolean | null; partyCount: number | null }
  | { kind: "rateLimited"; until: Date | null }
  | { kind: "unavailable" }
  | { kind: "needsRelink" };

/** FNV-1a: a stable, well-spread 32-bit hash, so a member's phase survives restarts. */
function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function mod(a: number, n: number): number {
  return ((a % n) + n) % n;
}

/** The member's fixed phase within the offline cycle: spreads offline members evenly over the ticks. */
export function pollOffsetMs(accountId: string, opts: Pick<ScheduleOptions, "maxOfflineBackoffMs">): number {
  return hash32(accountId) % Math.max(1, Math.floor(opts.maxOfflineBackoffMs));
}

/** tick, 2×tick, 4×tick, ... capped at maxOfflineBackoffMs. */
export function offlineBackoffMs(
  streak: number,
  opts: Pick<ScheduleOptions, "tickMs" | "maxOfflineBackoffMs">,
): number {
  const exponent = Math.min(Math.max(streak, 1) - 1, 30);
  return Math.min(opts.tickMs * 2 ** exponent, opts.maxOfflineBackoffMs);
}

/** The first offline streak whose backoff is the full offline interval. */
function streakAtFullBackoff(opts: Pick<ScheduleOptions, "tickMs" | "maxOfflineBackoffMs">): number {
  let streak = 1;
  while (offlineBackoffMs(streak, opts) < opts.maxOfflineBackoffMs && streak < 31) streak++;
  return streak;
}

/**
 * The next time after `now`, at most `periodMs` later, that falls on the member's phase.
 * Polled on its phase, a member stays on it (interval exactly periodMs, even when the tick
 * ran late); polled off it (after coming back from online, errors, a restart), it gets one
 * shorter interval and is back on its phase, so members that were polled together drift
 * apart again instead of staying in one burst.
 */
function onPhaseAfter(now: number, periodMs: number, offsetMs: number): number {
  return now + periodMs - mod(now + periodMs - offsetMs, periodMs);
}

/** The first time at or after `now` on the member's phase within the full offline cycle. */
function onPhaseFrom(now: number, accountId: string, opts: ScheduleOptions): number {
  return now + mod(pollOffsetMs(accountId, opts) - now, opts.maxOfflineBackoffMs);
}

/**
 * A member never observed. Spread over one offline cycle, so 10,000 members linked before a
 * start do not all fall due on its first tick; `immediate` for one who just linked and
 * expects to see their party soon.
 */
export function newWatchState(
  accountId: string,
  now: Date,
  opts: ScheduleOptions = defaultScheduleOptions,
  init: { immediate?: boolean; announcedSomewhere?: boolean } = {},
): WatchState {
  return {
    accountId,
    online: null,
    offlineStreak: 0,
    errorStreak: 0,
    nextPollAt: new Date(init.immediate ? now.getTime() : onPhaseFrom(now.getTime(), accountId, opts)),
    lastPresenceAt: null,
    lastPartiesAt: null,
    inParty: false,
    recheckPresence: false,
    needsRelink: false,
    announcedSomewhere: init.announcedSomewhere ?? true,
  };
}

/**
 * After a restart, members whose stored time passed long ago would all be due on the first
 * tick; put the offline and unknown ones back on their phase instead. Online members stay
 * due: their parties matter most.
 */
export function respread(
  member: WatchState,
  now: Date,
  opts: ScheduleOptions = defaultScheduleOptions,
): WatchState {
  if (member.online === true) return member;
  const overdue = now.getTime() - member.nextPollAt.getTime();
  if (overdue <= opts.tickMs) return member;
  return { ...member, nextPollAt: new Date(onPhaseFrom(now.getTime(), member.accountId, opts)) };
}

export function planPoll(
  member: WatchState,
  now: Date,
  opts: ScheduleOptions = defaultScheduleOptions,
): PollPlan {
  if (member.needsRelink || !member.announcedSomewhere) return { due: false };
  if (now.getTime() + opts.dueSlackMs < member.nextPollAt.getTime()) return { due: false };
  if (member.online !== true) {
    return { due: true, presence: true, parties: false, partiesIfOnline: true };
  }
  const presenceStale =
    member.lastPresenceAt === null ||
    now.getTime() - member.lastPresenceAt.getTime() >= opts.presenceRefreshMs;
  if (presenceStale || member.recheckPresence) {
    // Presence first: if the member went offline, the parties read would be wasted.
    return { due: true, presence: true, parties: false, partiesIfOnline: true };
  }
  return { due: true, presence: false, parties: true, partiesIfOnline: false };
}

/** The member's state after this tick's observation (or failure). */
export function afterObservation(
  member: WatchState,
  observation: Observation,
  now: Date,
  opts: ScheduleOptions = defaultScheduleOptions,
  /** A linked friend's batch read can see the member: checking them every tick costs a share of one read. */
  covered = false,
): WatchState {
  const t = now.getTime();
  switch (observation.kind) {
    case "needsRelink":
      return { ...member, needsRelink: true };
    case "rateLimited": {
      const until = observation.until?.getTime() ?? t + opts.unavailableBackoffMs;
      return { ...member, nextPollAt: new Date(Math.max(until, t + opts.tickMs)) };
    }
    case "unavailable": {
      const errorStreak = member.errorStreak + 1;
      const wait = Math.min(
        opts.unavailableBackoffMs * 2 ** Math.min(errorStreak - 1, 30),
        opts.maxUnavailableBackoffMs,
      );
      return { ...member, errorStreak, nextPollAt: new Date(t + wait) };
    }
    case "observed":
      return observed(member, observation, t, opts, covered);
  }
}

function observed(
  member: WatchState,
  obs: { online: boolean | null; partyCount: number | null },
  t: number,
  opts: ScheduleOptions,
  covered: boolean,
): WatchState {
  const partiesRead = obs.partyCount !== null;
  const inPartyNow = partiesRead && obs.partyCount! > 0;
  // Being in a party proves being online even when presence was not read this tick.
  const online = obs.online ?? (inPartyNow ? true : member.online);
  const base = {
    ...member,
    online,
    errorStreak: 0,
    lastPresenceAt: obs.online !== null ? new Date(t) : member.lastPresenceAt,
    lastPartiesAt: partiesRead ? new Date(t) : member.lastPartiesAt,
    inParty: partiesRead ? inPartyNow : online === false ? false : member.inParty,
    recheckPresence: obs.online === null && partiesRead && !inPartyNow && member.inParty,
  };
  if (online === true) {
    return { ...base, offlineStreak: 0, nextPollAt: new Date(t + opts.tickMs) };
  }
  // The backoff ramp catches a quick reconnect after going offline; a member never observed
  // before has been offline for who knows how long, so goes straight to the full interval and
  // stays there (without this, the second read came after half of it: thousands of members
  // linked before a first start fell due together in a wave).
  const offlineStreak =
    member.online === null
      ? Math.max(member.offlineStreak + 1, streakAtFullBackoff(opts))
      : member.offlineStreak + 1;
  if (covered) return { ...base, offlineStreak, nextPollAt: new Date(t + opts.tickMs) };
  const period = offlineBackoffMs(offlineStreak, opts);
  const offset = pollOffsetMs(member.accountId, opts) % period;
  return { ...base, offlineStreak, nextPollAt: new Date(onPhaseAfter(t, period, offset)) };
}

/** The time alone, for callers that keep their own state. */
export function nextPollAt(
  member: WatchState,
  observation: Observation,
  now: Date,
  opts: ScheduleOptions = defaultScheduleOptions,
): Date {
  return afterObservation(member, observation, now, opts).nextPollAt;
}

/** How many PSN requests a plan costs, given what the presence read says. */
export function requestCount(plan: PollPlan, onlineAfterPresence: boolean): number {
  if (!plan.due) return 0;
  return (plan.presence ? 1 : 0) + (plan.parties || (plan.partiesIfOnline && onlineAfterPresence) ? 1 : 0);
}
