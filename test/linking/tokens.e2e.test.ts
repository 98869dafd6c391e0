import { readFileSync } from "node:fs";
import { eq } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { linkButtonUrl } from "../../sim/botEnv.js";
import { sendRelinkReminders } from "../../src/accounts/relinkReminders.js";
import { decryptTokens } from "../../src/accounts/tokenCrypto.js";
import { dbOf } from "../../src/db/client.js";
import { users } from "../../src/db/schema.js";
import { findUser } from "../../src/db/users.js";
import { createVault, keyIdOf } from "../../src/vault.js";
import { eventually, startWorld, type World } from "../e2e/world.js";
import { capturingLogger } from "../support/capturingLogger.js";

let world: World | undefined;
afterEach(async () => {
  await world?.stop();
  world = undefined;
});

const vaultOf = (w: World) => createVault(w.config.encryption.key, w.config.encryption.oldKey);

async function storedTokens(w: World, discordUserId: string) {
  const user = await findUser(w.app.ctx.db, discordUserId);
  if (!user) throw new Error("not linked");
  return { user, tokens: decryptTokens(vaultOf(w), user.psnAccountId, user) };
}

describe("tokens at rest", () => {
  it("the database file and the logs hold neither token nor the NPSSO; refreshed tokens are stored encrypted", async () => {
    const logs = capturingLogger();
    world = await startWorld({ log: logs.log });
    const w = world;
    const linked = await w.linkMember(w.member, "Secret_Keeper");
    const first = await storedTokens(w, w.member.id);
    expect(first.user.accessTokenEnc.startsWith(`v1.${keyIdOf(w.config.encryption.key)}.`)).toBe(true);

    // PSN expires the access token early: the next call gets 401, refreshes once, retries.
    w.psn.expireAccessTokens();
    await w.slash(w.member, "me").response();
    const second = await storedTokens(w, w.member.id);
    expect(second.tokens.accessToken).not.toBe(first.tokens.accessToken);
    expect(second.user.accessTokenEnc).not.toContain(second.tokens.accessToken);
    expect(second.tokens.refreshToken).toBe(first.tokens.refreshToken);

    const secrets = [
      first.tokens.accessToken,
      second.tokens.accessToken,
      first.tokens.refreshToken,
      linked.npsso,
    ];
    await w.app.stop();
    const files = [w.config.databasePath, `${w.config.databasePath}-wal`].map((f) => {
      try {
        return readFileSync(f).toString("latin1");
      } catch {
        return "";
      }
    });
    const logText = logs.text();
    expect(logText).toContain("PSN account linked");
    for (const secret of secrets) {
      for (const bytes of files) expect(bytes.includes(secret)).toBe(false);
      expect(logText.includes(secret)).toBe(false);
    }
  });

  it("with short PSN token lifetimes the access token is refreshed ahead of expiry", async () => {
    world = await startWorld({ psn: { accessTokenTtlSec: 30 } });
    const w = world;
    await w.linkMember(w.member, "Short_Lived");
    const before = await storedTokens(w, w.member.id);
    // 30 s left is inside the TokenManager's 60 s margin: /me refreshes first.
    await w.slash(w.member, "me").response();
    const after = await storedTokens(w, w.member.id);
    expect(after.tokens.accessToken).not.toBe(before.tokens.accessToken);
    expect(after.user.accessTokenExpiresAt.getTime()).toBeGreaterThan(
      before.user.accessTokenExpiresAt.getTime(),
    );
  });

  it("a revoked refresh token: needs_relink, exactly one DM, polling paused; /link heals it", async () => {
    world = await startWorld();
    const w = world;
    const linked = await w.linkMember(w.member, "Revoked_One");
    const dmsBefore = w.discord.dmMessages(w.member.id).length;
    w.psn.revokeRefreshToken(linked.accountId);
    w.psn.expireAccessTokens();

    const me = await w.slash(w.member, "me").response();
    expect(me.embeds).toHaveLength(1);
    const notice = await w.discord.waitForDm(w.member.id, (m) => m.content.includes("no longer accepts"));
    expect(linkButtonUrl(notice.components)).toContain(`${w.webUrl}/link/`);
    expect((await findUser(w.app.ctx.db, w.member.id))?.linkState).toBe("needs_relink");

    // More calls (the poller, /me) do not send more DMs.
    await expect(w.app.ctx.tokens.accessToken(linked.accountId)).rejects.toThrow();
    const again = await w.slash(w.member, "me").response();
    expect(JSON.stringify(again.embeds)).toContain("Not watched until you sign in again");
    expect(w.discord.dmMessages(w.member.id).length).toBe(dmsBefore + 1);

    // Signing in again through the notice's link makes the link healthy.
    const page = await fetch(linkButtonUrl(notice.components), {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ npsso: linked.npsso }),
    });
    expect(await page.text()).toContain("Linked as Revoked_One");
    const user = await findUser(w.app.ctx.db, w.member.id);
    expect(user?.linkState).toBe("active");
    expect(user?.relinkNoticeSentAt).toBeNull();
  });

  it("reminds 7 days and 1 day before the refresh token expires, once each", async () => {
    world = await startWorld();
    const w = world;
    await w.linkMember(w.member, "Reminded");
    const deps = w.app.ctx.linking;
    const db = w.app.ctx.db;
    const setExpiry = (ms: number) =>
      dbOf(db)
        .update(users)
        .set({ refreshTokenExpiresAt: new Date(Date.now() + ms) })
        .where(eq(users.discordUserId, w.member.id))
        .run();

    expect(await sendRelinkReminders(deps)).toBe(0);
    setExpiry(6 * 86_400_000);
    expect(await sendRelinkReminders(deps)).toBe(1);
    expect(await sendRelinkReminders(deps)).toBe(0);
    const reminder = await w.discord.waitForDm(w.member.id, (m) =>
      m.content.includes("sign in again about every 60 days"),
    );
    expect(reminder.content).toContain("Reminded");

    setExpiry(12 * 3_600_000);
    expect(await sendRelinkReminders(deps)).toBe(1);
    expect(await sendRelinkReminders(deps)).toBe(0);
    expect((await findUser(db, w.member.id))?.relinkRemindersSent).toBe(2);

    // The "new link" button works whenever the member gets to it.
    const rows = reminder.components as Array<{ components: Array<{ custom_id?: string }> }>;
    const customId = rows.flatMap((r) => r.components).find((c) => c.custom_id)?.custom_id as string;
    const clicked = await w.discord
      .clickButton({ channelId: reminder.channelId, messageId: reminder.id, customId, userId: w.member.id })
      .response();
    expect(clicked.ephemeral).toBe(true);
    expect(linkButtonUrl(clicked.components)).toContain(`${w.webUrl}/link/`);
    await eventually(() => findUser(db, w.member.id), "the user row");
  });
});

describe("key rotation", () => {
  it("tokens written under the old key are read and re-encrypted under the new one", async () => {
    world = await startWorld();
    const w = world;
    await w.linkMember(w.member, "Rotated");
    const oldKey = w.config.encryption.key;
    const { randomBytes } = await import("node:crypto");
    const newKey = randomBytes(32);
    (w.config.encryption as { key: Buffer; oldKey: Buffer | null }).key = newKey;
    (w.config.encryption as { key: Buffer; oldKey: Buffer | null }).oldKey = oldKey;
    await w.restartApp();
    const before = await findUser(w.app.ctx.db, w.member.id);
    expect(before?.accessTokenEnc.startsWith(`v1.${keyIdOf(oldKey)}.`)).toBe(true);
    const me = await w.slash(w.member, "me").response();
    expect(JSON.stringify(me.embeds)).toContain("Offline");
    const after = await findUser(w.app.ctx.db, w.member.id);
    expect(after?.accessTokenEnc.startsWith(`v1.${keyIdOf(newKey)}.`)).toBe(true);
    expect(after?.refreshTokenEnc.startsWith(`v1.${keyIdOf(newKey)}.`)).toBe(true);
  });
});
