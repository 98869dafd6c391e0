/**
 * Watching through friends, end to end: the real Poller and PsnClient over HTTP to the
 * PSN simulator (friend lists, batch presence that answers only what the caller may
 * see), a real SQLite file, a recording sink.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { PsnSim } from "../../sim/psn/server.js";
import { unlinkMember } from "../../src/accounts/unlink.js";
import { setOnBoard } from "../../src/db/boards.js";
import { dbOf, type Store, sqliteOf } from "../../src/db/client.js";
import { loadFriendGraph } from "../../src/db/friends.js";
import { optIn } from "../../src/db/guildMembers.js";
import { updateGuild } from "../../src/db/guilds.js";
import { friendEdges } from "../../src/db/schema.js";
import { markNeedsRelink } from "../../src/db/users.js";
import { findWatchedMember, pollSoon, saveWatchState } from "../../src/db/watch.js";
import type { PartyUpdate } from "../../src/domain/partyUpdate.js";
import { defaultFriendOptions, type FriendOptions } from "../../src/jobs/friendWatch.js";
import type { Poller } from "../../src/jobs/poller.js";
import { defaultScheduleOptions, pollOffsetMs } from "../../src/jobs/schedule.js";
import { staticToken } from "../../src/psn/http.js";
import { linkAccount, type PollerRig, rigPoller, startPollerRig } from "./pollerRig.js";

describe("watching through friends", () => {
  let rig: PollerRig;
  let sim: PsnSim;
  let database: Store;
  let clock: number;
  const updates: PartyUpdate[] = [];

  beforeEach(async () => {
    rig = await startPollerRig();
    ({ sim, database } = rig);
    clock = Date.now();
    updates.length = 0;
  });
  afterEach(async () => {
    await rig.close();
  });

  /** A PSN account, signed in; linked and announced unless told otherwise. */
  async function member(n: number, opts: { linked?: boolean; announced?: boolean } = {}) {
    const account = sim.createAccount({ onlineId: `m${n}_ps` });
    const discordUserId = String(300000000000000000n + BigInt(n));
    if (opts.linked !== false) await linkAccount(rig, account, discordUserId, new Date(clock), opts);
    return { ...account, discordUserId };
  }

  const poller = (onUpdate?: (u: PartyUpdate) => void, friends?: Partial<FriendOptions>) =>
    rigPoller(rig, {
      ...(friends ? { friends } : {}),
      now: () => new Date(clock),
      sink: {
        apply: async (u) => {
          updates.push(u);
          onUpdate?.(u);
        },
      },
    });

  /** The next tick, 30 s of simulated time later; the PSN requests it made. */
  async function tick(p: Poller) {
    clock += 30_000;
    sim.resetRequests();
    await p.tick();
    return sim.requests();
  }
  const batchReads = (reqs: ReturnType<PsnSim["requests"]>) => reqs.filter((r) => r.endpoint === "presences");
  const ownReads = (reqs: ReturnType<PsnSim["requests"]>) =>
    reqs.filter((r) => r.endpoint === "presence").map((r) => r.accountId);
  const live = () => updates.at(-1)?.live.map((x) => x.sessionId) ?? [];

  it("reads each friend list once and keeps only the edges between linked members; unlinking removes them", async () => {
    const a = await member(1);
    const b = await member(2);
    const outsider = await member(3, { linked: false });
    sim.befriend(a.accountId, b.accountId);
    sim.befriend(a.accountId, outsider.accountId);
    const p = poller();
    const first = await tick(p);
    expect(
      first
        .filter((r) => r.endpoint === "friends")
        .map((r) => r.accountId)
        .sort(),
    ).toEqual([a.accountId, b.accountId].sort());
    expect(dbOf(database).select().from(friendEdges).all()).toEqual(
      expect.arrayContaining([
        { accountId: a.accountId, friendAccountId: b.accountId },
        { accountId: b.accountId, friendAccountId: a.accountId },
      ]),
    );
    expect(dbOf(database).select().from(friendEdges).all()).toHaveLength(2);
    // Rarely: not read again on the next ticks.
    expect((await tick(p)).filter((r) => r.endpoint === "friends")).toEqual([]);

    await unlinkMember(database, b.discordUserId);
    expect(dbOf(database).select().from(friendEdges).all()).toEqual([]);
  });

  it("reads a new link's list on the next tick and everyone's again after the refresh period", async () => {
    const a = await member(1);
    const b = await member(2);
    sim.befriend(a.accountId, b.accountId);
    const p = poller();
    await tick(p);
    const c = await member(3);
    sim.befriend(c.accountId, a.accountId);
    // A new link's list is read on the next tick; the others' only after hours.
    const next = await tick(p);
    expect(next.filter((r) => r.endpoint === "friends").map((r) => r.accountId)).toEqual([c.accountId]);
    // And the new friendship counts at once: a reads c's presence in the same tick.
    expect(batchReads(next).flatMap((r) => r.accountIds ?? [])).toContain(c.accountId);
    expect(ownReads(next)).not.toContain(c.accountId);
    expect((await loadFriendGraph(database)).friendsOf.get(a.accountId)).toEqual(
      new Set([b.accountId, c.accountId]),
    );
    clock += 6 * 60 * 60_000;
    const later = await tick(p);
    expect(later.filter((r) => r.endpoint === "friends")).toHaveLength(3);
  });

  it("spreads friend list reads over ticks: new links first, a few per tick", async () => {
    const first = [await member(1), await member(2), await member(3)];
    const p = poller(undefined, { minListsPerTick: 2 });
    const listsRead = async () =>
      (await tick(p)).filter((r) => r.endpoint === "friends").map((r) => r.accountId!);
    const one = await listsRead();
    const two = await listsRead();
    expect(one).toHaveLength(2);
    expect([...one, ...two].sort()).toEqual(first.map((m) => m.accountId).sort());
    // Past the refresh period, a member linked meanwhile is read before the old lists.
    clock += 6 * 60 * 60_000;
    const late = await member(4);
    const three = await listsRead();
    expect(three).toHaveLength(2);
    expect(three).toContain(late.accountId);
    expect([...three, ...(await listsRead())]).toHaveLength(4);
  });

  it("checks covered offline members every tick with one batch read, and sees one come online in a party at once", async () => {
    const ms = await Promise.all([1, 2, 3, 4].map((n) => member(n)));
    for (const x of ms)
      for (const y of ms) if (x.accountId < y.accountId) sim.befriend(x.accountId, y.accountId);
    const loner = await member(5);
    const p = poller();
    await tick(p); // friend lists; everyone's first read
    let lonerReads = 0;
    for (let i = 0; i < 4; i++) {
      const reqs = await tick(p);
      expect(batchReads(reqs)).toHaveLength(1);
      expect(new Set(batchReads(reqs)[0]!.accountIds)).toEqual(new Set(ms.map((m) => m.accountId)));
      expect(ownReads(reqs)).not.toContain(ms[0]!.accountId);
      lonerReads += ownReads(reqs).filter((id) => id === loner.accountId).length;
    }
    // The loner has nobody: own reads on the backoff (60 s, then 2 minutes), not every tick.
    expect(lonerReads).toBeLessThanOrEqual(2);
    for (const m of ms)
      expect((await findWatchedMember(database, m.discordUserId))!.state.nextPollAt.getTime()).toBe(
        clock + 30_000,
      );

    sim.setPresence(ms[2]!.accountId, { online: true, game: { name: "Helldivers 2" } });
    const session = sim.startParty(ms[2]!.accountId, { joinability: "open" });
    const reqs = await tick(p);
    expect(live()).toEqual([session]);
    // Presence from the batch, parties with the member's own token.
    expect(ownReads(reqs)).not.toContain(ms[2]!.accountId);
    expect(reqs.filter((r) => r.endpoint === "parties").map((r) => r.accountId)).toEqual([ms[2]!.accountId]);
  });

  it("after a restart, members seen through friends are checked on the first tick, not when their backoff ends", async () => {
    const ms = await Promise.all([1, 2, 3].map((n) => member(n)));
    for (const x of ms)
      for (const y of ms) if (x.accountId < y.accountId) sim.befriend(x.accountId, y.accountId);
    await tick(poller()); // friend lists read, everyone seen offline
    // As stored by a run before friends: offline members on the two-minute backoff; one backing off after errors.
    const [waiting, alsoWaiting, failing] = ms as [(typeof ms)[0], (typeof ms)[0], (typeof ms)[0]];
    for (const m of [waiting, alsoWaiting])
      await pollSoon(database, m.discordUserId, new Date(clock + 120_000));
    const failed = (await findWatchedMember(database, failing.discordUserId))!;
    await saveWatchState(
      database,
      failing.discordUserId,
      { ...failed.state, errorStreak: 3, nextPollAt: new Date(clock + 4 * 60_000) },
      new Date(clock),
    );

    const restarted = poller();
    const first = await tick(restarted);
    expect(new Set(batchReads(first).flatMap((r) => r.accountIds ?? []))).toEqual(
      new Set([waiting.accountId, alsoWaiting.accountId]),
    );
    expect(ownReads(first)).toEqual([]);
    // From then on, every tick.
    const second = await tick(restarted);
    expect(new Set(batchReads(second).flatMap((r) => r.accountIds ?? []))).toEqual(
      new Set([waiting.accountId, alsoWaiting.accountId]),
    );
  });

  it("a member who gains a linked friend is checked every tick from that tick on", async () => {
    const a = await member(1);
    const p = poller();
    await tick(p); // no friend: a is on the offline backoff, here its longest
    await pollSoon(database, a.discordUserId, new Date(clock + 120_000));
    const b = await member(2);
    sim.befriend(a.accountId, b.accountId);
    // b's list is read on the next tick, and a is listed in that tick's batch.
    const next = await tick(p);
    expect(batchReads(next).flatMap((r) => r.accountIds ?? [])).toContain(a.accountId);
    expect((await findWatchedMember(database, a.discordUserId))!.state.nextPollAt.getTime()).toBe(
      clock + 30_000,
    );
  });

  it("a member who came into friends' view when the database refused to move them is moved on the next tick", async () => {
    const a = await member(1);
    const p = poller();
    await tick(p); // no friend: a is on the offline backoff, here its longest
    await pollSoon(database, a.discordUserId, new Date(clock + 120_000));
    const b = await member(2);
    sim.befriend(a.accountId, b.accountId);
    // The database refuses to bring anyone's next poll forward for one tick (a full disk,
    // a locked file): a temporary trigger on the bot's own connection, gone when dropped.
    sqliteOf(database).exec(
      "CREATE TEMP TRIGGER refuse_next_poll BEFORE UPDATE OF next_poll_at ON users BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END",
    );
    const refused = await tick(p);
    expect(batchReads(refused).flatMap((r) => r.accountIds ?? [])).not.toContain(a.accountId);
    sqliteOf(database).exec("DROP TRIGGER refuse_next_poll");
    // Still within a's backoff: only the move forward makes a due now.
    const next = await tick(p);
    expect(batchReads(next).flatMap((r) => r.accountIds ?? [])).toContain(a.accountId);
    expect(ownReads(next)).not.toContain(a.accountId);
    expect((await findWatchedMember(database, a.discordUserId))!.state.nextPollAt.getTime()).toBe(
      clock + 30_000,
    );
  });

  it("a member seen through friends coming online in a party is announced before the sweep of own reads", async () => {
    const a = await member(1);
    const b = await member(2);
    sim.befriend(a.accountId, b.accountId);
    const loner = await member(3);
    let answeredForLoner = () => 0;
    let atFirstSighting: number | null = null;
    const p = poller((u) => {
      if (atFirstSighting === null && u.live.length > 0) atFirstSighting = answeredForLoner();
    });
    await tick(p);
    await pollSoon(database, loner.discordUserId, new Date(clock + 30_000));
    sim.setPresence(a.accountId, { online: true });
    const session = sim.startParty(a.accountId, { joinability: "open" });
    // The loner's own presence read is slow; a's party must not wait for it.
    sim.fault("presence", { delayMs: 2_000 });
    // The simulator logs a request when it answers.
    answeredForLoner = () => sim.requests().filter((r) => r.accountId === loner.accountId).length;
    const reqs = await tick(p);
    expect(live()).toEqual([session]);
    expect(atFirstSighting).toBe(0);
    expect(ownReads(reqs)).toEqual([loner.accountId]);
  });

  it("a member who signs in to another PSN account is watched through the new account's friends from the next tick", async () => {
    const a = await member(1);
    const b = await member(2);
    const c = await member(3);
    sim.befriend(a.accountId, b.accountId);
    const p = poller();
    await tick(p);
    // a signs in again, to a new account that is c's friend and not b's.
    const next = sim.createAccount({ onlineId: "m1_new" });
    sim.befriend(next.accountId, c.accountId);
    await linkAccount(rig, next, a.discordUserId, new Date(clock));
    // The old account's friendships are gone at once, not left for the 6-hour refresh.
    expect(dbOf(database).select().from(friendEdges).all()).toEqual([]);
    const reqs = await tick(p);
    expect(reqs.filter((r) => r.endpoint === "friends").map((r) => r.accountId)).toEqual([next.accountId]);
    expect(new Set(batchReads(reqs).flatMap((r) => r.accountIds ?? []))).toEqual(
      new Set([next.accountId, c.accountId]),
    );
    expect(batchReads(reqs).flatMap((r) => r.accountIds ?? [])).not.toContain(b.accountId);
  });

  it("falls back to the member's own read: no linked friend, a private list, an account left out of the answer", async () => {
    const a = await member(1);
    const b = await member(2);
    const shy = await member(3);
    const alone = await member(4);
    const privateList = await member(5);
    sim.befriend(a.accountId, b.accountId);
    sim.befriend(a.accountId, shy.accountId);
    sim.setPresenceHidden(shy.accountId, true);
    sim.befriend(privateList.accountId, alone.accountId);
    sim.setFriendListPrivate(privateList.accountId, true);
    sim.setFriendListPrivate(alone.accountId, true);
    const p = poller();
    const first = await tick(p);
    expect(first.filter((r) => r.endpoint === "friends" && r.status === 403)).toHaveLength(2);
    // Both lists private: nobody knows they are friends, so neither is covered.
    expect((await loadFriendGraph(database)).friendsOf.has(alone.accountId)).toBe(false);

    // The lists are read first, so the same tick already reads by batch.
    const listed = batchReads(first).flatMap((r) => r.accountIds ?? []);
    expect(listed).toEqual(expect.arrayContaining([a.accountId, b.accountId, shy.accountId]));
    expect(listed).not.toContain(alone.accountId);
    // Left out of the answer: read with their own token in the same tick, and not listed again for a while.
    expect(ownReads(first)).toContain(shy.accountId);
    expect(ownReads(first)).not.toContain(a.accountId);
    expect((await findWatchedMember(database, shy.discordUserId))!.state.online).toBe(false);
    for (let i = 0; i < 4; i++) {
      const reqs = await tick(p);
      expect(batchReads(reqs).flatMap((r) => r.accountIds ?? [])).not.toContain(shy.accountId);
      // A private list counts as read: it is not asked for again every tick.
      expect(reqs.filter((r) => r.endpoint === "friends")).toEqual([]);
    }
    // An hour on, listed again: now visible, seen through the friend.
    sim.setPresenceHidden(shy.accountId, false);
    clock += 60 * 60_000;
    const back = await tick(p);
    expect(batchReads(back).flatMap((r) => r.accountIds ?? [])).toContain(shy.accountId);
    expect(ownReads(back)).not.toContain(shy.accountId);

    // The uncovered stay on their backoff, as before.
    sim.setPresence(alone.accountId, { online: true });
    const session = sim.startParty(alone.accountId, { joinability: "open" });
    for (let i = 0; i < 5 && !live().includes(session); i++) await tick(p);
    expect(live()).toContain(session);
  });

  it("a member a batch read left out goes back to their own backoff, not a read on the next tick", async () => {
    const a = await member(1);
    const b = await member(2);
    const shy = await member(3);
    // a's token covers everyone, so a reads shy's presence (and PSN leaves shy out).
    sim.befriend(a.accountId, b.accountId);
    sim.befriend(a.accountId, shy.accountId);
    sim.setPresenceHidden(shy.accountId, true);
    // The first tick falls on shy's phase in the offline cycle: their next own read is a
    // whole cycle (four ticks) away.
    const cycle = defaultScheduleOptions.maxOfflineBackoffMs;
    clock +=
      (((pollOffsetMs(shy.accountId, defaultScheduleOptions) - clock - 30_000) % cycle) + cycle) % cycle;
    const p = poller();
    const first = await tick(p);
    expect(batchReads(first).map((r) => r.accountId)).toEqual([a.accountId]);
    expect(ownReads(first)).toEqual([shy.accountId]);
    // Friends cannot see shy: they are not checked every tick like the members friends see.
    for (let i = 0; i < 3; i++) expect(ownReads(await tick(p))).toEqual([]);
    expect(ownReads(await tick(p))).toEqual([shy.accountId]);
  });

  it("a batch read PSN refuses (403) sends its members to their own reads", async () => {
    const a = await member(1);
    const b = await member(2);
    const c = await member(3);
    sim.befriend(a.accountId, b.accountId);
    sim.befriend(a.accountId, c.accountId);
    const p = poller();
    await tick(p);
    sim.fault("presences", { status: 403, times: 1 });
    const reqs = await tick(p);
    expect(batchReads(reqs).map((r) => r.status)).toEqual([403]);
    expect(ownReads(reqs).sort()).toEqual([a.accountId, b.accountId, c.accountId].sort());
    for (const m of [a, b, c])
      expect((await findWatchedMember(database, m.discordUserId))!.state.online).toBe(false);
    // The refusing token makes no batch read for a while; the others' still do.
    for (let i = 0; i < 3; i++) {
      const later = batchReads(await tick(p));
      expect(later.length).toBeGreaterThan(0);
      expect(later.map((r) => r.accountId)).not.toContain(a.accountId);
    }
    // An hour on, its token reads for its friends again.
    clock += 60 * 60_000;
    expect(batchReads(await tick(p)).map((r) => r.accountId)).toContain(a.accountId);
  });

  it("never reads for friends with the requests a member's budget keeps for their own reads", async () => {
    await rig.close();
    rig = await startPollerRig({ budget: { requests: 20 } });
    ({ sim, database } = rig);
    const hub = await member(1);
    const b = await member(2);
    const c = await member(3);
    // hub's token alone sees everyone: the best reader by far.
    sim.befriend(hub.accountId, b.accountId);
    sim.befriend(hub.accountId, c.accountId);
    const p = poller();
    expect(batchReads(await tick(p)).map((r) => r.accountId)).toEqual([hub.accountId]);
    // Down to the requests hub keeps for their own reads (their parties, when they go online).
    const reserve = defaultFriendOptions.reservePerAccount;
    const auth = staticToken(hub.accountId, rig.tokens.get(hub.accountId)!);
    while (rig.psn.remainingBudget(hub.accountId) > reserve) await rig.psn.getPresence(auth, "me");

    const reqs = await tick(p);
    expect(batchReads(reqs).map((r) => r.accountId)).not.toContain(hub.accountId);
    // Their friends read for them instead.
    expect(batchReads(reqs).flatMap((r) => r.accountIds ?? [])).toContain(hub.accountId);
    expect(rig.psn.remainingBudget(hub.accountId)).toBe(reserve);
  });

  it("believes a batch answer only about the accounts it listed", async () => {
    const a = await member(1);
    const b = await member(2);
    const loner = await member(3);
    sim.befriend(a.accountId, b.accountId);
    const p = poller();
    await tick(p);
    // An answer that also names a member nobody asked about, online: that member is still read with their own token.
    const offline = {
      availability: "unavailable",
      primaryPlatformInfo: { onlineStatus: "offline", platform: "PS5" },
    };
    const online = {
      availability: "availableToPlay",
      primaryPlatformInfo: { onlineStatus: "online", platform: "PS5" },
    };
    sim.fault("presences", {
      status: 200,
      body: {
        basicPresences: [
          { accountId: a.accountId, ...offline },
          { accountId: b.accountId, ...offline },
          { accountId: loner.accountId, ...online },
        ],
      },
      times: 1,
    });
    await pollSoon(database, loner.discordUserId, new Date(clock));
    const reqs = await tick(p);
    expect(batchReads(reqs).flatMap((r) => r.accountIds ?? [])).not.toContain(loner.accountId);
    expect(ownReads(reqs)).toContain(loner.accountId);
    expect((await findWatchedMember(database, loner.discordUserId))!.state.online).toBe(false);
  });

  it("reads a party once per tick: its other linked members find it already seen", async () => {
    const a = await member(1);
    const b = await member(2);
    const c = await member(3);
    sim.befriend(a.accountId, b.accountId);
    for (const m of [a, b, c]) sim.setPresence(m.accountId, { online: true });
    const session = sim.startParty(a.accountId, { joinability: "open" });
    sim.joinParty(session, b.accountId);
    sim.joinParty(session, c.accountId);
    const p = poller();
    await tick(p);
    await tick(p);
    const reqs = await tick(p);
    expect(reqs.filter((r) => r.endpoint === "parties")).toHaveLength(1);
    expect(live()).toEqual([session]);
    // Leaving shows at once: the member who left is not in the party read, so reads their own.
    sim.leaveParty(session, c.accountId);
    const after = await tick(p);
    expect(after.filter((r) => r.endpoint === "parties").map((r) => r.accountId)).toContain(c.accountId);
    expect(updates.at(-1)?.live[0]?.members.map((m) => m.accountId)).not.toContain(c.accountId);
  });

  it("never lists a member who is announced nowhere or must sign in again, though a friend could see them, nor reads with their token", async () => {
    const a = await member(1);
    const b = await member(2);
    const c = await member(3);
    const d = await member(4);
    const hidden = await member(5, { announced: false });
    const stale = await member(6);
    await markNeedsRelink(database, stale.accountId, new Date(clock));
    // Only the hidden or the stale member could read a and b together; c and d read each other.
    sim.befriend(c.accountId, d.accountId);
    for (const reader of [hidden, stale]) {
      sim.befriend(a.accountId, reader.accountId);
      sim.befriend(b.accountId, reader.accountId);
    }
    const p = poller();
    const all: ReturnType<PsnSim["requests"]> = [];
    for (let i = 0; i < 4; i++) all.push(...(await tick(p)));
    expect(batchReads(all).length).toBeGreaterThan(0);
    for (const m of [hidden, stale]) {
      expect(batchReads(all).flatMap((r) => r.accountIds ?? [])).not.toContain(m.accountId);
      expect(all.map((r) => r.accountId)).not.toContain(m.accountId);
    }
    expect(ownReads(all)).toEqual(expect.arrayContaining([a.accountId, b.accountId]));
  });
  it("never lists or reads a member opted in only where nothing announces them (no party channel, cards turned off), and takes them back when the channel is on", async () => {
    const a = await member(1);
    const b = await member(2);
    const noChannel = await member(3, { announced: false });
    const turnedOff = await member(4, { announced: false });
    // On a board server only, but boards may not list them (`/privacy board`).
    const offBoard = await member(7, { announced: false });
    // Announced still: a server paused for lost permissions (its admin means the channel to
    // work again), and one with a presence board but no party channel (the board shows them).
    const paused = await member(5, { announced: false });
    const boardOnly = await member(6, { announced: false });
    const servers = { noChannel: "410000000000000000", turnedOff: "420000000000000000" };
    const more = { paused: "430000000000000000", boardOnly: "440000000000000000" };
    await optIn(database, servers.noChannel, noChannel.discordUserId);
    await optIn(database, servers.turnedOff, turnedOff.discordUserId);
    await updateGuild(database, servers.turnedOff, { channelId: "420000000000000001", enabled: false });
    await optIn(database, more.paused, paused.discordUserId);
    await updateGuild(database, more.paused, {
      channelId: "430000000000000001",
      pausedReason: { code: "missingPermissions", channelId: "430000000000000001" },
    });
    await optIn(database, more.boardOnly, boardOnly.discordUserId);
    await updateGuild(database, more.boardOnly, { boardChannelId: "440000000000000001" });
    await optIn(database, more.boardOnly, offBoard.discordUserId);
    await setOnBoard(database, offBoard.discordUserId, false, new Date(clock));
    // Every one of them a friend of a and b, so any of them could be listed in (or read) a batch.
    const everyone = [a, b, noChannel, turnedOff, offBoard, paused, boardOnly];
    for (const x of everyone)
      for (const y of everyone) if (x.accountId < y.accountId) sim.befriend(x.accountId, y.accountId);
    const p = poller();
    const all: ReturnType<PsnSim["requests"]> = [];
    for (let i = 0; i < 4; i++) all.push(...(await tick(p)));
    const listed = new Set(batchReads(all).flatMap((r) => r.accountIds ?? []));
    for (const m of [noChannel, turnedOff, offBoard]) {
      expect(listed).not.toContain(m.accountId);
      // Nor read on their own, nor their token used for anything.
      expect(all.map((r) => r.accountId)).not.toContain(m.accountId);
    }
    for (const m of [a, b, paused, boardOnly]) expect(listed).toContain(m.accountId);

    // The channel set, cards on again: they are watched again, through their friends.
    await updateGuild(database, servers.noChannel, { channelId: "410000000000000001" });
    await updateGuild(database, servers.turnedOff, { enabled: true });
    const back: ReturnType<PsnSim["requests"]> = [];
    for (let i = 0; i < 2; i++) back.push(...(await tick(p)));
    const listedAgain = new Set(batchReads(back).flatMap((r) => r.accountIds ?? []));
    expect(listedAgain).toContain(noChannel.accountId);
    expect(listedAgain).toContain(turnedOff.accountId);
  });
});
