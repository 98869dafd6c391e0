/**
 * One member's PSN reads for one tick, as the schedule planned them, and the
 * mapping of whatever went wrong onto the schedule's vocabulary. A failure is
 * reported as a failure, never as a partial observation: a party must not end
 * because a parties read timed out.
 */
import type { Logger } from "../log.js";
import { isPsnError, PsnAuthError, PsnRateLimitedError } from "../psn/errors.js";
import type { TokenProvider } from "../psn/http.js";
import type { GameTitle, Presence, PsnParty } from "../psn/types.js";
import type { MemberObservation } from "./partyTracker.js";
import type { Observation, PollPlan } from "./schedule.js";

export interface PsnReads {
  getPresence(auth: TokenProvider, accountId: "me"): Promise<Presence>;
  getParties(auth: TokenProvider): Promise<PsnParty[]>;
}

/** What batch polling adds: friends' presence in one read, and friend lists. */
export interface BatchReads {
  getPresences(auth: TokenProvider, accountIds: readonly string[]): Promise<Presence[]>;
  getFriends(auth: TokenProvider): Promise<string[]>;
  /** Requests the account may still make in its budget window (unknown: assume plenty). */
  remainingBudget?(accountId: string): number;
  /** Each account's budget (unknown: PSN's believed 300 requests in 15 minutes). */
  budgetLimits?(): { requests: number; windowMs: number };
}

/** What this tick already learnt for a member without their own reads. */
export interface KnownThisTick {
  /** Their presence, from a linked friend's batch read. */
  presence?: Presence;
  /** The parties they are in, as another linked member's parties read showed them this tick. */
  parties?: PsnParty[];
}

export interface MemberReadResult {
  /** For the schedule. */
  observation: Observation;
  /** For the party tracker; null when nothing was learnt. */
  seen: MemberObservation | null;
  /** Set when presence was read: the game and platform to remember for cards. */
  presence: { game: GameTitle | null; platform: string | null } | null;
  requests: number;
}

/** Pure: what a failed read means for the member's schedule. */
export function observationOfError(err: unknown): Observation {
  if (err instanceof PsnRateLimitedError) return { kind: "rateLimited", until: err.retryAt };
  // Only a refused refresh token ends the link; a refused access token after a refresh is PSN having a moment.
  if (err instanceof PsnAuthError && err.reason === "invalid_refresh_token") return { kind: "needsRelink" };
  return { kind: "unavailable" };
}

/**
 * Pure: what the party tracker is told about a member, from this tick's reads. A parties
 * read that finds a party proves the member online when presence was not read; the game
 * is the presence read's when presence was read, else the one stored from the last read.
 */
export function trackerObservation(
  read: MemberReadResult,
  storedGame: GameTitle | null,
): MemberObservation | null {
  if (!read.seen) return null;
  const parties = read.seen.parties;
  const online = read.seen.online ?? (parties && parties.length > 0 ? true : null);
  const game = read.presence ? read.seen.game : storedGame;
  return { ...read.seen, online, game };
}

/** The PSN reads the plan asks for, as an observation for the schedule and the tracker. */
export async function observeMember(
  psn: PsnReads,
  auth: TokenProvider,
  plan: Extract<PollPlan, { due: true }>,
  at: Date,
  log: Logger,
  known: KnownThisTick = {},
): Promise<MemberReadResult> {
  let requests = 0;
  let presence: Presence | null = known.presence ?? null;
  try {
    if (plan.presence && !presence) {
      requests++;
      presence = await psn.getPresence(auth, "me");
    }
    const readParties = plan.parties || (plan.partiesIfOnline && presence?.online === true);
    let parties: PsnParty[] | null = null;
    if (readParties && known.parties) parties = known.parties;
    else if (readParties) {
      requests++;
      parties = await psn.getParties(auth);
    }
    return {
      observation: {
        kind: "observed",
        online: presence ? presence.online : null,
        partyCount: parties?.length ?? null,
      },
      seen: {
        accountId: auth.key,
        online: presence ? presence.online : null,
        parties,
        game: presence?.game ?? null,
        at,
      },
      // A friend's view may lack the member's game: then the stored one (from their own read) stays.
      presence:
        presence && !(known.presence && presence.online && !presence.game)
          ? { game: presence.online ? presence.game : null, platform: presence.platform }
          : null,
      requests,
    };
  } catch (err) {
    const observation = observationOfError(err);
    const detail = isPsnError(err) ? { kind: err.kind, endpoint: err.endpoint, status: err.status } : {};
    if (observation.kind === "unavailable")
      log.warn({ account: auth.key, ...detail, reason: errorMessage(err) }, "PSN poll failed; backing off");
    else log.info({ account: auth.key, ...detail, outcome: observation.kind }, "PSN poll deferred");
    // A presence read that succeeded before the parties read failed still counts for the tracker.
    const seen: MemberObservation | null = presence
      ? { accountId: auth.key, online: presence.online, parties: null, game: presence.game, at }
      : null;
    return { observation, seen, presence: null, requests };
  }
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
