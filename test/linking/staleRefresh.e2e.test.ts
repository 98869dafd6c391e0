/**
 * A token refresh that started before the member signed in again belongs to the old
 * sign-in: whether PSN then refuses it or answers it, the new link stays active, keeps
 * its own tokens and its member gets no "sign in again" DM. The PSN simulator holds
 * the refresh in flight while the member re-links through the real flow.
 */
import { afterEach, describe, expect, it } from "vitest";
import { decryptTokens } from "../../src/accounts/tokenCrypto.js";
import { findUser } from "../../src/db/users.js";
import { createVault } from "../../src/vault.js";
import { startWorld, type World } from "../e2e/world.js";

let world: World | undefined;
afterEach(async () => {
  await world?.stop();
  world = undefined;
});

async function stored(w: World, discordUserId: string) {
  const user = await findUser(w.app.ctx.db, discordUserId);
  if (!user) throw new Error("not linked");
  const vault = createVault(w.config.encryption.key, w.config.encryption.oldKey);
  return { user, tokens: decryptTokens(vault, user.psnAccountId, user) };
}

const relinkNotices = (w: World, userId: string) =>
  w.discord.dmMessages(userId).filter((m) => m.content.includes("no longer accepts"));

describe("a refresh that started before a new sign-in", () => {
  it.each([
    { outcome: "refused", refuse: true },
    { outcome: "answered", refuse: false },
  ])("is $outcome by PSN: the new link stays active, keeps its tokens, no relink DM", async ({ refuse }) => {
    world = await startWorld({ app: { schedulePolls: false }, showParties: true });
    const w = world;
    const linked = await w.linkMember(w.member, "Twice_Signed");
    const first = await stored(w, w.member.id);

    // PSN ends the access token early: the next poll gets 401 and refreshes, held at PSN.
    w.psn.expireAccessTokens();
    const refresh = w.psn.hold("token");
    const tick = w.app.poller.tick();
    await refresh.arrived;

    // Meanwhile the member signs in again (after revoking the old sign-in, in the refused case).
    if (refuse) w.psn.revokeRefreshToken(linked.accountId);
    await w.signInAgain(linked);
    const second = await stored(w, w.member.id);
    expect(second.user.tokenGeneration).toBeGreaterThan(first.user.tokenGeneration);
    expect(second.tokens.refreshToken).not.toBe(first.tokens.refreshToken);

    refresh.release();
    const stats = await tick;

    const after = await stored(w, w.member.id);
    expect(after.user.linkState).toBe("active");
    expect(after.user.relinkNoticeSentAt).toBeNull();
    expect(after.tokens).toEqual(second.tokens);
    // The poll itself went through, on the new sign-in's token.
    expect(stats.failures).toBe(0);
    expect(relinkNotices(w, w.member.id)).toEqual([]);
    expect((await w.app.ctx.tokens.accessToken(linked.accountId)) === second.tokens.accessToken).toBe(true);
  });

  it("a refusal of the current sign-in still marks it and DMs once", async () => {
    world = await startWorld({ app: { schedulePolls: false }, showParties: true });
    const w = world;
    const linked = await w.linkMember(w.member, "Really_Revoked");
    w.psn.revokeRefreshToken(linked.accountId);
    w.psn.expireAccessTokens();
    await w.app.poller.tick();
    expect((await stored(w, w.member.id)).user.linkState).toBe("needs_relink");
    await w.discord.waitForDm(w.member.id, (m) => m.content.includes("no longer accepts"));
    await w.app.poller.tick();
    expect(relinkNotices(w, w.member.id)).toHaveLength(1);
  });
});
