import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type BudgetLedger, RequestBudget } from "../../src/psn/budget.js";
import { PsnRateLimitedError } from "../../src/psn/errors.js";
import { clientFor, type Harness, startHarness } from "./harness.js";

/** A clock that only moves when the budget sleeps. */
function fakeClock(start = 1_000_000) {
  const clock = { now: start, sleeps: 0 };
  return {
    clock,
    now: () => clock.now,
    sleep: async (ms: number) => {
      clock.sleeps++;
      clock.now += ms;
    },
  };
}

/** The largest number of stamps inside any half-open window (t - windowMs, t]. */
function maxInAnyWindow(stamps: number[], windowMs: number): number {
  const sorted = [...stamps].sort((a, b) => a - b);
  let best = 0;
  for (let i = 0; i < sorted.length; i++) {
    let n = 0;
    for (let j = i; j < sorted.length && sorted[j]! < sorted[i]! + windowMs; j++) n++;
    best = Math.max(best, n);
  }
  return best;
}

// A grant counts for its window, the margin (1%: 10 ms of a 1 s window) and the edge's
// millisecond: the next goes 1,011 ms after it.
describe("RequestBudget", () => {
  it("spreads a burst so that no window holds more than the limit", async () => {
    const { clock, now, sleep } = fakeClock();
    const budget = new RequestBudget({ requests: 3, windowMs: 1_000, now, sleep });
    const granted: number[] = [];
    await Promise.all(
      Array.from({ length: 10 }, () => budget.acquire("a").then(() => granted.push(clock.now))),
    );
    expect(granted).toHaveLength(10);
    expect(maxInAnyWindow(granted, 1_000)).toBe(3);
    expect(Math.max(...granted) - Math.min(...granted)).toBe(3 * 1_011);
  });

  it("keeps accounts apart", async () => {
    const { now, sleep, clock } = fakeClock();
    const budget = new RequestBudget({ requests: 2, windowMs: 1_000, now, sleep });
    await budget.acquire("a");
    await budget.acquire("a");
    await budget.acquire("b");
    expect(clock.sleeps).toBe(0);
    expect(budget.remaining("a")).toBe(0);
    expect(budget.remaining("b")).toBe(1);
    expect(budget.nextFreeAt("a").getTime()).toBe(clock.now + 1_011);
    expect(budget.nextFreeAt("b").getTime()).toBe(clock.now);
  });

  it("counts queued calls when telling when a new one would go", async () => {
    const { now, clock } = fakeClock();
    let wake: () => void = () => {};
    const sleep = (ms: number) =>
      new Promise<void>((resolve) => {
        wake = () => {
          clock.now += ms;
          resolve();
        };
      });
    const budget = new RequestBudget({ requests: 2, windowMs: 1_000, now, sleep });
    await budget.acquire("a");
    await budget.acquire("a");
    const queued = [budget.acquire("a"), budget.acquire("a")];
    await Promise.resolve();
    expect(budget.nextFreeAt("a").getTime()).toBe(clock.now + 2 * 1_011);
    wake();
    // The window frees two slots at once, so the fourth call goes with the third.
    await Promise.all(queued);
    expect(clock.now).toBe(1_001_011);
  });

  it("holds a paused account until the pause ends", async () => {
    const { now, sleep, clock } = fakeClock();
    const budget = new RequestBudget({ requests: 5, windowMs: 1_000, now, sleep });
    const until = new Date(clock.now + 30_000);
    await budget.pause("a", until);
    expect(budget.pausedUntil("a")).toEqual(until);
    expect(budget.remaining("a")).toBe(0);
    await budget.acquire("a");
    expect(clock.now).toBe(until.getTime());
    expect(budget.pausedUntil("a")).toBeNull();
  });

  it("forgets idle accounts, so memory stays bounded", async () => {
    const { now, sleep, clock } = fakeClock();
    const budget = new RequestBudget({ requests: 5, windowMs: 1_000, now, sleep });
    for (let i = 0; i < 1_000; i++) await budget.acquire(`k${i}`);
    expect(budget.size).toBeLessThanOrEqual(1_000);
    clock.now += 1_011;
    await budget.sweep();
    expect(budget.size).toBe(0);
  });

  it.each([
    [0, 1_000],
    [1, 0],
  ])("rejects requests=%i windowMs=%i", (requests, windowMs) => {
    expect(() => new RequestBudget({ requests, windowMs })).toThrow(RangeError);
  });
});

