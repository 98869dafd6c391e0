/**
 * When a friend list read that failed is tried again, and how much of an account's PSN
 * budget list reads may take. A list is never urgent (it is refreshed every few hours,
 * and a member without one reads their own presence meanwhile), so a failing one backs
 * off far, and never crowds out the account's own reads. Pure: the caller passes the
 * time and the dice.
 */
import { PsnAuthError, PsnNotFoundError, PsnRateLimitedError } from "../psn/errors.js";

export interface FriendListRetryOptions {
  /** The wait after a first failure; doubled with each one after it. */
  baseMs: number;
  /** The longest wait: the lists' own refresh period, as a list that fails is no more due than one that worked. */
  maxMs: number;
  /** After a 404: the endpoint is not there for this account or region, and will not be in a minute. */
  missingMs: number;
}

export const defaultFriendListRetry: FriendListRetryOptions = {
  baseMs: 5 * 60_000,
  maxMs: 6 * 60 * 60_000,
  missingMs: 12 * 60 * 60_000,
};

/** What a failed read says about trying again. */
export type ListFailure =
  | { kind: "missing" }
  | { kind: "rateLimited"; until: Date }
  | { kind: "failed"; reason: "auth" | "other" };

export function listFailureOf(err: unknown): ListFailure {
  if (err instanceof PsnNotFoundError) return { kind: "missing" };
  if (err instanceof PsnRateLimitedError) return { kind: "rateLimited", until: err.retryAt };
  return { kind: "failed", reason: err instanceof PsnAuthError ? "auth" : "other" };
}

/**
 * When to read the list again after its `failures`-th failure in a row (1 for the first):
 * a 404 after `missingMs`; otherwise `baseMs` doubling up to `maxMs`, between half and all
 * of it (`random` in [0, 1)) so accounts that failed together do not retry together, and
 * never before the time a 429 named.
 */
export function friendListRetryAt(
  failure: ListFailure,
  failures: number,
  now: Date,
  random: number,
  options: FriendListRetryOptions = defaultFriendListRetry,
): Date {
  const t = now.getTime();
  if (failure.kind === "missing") return new Date(t + options.missingMs);
  const step = Math.min(options.maxMs, options.baseMs * 2 ** Math.max(0, Math.min(failures, 30) - 1));
  const backoff = t + step * (0.5 + 0.5 * random);
  const notBefore = failure.kind === "rateLimited" ? failure.until.getTime() : t;
  return new Date(Math.max(backoff, notBefore));
}

/**
 * Requests an account's list reads may make in one budget window: `share` of the budget,
 * at least one (a list must be readable at all).
 */
export function listRequestsPerWindow(budgetRequests: number, share: number): number {
  return Math.max(1, Math.floor(budgetRequests * share));
}

/**
 * Whether a list read may start: the requests list reads made in the window ending now
 * (their times, epoch ms) leave room in the share.
 */
export function listReadFits(spentAt: readonly number[], now: Date, windowMs: number, cap: number): boolean {
  const since = now.getTime() - windowMs;
  return spentAt.filter((at) => at > since).length < cap;
}
