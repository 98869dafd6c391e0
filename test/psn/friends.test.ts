/** The friends endpoint and batch presence, against the PSN simulator: what PSN shows and refuses. */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PsnForbiddenError, PsnUnavailableError } from "../../src/psn/errors.js";
import { type Harness, startHarness } from "./harness.js";

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

describe("friend lists", () => {
  it("reads every page of the member's own friend list", async () => {
    const many = Array.from(
      { length: 1_500 },
      (_, i) => h.sim.createAccount({ onlineId: `f${i}` }).accountId,
    );
    for (const id of many) h.sim.befriend(h.alice.accountId, id);
    const friends = await h.client.getFriends(h.auth);
    expect(new Set(friends)).toEqual(new Set([h.bob.accountId, ...many]));
    const calls = h.sim.requests().filter((r) => r.endpoint === "friends");
    expect(calls.map((c) => c.status)).toEqual([200, 200]);
  });

  it("answers 403 for a private friend list", async () => {
    h.sim.setFriendListPrivate(h.alice.accountId, true);
    await expect(h.client.getFriends(h.auth)).rejects.toBeInstanceOf(PsnForbiddenError);
  });

  it("asks once when the list read fails with a 5xx: the caller tries again on its backoff, minutes later", async () => {
    // The harness's client retries 5xx (3 attempts) for every other read.
    h.sim.fault("friends", { status: 503, times: Number.POSITIVE_INFINITY });
    await expect(h.client.getFriends(h.auth)).rejects.toBeInstanceOf(PsnUnavailableError);
    expect(h.sim.requests().filter((r) => r.endpoint === "friends")).toHaveLength(1);
  });

  it("forgets a friendship on either side", async () => {
    h.sim.unfriend(h.bob.accountId, h.alice.accountId);
    expect(await h.client.getFriends(h.auth)).toEqual([]);
  });
});

describe("batch presence", () => {
  it("answers only the caller and the friends it may see; the others are simply absent", async () => {
    const stranger = h.sim.createAccount({ onlineId: "stranger" });
    const shy = h.sim.createAccount({ onlineId: "shy" });
    h.sim.befriend(h.alice.accountId, shy.accountId);
    h.sim.setPresenceHidden(shy.accountId, true);
    h.sim.setPresence(h.bob.accountId, { online: true });
    h.sim.setPresence(stranger.accountId, { online: true });
    const got = await h.client.getPresences(h.auth, [
      h.alice.accountId,
      h.bob.accountId,
      stranger.accountId,
      shy.accountId,
    ]);
    expect(got.map((p) => [p.accountId, p.online]).sort()).toEqual(
      [
        [h.alice.accountId, false],
        [h.bob.accountId, true],
      ].sort(),
    );
    const call = h.sim.requests().find((r) => r.endpoint === "presences");
    expect(call?.accountIds).toHaveLength(4);
  });

  it("refuses one stranger's presence with 403", async () => {
    const stranger = h.sim.createAccount({ onlineId: "stranger" });
    await expect(h.client.getPresence(h.auth, stranger.accountId)).rejects.toBeInstanceOf(PsnForbiddenError);
  });

  it("refuses more than 100 ids in one read", async () => {
    const res = await fetch(
      `${h.sim.url}/api/userProfile/v2/internal/users/basicPresences?type=primary&accountIds=${Array.from({ length: 101 }, (_, i) => String(1000 + i)).join(",")}`,
      { headers: { authorization: `Bearer ${h.store.tokens.get(h.alice.accountId)!.accessToken}` } },
    );
    expect(res.status).toBe(400);
  });
});

describe("the simulator's faults for one account", () => {
  it("fails one account's friend-list reads and not another's, and expires one account's tokens", async () => {
    h.store.tokens.set(h.bob.accountId, await h.client.exchangeNpsso(h.bob.npsso));
    const bobAuth = h.tokens.provider(h.bob.accountId);
    h.sim.fault("friends", {
      status: 404,
      accountId: h.alice.accountId,
      times: Number.POSITIVE_INFINITY,
    });
    await expect(h.client.getFriends(h.auth)).rejects.toThrow();
    expect(await h.client.getFriends(bobAuth)).toEqual([h.alice.accountId]);
    await expect(h.client.getFriends(h.auth)).rejects.toThrow();
    const reads = h.sim.requests().filter((r) => r.endpoint === "friends");
    expect(reads.map((r) => [r.accountId === h.alice.accountId ? "alice" : "bob", r.status])).toEqual([
      ["alice", 404],
      ["bob", 200],
      ["alice", 404],
    ]);

    h.sim.clearFaults();
    h.sim.resetRequests();
    h.sim.expireAccessTokens(h.bob.accountId);
    await h.client.getFriends(h.auth);
    await h.client.getFriends(bobAuth);
    // Only Bob's token had expired: his read needed a refresh, Alice's did not.
    expect(h.sim.requests().map((r) => [r.endpoint, r.status])).toEqual([
      ["friends", 200],
      ["friends", 401],
      ["token", 200],
      ["friends", 200],
    ]);
  });
});
