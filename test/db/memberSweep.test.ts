/**
 * The start-up sweep for members who left while the bot was down, over a real SQLite
 * file: it asks Discord only about the servers the bot is in, and touches no other
 * server's members, whatever an answer about that server would have said.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { dbOf, openStore, type Store } from "../../src/db/client.js";
import { listOptIns, optIn } from "../../src/db/guildMembers.js";
import { guilds, users } from "../../src/db/schema.js";
import { sweepDepartedMembers } from "../../src/jobs/memberLeft.js";
import { silentLogger } from "../../src/log.js";

describe("the start-up sweep of members who left", () => {
  let dir: string;
  let store: Store;
  const t0 = new Date("2026-03-01T20:00:00Z");

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "ppb-sweep-"));
    store = await openStore(join(dir, "bot.sqlite"));
    for (const guildId of ["in", "removed"]) dbOf(store).insert(guilds).values({ guildId }).run();
    for (const [i, id] of ["alice", "bob"].entries()) {
      dbOf(store)
        .insert(users)
        .values({
          discordUserId: id,
          psnAccountId: `100${i}`,
          psnOnlineId: `${id}_psn`,
          accessTokenEnc: "x",
          accessTokenExpiresAt: t0,
          refreshTokenEnc: "x",
          refreshTokenExpiresAt: t0,
          nextPollAt: t0,
        })
        .run();
      await optIn(store, "in", id);
      await optIn(store, "removed", id);
    }
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("opts members out only of the servers the bot is in, and asks Discord about no other", async () => {
    const asked: string[] = [];
    const ended: Array<[string, string | undefined]> = [];
    // Discord, asked about any server, says alice is gone and bob is still there.
    const stillMembers = async (guildId: string) => {
      asked.push(guildId);
      return new Set(["bob"]);
    };
    const left = await sweepDepartedMembers(
      {
        db: store,
        log: silentLogger(),
        cards: { endCardsOfUser: async (user, guildId) => void ended.push([user, guildId]) },
      },
      new Set(["in"]),
      stillMembers,
    );

    expect(left).toBe(1);
    expect(asked).toEqual(["in"]);
    expect(ended).toEqual([["alice", "in"]]);
    const optIns = (await listOptIns(store)).map((o) => `${o.guildId}/${o.discordUserId}`).sort();
    // The server the bot is no longer in keeps its rows: not the sweep's to judge.
    expect(optIns).toEqual(["in/bob", "removed/alice", "removed/bob"]);
  });
});
