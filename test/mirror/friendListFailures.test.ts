/**
 * Friend list reads that fail, against the PSN simulator over hours of simulated time:
 * each account's failed reads back off, a 404 (no friends endpoint for this account or
 * region) is remembered for hours and across a restart, a 429 on it does not keep the
 * account's own reads paused, and list reads never take more than their share of an
 * account's budget.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { FaultSpec } from "../../sim/psn/faults.js";
import type { PsnSim } from "../../sim/psn/server.js";
import type { PartyUpdate } from "../../src/domain/partyUpdate.js";
import type { FriendOptions } from "../../src/jobs/friendWatch.js";
import type { Poller } from "../../src/jobs/poller.js";
import { linkAccount, type PollerRig, rigPoller, startPollerRig } from "./pollerRig.js";

type Requests = ReturnType<PsnSim["requests"]>;

describe("friend list reads that fail", () => {
  let rig: PollerRig;
  let sim: PsnSim;
  let clock: number;
  const updates: PartyUpdate[] = [];

  beforeEach(async () => {
    clock = Date.parse("2026-03-01T20:00:00Z");
    rig = await startPollerRig({ clock: () => clock });
    sim = rig.sim;
    updates.length = 0;
  });
  afterEach(async () => {
    await rig.close();
  });

  /** `n` linked members, all PSN friends of each other. */
  async function friends(n: number) {
    const ms = [];
    for (let i = 1; i <= n; i++) {
      const account = sim.createAccount({ onlineId: `f${i}_ps` });
      await linkAccount(rig, account, String(310000000000000000n + BigInt(i)), new Date(clock));
      ms.push(account);
    }
    for (const x of ms)
      for (const y of ms) if (x.accountId < y.accountId) sim.befriend(x.accountId, y.accountId);
    return ms;
  }

  const poller = (options: { friends?: Partial<FriendOptions>; random?: () => number } = {}) =>
    rigPoller(rig, {
      ...options,
      now: () => new Date(clock),
      sink: { apply: async (u) => void updates.push(u) },
    });

  /** `ticks` ticks, 30 s of simulated time apart; every PSN request they made. */
  async function run(p: Poller, ticks: number): Promise<Requests> {
    const all: Requests = [];
    for (let i = 0; i < ticks; i++) {
      clock += 30_000;
      sim.resetRequests();
      await p.tick();
      all.push(...sim.requests());
    }
    return all;
  }
  const listReadsBy = (reqs: Requests, accountId: string) =>
    reqs.filter((r) => r.endpoint === "friends" && r.accountId === accountId);

  it("a friends endpoint that answers 404 is asked once per account in hours, across a restart", async () => {
    const ms = await friends(4);
    sim.fault("friends", { status: 404, times: Number.POSITIVE_INFINITY });
    const hour = await run(poller(), 120);
    for (const m of ms) expect(listReadsBy(hour, m.accountId)).toHaveLength(1);
    // A restart remembers it.
    const restarted = poller();
    const after = await run(restarted, 60);
    for (const m of ms) expect(listReadsBy(after, m.accountId)).toEqual([]);
    // Half a day on, asked again, once.
    clock += 12 * 60 * 60_000;
    const later = await run(restarted, 10);
    for (const m of ms) expect(listReadsBy(later, m.accountId)).toHaveLength(1);
  });

  it("a member who signs in to another PSN account has the new account's list read on the next tick, whatever the old one's 404", async () => {
    const [a] = await friends(2);
    sim.fault("friends", { status: 404, times: 2 });
    const p = poller();
    await run(p, 1);
    const next = sim.createAccount({ onlineId: "f1_new" });
    await linkAccount(rig, next, "310000000000000001", new Date(clock));
    const reqs = await run(p, 1);
    expect(listReadsBy(reqs, next.accountId).map((r) => r.status)).toEqual([200]);
    expect(listReadsBy(reqs, a!.accountId)).toEqual([]);
  });

  it.each<[string, FaultSpec]>([
    ["401", { status: 401 }],
    ["503", { status: 503 }],
    ["500", { status: 500 }],
  ])("a friends endpoint failing with %s is asked on a backoff, not every tick", async (_, fault) => {
    const ms = await friends(4);
    sim.fault("friends", { ...fault, times: Number.POSITIVE_INFINITY });
    const hour = await run(poller(), 120);
    // Backing off from 5 minutes, doubling: at most 5 tries in the first hour (120 before).
    for (const m of ms) {
      const n = listReadsBy(hour, m.accountId).length;
      expect(n).toBeGreaterThanOrEqual(2);
      expect(n).toBeLessThanOrEqual(5);
    }
    // Members are watched meanwhile, each with their own reads.
    for (const m of ms)
      expect(hour.some((r) => r.endpoint === "presence" && r.accountId === m.accountId)).toBe(true);
  });

  it("a 429 on the friends endpoint pauses the account only as long as PSN says: its party shows", async () => {
    const [a] = await friends(2);
    sim.fault("friends", { status: 429, headers: { "retry-after": "60" }, times: Number.POSITIVE_INFINITY });
    const p = poller();
    const first = await run(p, 1);
    expect(listReadsBy(first, a!.accountId).map((r) => r.status)).toEqual([429]);
    sim.setPresence(a!.accountId, { online: true, game: { name: "Helldivers 2" } });
    const session = sim.startParty(a!.accountId, { joinability: "open" });
    // The 60 s PSN asked for, then the next tick or two.
    const after = await run(p, 4);
    expect(updates.at(-1)?.live.map((x) => x.sessionId)).toEqual([session]);
    expect(listReadsBy(after, a!.accountId)).toEqual([]);
  });

  it("failing list reads take no more than their share of the account's budget in any window", async () => {
    const ms = await friends(3);
    sim.fault("friends", { status: 503, times: Number.POSITIVE_INFINITY });
    // A share of 2 requests in the 300 of a 15-minute window, and the shortest backoff the
    // jitter allows (2.5, 5, 10 minutes): the backoff alone would try 3 times in 15 minutes.
    const p = poller({ friends: { listShare: 2 / 300 }, random: () => 0 });
    const reqs = await run(p, 60);
    const window = 15 * 60_000;
    for (const m of ms) {
      const times = listReadsBy(reqs, m.accountId).map((r) => r.at.getTime());
      expect(times.length).toBeGreaterThanOrEqual(2);
      for (const t of times)
        expect(times.filter((u) => u > t - window && u <= t).length).toBeLessThanOrEqual(2);
    }
  });
});