/** A ledger in memory, as the database keeps it: what a restarted budget reads back. */
function memoryLedger() {
  const spent: Array<{ key: string; at: number }> = [];
  const pauses = new Map<string, number>();
  let failNext = false;
  const ledger: BudgetLedger = {
    restore: async (since, now) => ({
      spent: spent.filter((s) => s.at > since),
      pauses: [...pauses].filter(([, until]) => until > now).map(([key, until]) => ({ key, until })),
    }),
    spent: async (key, at) => {
      if (failNext) {
        failNext = false;
        throw new Error("disk I/O error");
      }
      spent.push({ key, at });
    },
    paused: async (key, until) => void pauses.set(key, until),
    forget: async (before) => {
      for (let i = spent.length - 1; i >= 0; i--) if (spent[i]!.at <= before) spent.splice(i, 1);
    },
  };
  return { ledger, spent, failOnce: () => (failNext = true) };
}

describe("RequestBudget with a ledger", () => {
  it("a new budget on the same ledger resumes the window: no fresh budget after a restart", async () => {
    const { clock, now, sleep } = fakeClock();
    const { ledger } = memoryLedger();
    const first = new RequestBudget({ requests: 3, windowMs: 1_000, now, sleep, ledger });
    await first.acquire("a");
    clock.now += 100;
    await first.acquire("a");
    await first.pause("b", new Date(clock.now + 5_000));

    const restarted = new RequestBudget({ requests: 3, windowMs: 1_000, now, sleep, ledger });
    await restarted.ready;
    expect(restarted.remaining("a")).toBe(1);
    expect(restarted.pausedUntil("b")?.getTime()).toBe(clock.now + 5_000);
    const granted: number[] = [];
    for (let i = 0; i < 2; i++) await restarted.acquire("a").then(() => granted.push(clock.now));
    // The third of the window goes at once; the next waits for the restart's first grant to leave it.
    expect(granted).toEqual([1_000_100, 1_001_011]);
  });

  it("a grant the ledger could not record fails alone; the next caller still gets its turn", async () => {
    const { now, sleep } = fakeClock();
    const { ledger, spent, failOnce } = memoryLedger();
    const budget = new RequestBudget({ requests: 3, windowMs: 1_000, now, sleep, ledger });
    failOnce();
    const [lost, next] = await Promise.allSettled([budget.acquire("a"), budget.acquire("a")]);
    expect(lost.status).toBe("rejected");
    expect(next.status).toBe("fulfilled");
    expect(spent).toHaveLength(1);
    expect(budget.remaining("a")).toBe(2);
  });

  it("forgets grants that left every window", async () => {
    const { clock, now, sleep } = fakeClock();
    const { ledger, spent } = memoryLedger();
    const budget = new RequestBudget({ requests: 3, windowMs: 1_000, now, sleep, ledger });
    await budget.acquire("a");
    clock.now += 1_011;
    await budget.sweep();
    expect(spent).toEqual([]);
  });

  it("grants a call only once the ledger has recorded it: a crash before the request over-counts, never forgets", async () => {
    const { now, sleep } = fakeClock();
    const { ledger, spent } = memoryLedger();
    let recorded!: () => void;
    const slowLedger: BudgetLedger = {
      ...ledger,
      spent: (key, at) =>
        new Promise<void>((resolve) => {
          recorded = () => {
            void ledger.spent(key, at).then(resolve);
          };
        }),
    };
    const budget = new RequestBudget({ requests: 3, windowMs: 1_000, now, sleep, ledger: slowLedger });
    let granted = false;
    const acquired = budget.acquire("a").then(() => {
      granted = true;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(granted).toBe(false);
    recorded();
    await acquired;
    expect(spent).toHaveLength(1);
  });

  it("a ledger that cannot be read stops the budget: no call is granted on a forgotten window", async () => {
    const { now, sleep } = fakeClock();
    const { ledger } = memoryLedger();
    const unreadable: BudgetLedger = {
      ...ledger,
      restore: () => Promise.reject(new Error("disk I/O error")),
    };
    const budget = new RequestBudget({ requests: 3, windowMs: 1_000, now, sleep, ledger: unreadable });
    await expect(budget.ready).rejects.toThrow("disk I/O error");
    await expect(budget.acquire("a")).rejects.toThrow("disk I/O error");
  });
});

describe("the client's budget over real HTTP", () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    await h.close();
  });

  it("spreads a burst of calls for one account over time", async () => {
    const windowMs = 600;
    const client = clientFor(h.sim, { budget: { requests: 3, windowMs } });
    try {
      const auth = h.tokens.provider(h.alice.accountId);
      const started = Date.now();
      await Promise.all(Array.from({ length: 9 }, () => client.getPresence(auth, "me")));
      expect(Date.now() - started).toBeGreaterThanOrEqual(2 * windowMs - 5);
      const stamps = h.sim
        .requests()
        .filter((r) => r.endpoint === "presence")
        .map((r) => r.at.getTime());
      expect(stamps).toHaveLength(9);
      // Arrival times jitter a little on a busy machine; the grants themselves are exact (unit test above).
      expect(maxInAnyWindow(stamps, windowMs - 200)).toBeLessThanOrEqual(3);
    } finally {
      await client.close();
    }
  });

  it("fails with a budget PsnRateLimitedError rather than wait longer than allowed", async () => {
    const client = clientFor(h.sim, { budget: { requests: 1, windowMs: 60_000 }, budgetMaxWaitMs: 1_000 });
    try {
      const auth = h.tokens.provider(h.alice.accountId);
      await client.getPresence(auth, "me");
      const err = await client.getPresence(auth, "me").catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PsnRateLimitedError);
      expect((err as PsnRateLimitedError).source).toBe("budget");
      expect(h.sim.requests().filter((r) => r.endpoint === "presence")).toHaveLength(1);
    } finally {
      await client.close();
    }
  });
});

