/**
 * A stored token that no longer decrypts (a damaged or half-written value, the key
 * unchanged) is a link that needs a new sign-in, as a refused refresh is: the member
 * is told once, the log names the member and never the value, and /metrics counts it.
 * Before, the member stayed active and every poll failed and backed off, untold.
 */
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { decryptTokens } from "../../src/accounts/tokenCrypto.js";
import { findUser } from "../../src/db/users.js";
import { createVault } from "../../src/vault.js";
import { type MirrorWorld, startMirrorWorld } from "../mirror/harness.js";
import { capturingLogger } from "../support/capturingLogger.js";
import { scrape, seriesValue } from "../support/prometheus.js";

let m: MirrorWorld | undefined;
afterEach(async () => {
  await m?.stop();
  m = undefined;
});

type Damage = (stored: string) => string;
/** One byte of the ciphertext part flipped: the value parses, and fails authentication. */
const flipAByte: Damage = (stored) => {
  const parts = stored.split(".");
  const data = Buffer.from(parts[4] as string, "base64url");
  data[0] = (data[0] as number) ^ 0x01;
  parts[4] = data.toString("base64url");
  return parts.join(".");
};
/** A write cut short: half the value. */
const halfWritten: Damage = (stored) => stored.slice(0, Math.floor(stored.length / 2));

describe("a stored PSN token that no longer decrypts", () => {
  it.each([
    ["access token, one byte flipped", "access_token_enc", flipAByte],
    ["refresh token, half written", "refresh_token_enc", halfWritten],
  ] as const)(
    "%s: needs re-link, one DM, a log line naming the member, counted in /metrics",
    async (_name, column, damage) => {
      const logs = capturingLogger();
      m = await startMirrorWorld({ log: logs.log });
      const w = m.world;
      const alice = await m.linkedMember("alice", "Damaged_Value");
      const stats = await m.tick();
      expect(stats.failures).toBe(0);

      const vault = createVault(w.config.encryption.key, w.config.encryption.oldKey);
      const stored = await findUser(w.app.ctx.db, alice.user.id);
      if (!stored) throw new Error("alice is not linked");
      const tokens = decryptTokens(vault, alice.accountId, stored);
      const dmsBefore = w.discord.dmMessages(alice.user.id).length;

      // Damaged in the real database file, behind the bot's back.
      const file = new Database(w.config.databasePath);
      let damaged: string;
      try {
        const row = file
          .prepare(`select ${column} as value from users where discord_user_id = ?`)
          .get(alice.user.id) as { value: string };
        damaged = damage(row.value);
        file.prepare(`update users set ${column} = ? where discord_user_id = ?`).run(damaged, alice.user.id);
      } finally {
        file.close();
      }

      const before = await scrape(w.app.metricsUrl);
      await m.tick();
      expect((await findUser(w.app.ctx.db, alice.user.id))?.linkState).toBe("needs_relink");
      const notice = await w.discord.waitForDm(alice.user.id, (d) => d.content.includes("no longer accepts"));
      expect(notice.content).toContain("Damaged_Value");

      // More polls and calls send no more DMs.
      await m.tick();
      await expect(w.app.ctx.tokens.accessToken(alice.accountId)).rejects.toThrow();
      await m.tick();
      expect(w.discord.dmMessages(alice.user.id).length).toBe(dmsBefore + 1);

      const after = await scrape(w.app.metricsUrl);
      expect(
        seriesValue(after, "ppb_psn_tokens_undecryptable_total") -
          seriesValue(before, "ppb_psn_tokens_undecryptable_total"),
      ).toBe(1);
      expect(seriesValue(after, "ppb_members", { link_state: "needs_relink" })).toBe(1);

      const text = logs.text();
      const line = text.split("\n").find((l) => l.includes("no longer decrypt") && l.includes(alice.user.id));
      expect(line, "a log line naming the member").toBeDefined();
      for (const secret of [
        damaged,
        stored.accessTokenEnc,
        stored.refreshTokenEnc,
        tokens.accessToken,
        tokens.refreshToken,
      ])
        expect(text).not.toContain(secret);
    },
  );
});
