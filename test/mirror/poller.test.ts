/**
 * The poller against the PSN simulator over real HTTP, with a real SQLite file and
 * a recording sink: tick ordering, shutdown, per-member error handling.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { PsnSim } from "../../sim/psn/server.js";
import type { Store } from "../../src/db/store.js";
import { findWatchedMember, pollSoon } from "../../src/db/watch.js";
import type { PartyUpdate } from "../../src/domain/partyUpdate.js";
import { linkAccount, type PollerRig, rigPoller, startPollerRig } from "./pollerRig.js";

describe("Poller", () => {
  let rig: PollerRig;
  let sim: PsnSim;
  let database: Store;
  let clock: number;
  const updates: PartyUpdate[] = [];
  /** Called once with the next update the sink receives. */
  const listeners: ((u: PartyUpdate) => void)[] = [];

  beforeEach(async () => {
    rig = await startPollerRig({ latencyMs: 30 });
    ({ sim, database } = rig);
    clock = Date.now();
    updates.length = 0;
  });
  afterEach(async () => {
    await rig.close();
  });

  async function member(n: number) {
    const account = sim.createAccount({ onlineId: `m${n}_ps` });
    const discordUserId = String(300000000000000000n + BigInt(n));
    await linkAccount(rig, account, discordUserId, new Date(clock));
    sim.setPresence(account.accountId, { online: true });
    return { ...account, discordUserId };
  }

  const poller = (concurrency = 4) =>
    rigPoller(rig, {
      now: () => new Date(clock),
      concurrency,
      sink: {
        apply: async (u) => {
          updates.push(u);
          for (const listener of listeners.splice(0)) listener(u);
        },
      },
    });

  it("never overlaps ticks, and stop() waits for the running one", async () => {
    await member(1);
    const p = poller();
    const order: string[] = [];
    const first = p.tick().then(() => order.push("first"));
    const second = p.tick().then(() => order.push("second"));
    const stopped = p.stop().then(() => order.push("stopped"));
    await Promise.all([first, second, stopped]);
    expect(order[0]).toBe("first");
    expect(order).toContain("second");
    expect(updates).toHaveLength(2);
  });

  it("a tick asked for while one runs starts after it, so a member is not polled twice at once", async () => {
    await member(1);
    sim.resetRequests();
    const p = poller();
    // Both asked for at the same instant (the clock does not move): the second must see the
    // member already polled by the first, not read PSN for it a second time.
    const [first, second] = await Promise.all([p.tick(), p.tick()]);
    expect(first.due).toBe(1);
    expect(second.due).toBe(0);
    expect(sim.requests().filter((r) => r.endpoint === "presence")).toHaveLength(1);
  });

  it("reads presence, then the parties of online members, and reports live parties", async () => {
    const a = await member(1);
    const session = sim.startParty(a.accountId, { joinability: "open" });
    sim.resetRequests();
    const stats = await poller().tick();
    // Presence, parties, and the new link's friend list (read once, then every few hours).
    expect(stats.requests).toBe(3);
    expect(
      sim
        .requests()
        .filter((r) => r.endpoint !== "share" && r.endpoint !== "partyInfo")
        .map((r) => r.endpoint)
        .sort(),
    ).toEqual(["friends", "parties", "presence"]);
    expect(updates[0]?.live.map((x) => x.sessionId)).toEqual([session]);
    expect(updates[0]?.live[0]?.shareUrl).toContain("party.playstation.com");
    expect(updates[0]?.live[0]?.host.discordUserId).toBe(a.discordUserId);
  });

  it("keeps going when one member is rate limited, and that member waits until PSN says", async () => {
    const a = await member(1);
    const b = await member(2);
    const retryAt = Math.ceil((clock + 600_000) / 1000);
    sim.fault("presence", {
      status: 429,
      headers: { "x-ratelimit-next-available": String(retryAt) },
      times: 1,
    });
    const stats = await poller(1).tick();
    expect(stats.due).toBe(2);
    expect(stats.failures).toBe(1);
    const states = await Promise.all(
      [a, b].map(async (m) => (await findWatchedMember(database, m.discordUserId))?.state),
    );
    const limited = states.find((s) => s?.online === null);
    const fine = states.find((s) => s?.online === true);
    expect(fine).toBeDefined();
    expect(limited?.nextPollAt.getTime()).toBeGreaterThanOrEqual(retryAt * 1000);
  });

  it("does not poll members announced nowhere or needing a new sign-in", async () => {
    await member(1);
    const lonely = sim.createAccount({ onlineId: "lonely" });
    await linkAccount(rig, lonely, "300000000000000099", new Date(clock), { announced: false });
    const stats = await poller().tick();
    expect(stats.due).toBe(1);
  });
  it("announces the parties of members already online before the slow sweep of offline members", async () => {
    const a = await member(1);
    const b = await member(2);
    sim.setPresence(b.accountId, { online: false });
    const p = poller();
    await p.tick(); // a is seen online, b offline
    clock += 30_000;
    await pollSoon(database, b.discordUserId, new Date(clock));
    const session = sim.startParty(a.accountId, { joinability: "open" });
    // b is due again and its presence read is slow; a's party must not wait for it.
    sim.fault("presence", { delayMs: 3_000 });
    const before = updates.length;
    // The simulator logs a request when it answers: b's reads answered so far, at any moment.
    const answeredForB = () => sim.requests().filter((r) => r.accountId === b.accountId).length;
    const answeredBefore = answeredForB();
    const first = new Promise<{ update: PartyUpdate; answeredForB: number }>((resolve) =>
      listeners.push((update) => resolve({ update, answeredForB: answeredForB() })),
    );
    const recording = p.tick();
    const { update: firstUpdate, answeredForB: answeredAtFirst } = await first;
    await recording;
    expect(firstUpdate.live.map((x) => x.sessionId)).toEqual([session]);
    // a's party went out while b's slow read was still unanswered, not after it.
    expect(answeredAtFirst).toBe(answeredBefore);
    expect(answeredForB()).toBeGreaterThan(answeredBefore);
    expect(updates.length - before).toBe(2);
  });
});
