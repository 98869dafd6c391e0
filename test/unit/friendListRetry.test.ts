import { describe, expect, it } from "vitest";
import {
  defaultFriendListRetry,
  friendListRetryAt,
  type ListFailure,
  listFailureOf,
  listReadFits,
  listRequestsPerWindow,
} from "../../src/jobs/friendListRetry.js";
import {
  PsnAuthError,
  PsnForbiddenError,
  PsnNotFoundError,
  PsnRateLimitedError,
  PsnUnavailableError,
} from "../../src/psn/errors.js";

const now = new Date("2026-03-01T20:00:00Z");
const min = 60_000;
const minutesAfterNow = (d: Date) => (d.getTime() - now.getTime()) / min;

describe("friendListRetryAt", () => {
  const failed: ListFailure = { kind: "failed", reason: "other" };
  it.each<[string, ListFailure, number, number, number]>([
    ["a first failure, shortest jitter", failed, 1, 0, 2.5],
    ["a first failure, longest jitter", failed, 1, 0.999999, 5],
    ["the second, doubled", failed, 2, 0, 5],
    ["the fourth", { kind: "failed", reason: "auth" }, 4, 0, 20],
    ["the tenth, capped at the lists' refresh period", failed, 10, 0.999999, 360],
    ["the thousandth, still capped", failed, 1000, 0, 180],
    ["a 404: half a day, whatever the streak", { kind: "missing" }, 1, 0, 720],
    [
      "a 429 naming a time before the backoff's",
      { kind: "rateLimited", until: new Date(now.getTime() + min) },
      1,
      0,
      2.5,
    ],
    [
      "a 429 naming a time after it",
      { kind: "rateLimited", until: new Date(now.getTime() + 14 * min) },
      1,
      0,
      14,
    ],
  ])("%s", (_, failure, failures, random, minutes) => {
    expect(minutesAfterNow(friendListRetryAt(failure, failures, now, random))).toBeCloseTo(minutes, 3);
  });

  it("spreads accounts that failed together between half and all of the step", () => {
    const waits = [0, 0.25, 0.5, 0.75].map((r) =>
      minutesAfterNow(friendListRetryAt({ kind: "failed", reason: "other" }, 3, now, r)),
    );
    expect(waits).toEqual([10, 12.5, 15, 17.5]);
    expect(defaultFriendListRetry.baseMs).toBe(5 * min);
  });
});

describe("listFailureOf", () => {
  const at = new Date(now.getTime() + 5 * min);
  it.each<[string, unknown, ListFailure]>([
    ["404", new PsnNotFoundError("x"), { kind: "missing" }],
    ["429", new PsnRateLimitedError("x", at, "server"), { kind: "rateLimited", until: at }],
    ["our budget", new PsnRateLimitedError("x", at, "budget"), { kind: "rateLimited", until: at }],
    ["401", new PsnAuthError("invalid_token"), { kind: "failed", reason: "auth" }],
    ["5xx", new PsnUnavailableError("x"), { kind: "failed", reason: "other" }],
    [
      "403 (a caller that did not take it as private)",
      new PsnForbiddenError("x"),
      { kind: "failed", reason: "other" },
    ],
    ["anything else", new Error("x"), { kind: "failed", reason: "other" }],
  ])("%s", (_, err, failure) => {
    expect(listFailureOf(err)).toEqual(failure);
  });
});

describe("the share of the budget list reads may take", () => {
  it.each([
    [300, 0.1, 30],
    [20, 0.1, 2],
    [5, 0.1, 1],
    [300, 0, 1],
  ])("%i requests at a share of %d: %i", (requests, share, cap) => {
    expect(listRequestsPerWindow(requests, share)).toBe(cap);
  });

  const window = 15 * min;
  it.each<[string, number[], boolean]>([
    ["nothing spent", [], true],
    ["one of two", [now.getTime() - min], true],
    ["two of two", [now.getTime() - min, now.getTime() - 2 * min], false],
    ["two, one of them just out of the window", [now.getTime() - window, now.getTime() - min], true],
  ])("%s", (_, spent, fits) => {
    expect(listReadFits(spent, now, window, 2)).toBe(fits);
  });
});