describe("the budget's window edge (issue 20: 21 requests in 119.99 s of a 120 s window)", () => {
  // One grant at s; the next is refused while s is within the window, both edges and
  // the margin included, and granted the millisecond after.
  const W = 120_000;
  const margin = 1_200;
  it.each([
    ["one millisecond inside the window", W - 1, 0],
    ["exactly one window later", W, 0],
    ["at the end of the margin", W + margin, 0],
    ["just past the margin", W + margin + 1, 1],
  ])("%s: %i ms after the grant, %i more may go", async (_label, after, remaining) => {
    const { clock, now, sleep } = fakeClock();
    const budget = new RequestBudget({ requests: 1, windowMs: W, now, sleep });
    const s = clock.now;
    await budget.acquire("a");
    clock.now = s + after;
    expect(budget.remaining("a")).toBe(remaining);
    expect(budget.nextFreeAt("a").getTime()).toBe(Math.max(s + W + margin + 1, clock.now));
  });

  it("a waiting grant goes the millisecond after the margin, not at the window's edge", async () => {
    const { clock, now, sleep } = fakeClock();
    const budget = new RequestBudget({ requests: 20, windowMs: W, now, sleep });
    const s = clock.now;
    for (let i = 0; i < 20; i++) await budget.acquire("a");
    await budget.acquire("a");
    expect(clock.now).toBe(s + W + margin + 1);
  });
});

