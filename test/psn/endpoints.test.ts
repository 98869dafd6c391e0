import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { getOwnAccountId } from "../../src/psn/auth.js";
import { PsnAuthError } from "../../src/psn/errors.js";
import { staticToken } from "../../src/psn/http.js";
import { type Harness, startHarness } from "./harness.js";

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

describe("sign-in", () => {
  it("turns an NPSSO into tokens whose JWT names the account", async () => {
    const tokens = await h.client.exchangeNpsso(h.bob.npsso);
    expect(tokens.accessToken.split(".")).toHaveLength(3);
    expect(tokens.accessTokenExpiresAt.getTime()).toBeGreaterThan(Date.now() + 3_500_000);
    expect(tokens.refreshTokenExpiresAt.getTime()).toBeGreaterThan(Date.now() + 59 * 86_400_000);
    expect(await h.client.accountIdOf(tokens)).toBe(h.bob.accountId);
    expect(h.sim.requests().map((r) => [r.endpoint, r.status])).toEqual([
      ["authorize", 302],
      ["token", 200],
    ]);
  });

  it("signs a member in with account id and profile", async () => {
    const signIn = await h.client.signInWithNpsso(h.bob.npsso);
    expect(signIn.accountId).toBe(h.bob.accountId);
    expect(signIn.profile.onlineId).toBe("bob_ps");
  });

  it("refuses an unknown NPSSO as invalid_npsso", async () => {
    const err = await h.client.exchangeNpsso("x".repeat(64)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PsnAuthError);
    expect((err as PsnAuthError).reason).toBe("invalid_npsso");
    expect((err as Error).message).not.toContain("x".repeat(64));
  });

  it("refuses a used authorization code as invalid_code", async () => {
    const location = new URL(h.client.authorizeUrl("state-1"));
    expect(location.searchParams.get("state")).toBe("state-1");
    expect(location.searchParams.get("client_id")).toBe(h.sim.clientId);
    const err = await h.client.exchangeCode("v3.nope00").catch((e: unknown) => e);
    expect((err as PsnAuthError).reason).toBe("invalid_code");
  });

  it("completes the browser redirect sign-in through the simulator's sign-in page", async () => {
    const start = await fetch(h.client.authorizeUrl("st4te"), { redirect: "manual" });
    expect(start.status).toBe(302);
    const signin = new URL(start.headers.get("location")!);
    expect(signin.pathname).toBe("/_sim/signin");
    signin.pathname = "/_sim/signin/approve";
    signin.searchParams.set("accountId", h.bob.accountId);
    const approved = await fetch(signin, { redirect: "manual" });
    const back = new URL(approved.headers.get("location")!);
    expect(back.searchParams.get("state")).toBe("st4te");
    const signIn = await h.client.signInWithCode(back.searchParams.get("code")!);
    expect(signIn.accountId).toBe(h.bob.accountId);
  });

  it("refreshes, keeping the same refresh token and its expiry", async () => {
    const before = h.store.tokens.get(h.alice.accountId)!;
    const after = await h.client.refresh(before.refreshToken);
    expect(after.refreshToken).toBe(before.refreshToken);
    expect(after.accessToken).not.toBe(before.accessToken);
    expect(
      Math.abs(after.refreshTokenExpiresAt.getTime() - before.refreshTokenExpiresAt.getTime()),
    ).toBeLessThan(2_000);
  });

  it("reads the own account id from the dms endpoint (the fallback of accountIdOf)", async () => {
    const tokens = h.store.tokens.get(h.alice.accountId)!;
    expect(await getOwnAccountId(h.client.http, staticToken("k", tokens.accessToken))).toBe(
      h.alice.accountId,
    );
  });
});