describe("the simulator's own per-account budget (PSN's limit, not ours)", () => {
  let h: Harness;
  let clock: number;
  beforeEach(async () => {
    clock = Date.UTC(2026, 0, 1);
    h = await startHarness({ sim: { budget: { requests: 3, windowMs: 60_000 }, now: () => clock } });
  });
  afterEach(async () => {
    await h.close();
  });

  async function presence(accessToken: string): Promise<Response> {
    return fetch(`${h.sim.url}/api/userProfile/v2/internal/users/me/basicPresences?type=primary`, {
      headers: { authorization: `Bearer ${accessToken}` },
    });
  }

  it("answers a client that overspends with 429, Retry-After and X-RateLimit-Next-Available", async () => {
    const alice = h.store.tokens.get(h.alice.accountId)?.accessToken ?? "";
    clock += 10_000;
    expect((await presence(alice)).status).toBe(200);
    clock += 10_000;
    expect((await presence(alice)).status).toBe(200);
    expect((await presence(alice)).status).toBe(200);

    const refused = await presence(alice);
    expect(refused.status).toBe(429);
    // The oldest call of the window (10 s ago) leaves it just after 60 s: 50 s (and 1 ms) from now.
    expect(refused.headers.get("retry-after")).toBe("51");
    expect(refused.headers.get("x-ratelimit-next-available")).toBe(String((clock + 51_000) / 1000));
    expect(await refused.json()).toEqual({
      error: { referenceId: expect.any(String), code: 2138635, message: "Rate limit exceeded" },
    });

    // Another account has a budget of its own.
    const bobTokens = await h.client.exchangeNpsso(h.bob.npsso);
    expect((await presence(bobTokens.accessToken)).status).toBe(200);
    // Both edges in: exactly one window after the oldest call, it is still in the window.
    clock += 50_000;
    expect((await presence(alice)).status).toBe(429);
    // Refused calls do not count: once the oldest call has left the window, one more goes through.
    clock += 1;
    expect((await presence(alice)).status).toBe(200);
    expect((await presence(alice)).status).toBe(429);
  });

  it("the real client on PSN's own budget never sends a request landing on the window's edge", async () => {
    const client = clientFor(h.sim, {
      budget: { requests: 3, windowMs: 60_000 },
      budgetMaxWaitMs: 0,
      now: () => clock,
    });
    try {
      const auth = h.tokens.provider(h.alice.accountId);
      const start = clock;
      for (let i = 0; i < 3; i++) await client.getPresence(auth, "me");
      // Exactly one window later (where PSN refuses), then at the margin's end: held back here.
      for (const after of [60_000, 60_600]) {
        clock = start + after;
        const err = await client.getPresence(auth, "me").catch((e: unknown) => e);
        expect(err).toBeInstanceOf(PsnRateLimitedError);
        expect((err as PsnRateLimitedError).source).toBe("budget");
      }
      clock += 1;
      await client.getPresence(auth, "me");
      expect(h.sim.requests().map((r) => r.status)).toEqual([200, 200, 200, 200]);
    } finally {
      await client.close();
    }
  });

  it("the real client, set to spend more than PSN allows, is stopped by PSN and pauses the account", async () => {
    const client = clientFor(h.sim, { budget: { requests: 10, windowMs: 60_000 }, now: () => clock });
    try {
      const auth = h.tokens.provider(h.alice.accountId);
      for (let i = 0; i < 3; i++) await client.getPresence(auth, "me");
      const err = await client.getPresence(auth, "me").catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PsnRateLimitedError);
      expect((err as PsnRateLimitedError).source).toBe("server");
      // PSN's edge is inclusive: free 1 ms after the window, which its whole seconds round up.
      expect((err as PsnRateLimitedError).retryAt.getTime()).toBe(clock + 61_000);
      expect(client.budget.pausedUntil(h.alice.accountId)?.getTime()).toBe(clock + 61_000);
      expect(h.sim.requests().map((r) => r.status)).toEqual([200, 200, 200, 429]);
    } finally {
      await client.close();
    }
  });
});