describe("profiles and presence", () => {
  it("reads a profile", async () => {
    const profile = await h.client.getProfile(h.auth, h.bob.accountId);
    expect(profile).toMatchObject({ accountId: h.bob.accountId, onlineId: "bob_ps" });
    expect(profile.avatarUrl).toMatch(/_l\.png$/);
  });

  it("reads own presence with the game and its status", async () => {
    h.sim.setPresence(h.alice.accountId, {
      online: true,
      platform: "PS5",
      game: { titleId: "PPSA03016_00", name: "Helldivers 2", iconUrl: "https://img/hd2.png" },
      status: "Defending Super Earth",
    });
    const presence = await h.client.getPresence(h.auth, "me");
    expect(presence).toMatchObject({
      accountId: h.alice.accountId,
      online: true,
      availability: "availableToPlay",
      platform: "PS5",
      game: {
        titleId: "PPSA03016_00",
        name: "Helldivers 2",
        iconUrl: "https://img/hd2.png",
        status: "Defending Super Earth",
      },
    });
    expect(presence.lastOnlineAt).toBeInstanceOf(Date);
  });

  it("reads an offline member without a game", async () => {
    const presence = await h.client.getPresence(h.auth, h.bob.accountId);
    expect(presence).toMatchObject({
      accountId: h.bob.accountId,
      online: false,
      availability: "unavailable",
      game: null,
    });
  });

  it("reads many presences in batches of at most 100", async () => {
    const extra = Array.from(
      { length: 150 },
      (_, i) => h.sim.createAccount({ onlineId: `user${i}` }).accountId,
    );
    for (const id of extra) h.sim.befriend(h.alice.accountId, id);
    h.sim.setPresence(extra[120]!, { online: true });
    const presences = await h.client.getPresences(h.auth, [h.bob.accountId, ...extra, "1234567890123456789"]);
    expect(presences).toHaveLength(151);
    expect(presences.find((p) => p.accountId === extra[120])?.online).toBe(true);
    const calls = h.sim.requests().filter((r) => r.endpoint === "presences");
    expect(calls).toHaveLength(2);
  });
});

describe("parties", () => {
  it("lists the parties the account is in, with joinability", async () => {
    const open = h.sim.startParty(h.bob.accountId, { joinability: "open", name: "Squad" });
    h.sim.joinParty(open, h.alice.accountId);
    const request = h.sim.startParty(h.alice.accountId, { joinability: "request" });
    h.sim.startParty(h.bob.accountId, { joinability: "invite" }); // alice is not in it
    const parties = await h.client.getParties(h.auth);
    expect(parties).toHaveLength(2);
    const squad = parties.find((p) => p.sessionId === open)!;
    expect(squad).toMatchObject({
      name: "Squad",
      owner: { accountId: h.bob.accountId, onlineId: "bob_ps", platform: "PS5" },
      maxMembers: 16,
      joinability: "open",
      visibility: "FRIENDS",
    });
    expect(squad.members.map((m) => m.onlineId)).toEqual(["bob_ps", "alice_ps"]);
    expect(parties.find((p) => p.sessionId === request)).toMatchObject({
      joinability: "request",
      name: null,
    });
  });

  it("sends an invitation from a member", async () => {
    const party = h.sim.startParty(h.alice.accountId, { joinability: "invite" });
    await h.client.sendInvitation(h.auth, party, h.bob.accountId);
    expect(h.sim.invitations(h.bob.accountId)).toEqual([
      { sessionId: party, from: h.alice.accountId, to: h.bob.accountId, at: expect.any(Date) },
    ]);
  });

  it("gives the share link of a party, null when it has none, and the public party info", async () => {
    const shared = h.sim.startParty(h.alice.accountId, { joinability: "open", maxMembers: 8 });
    const unshared = h.sim.startParty(h.alice.accountId, { joinability: "open", share: false });
    const link = await h.client.getShareLink(h.auth, shared);
    expect(link).toBe(h.sim.shareUrl(shared));
    expect(link).toMatch(/^https:\/\/party\.playstation\.com\/js_[\w-]+$/);
    expect(await h.client.getShareLink(h.auth, unshared)).toBeNull();

    const info = await h.client.getPartyInfo(link!.split("/").pop()!);
    expect(info).toMatchObject({
      sessionId: shared,
      isJoinable: true,
      maxMembers: 8,
      joinableFrom: ["PS4", "PS5", "MOBILE_APP"],
    });
    expect(info?.timeStarted).toBeInstanceOf(Date);
    expect(await h.client.getPartyInfo("js_doesNotExist000000")).toBeNull();
  });
});
