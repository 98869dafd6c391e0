import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { deleteInvitesOfUser, invitesOfSession, recordInvite } from "../../src/db/invites.js";
import { openStore, type Store } from "../../src/db/store.js";
import { upsertLinkedUser } from "../../src/db/users.js";

describe("deleteInvitesOfUser", () => {
  let dir: string;
  let database: Store;
  const now = new Date("2026-03-01T20:00:00Z");
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "ppb-invites-"));
    database = await openStore(join(dir, "bot.sqlite"));
    // The audit names linked members only (its foreign keys).
    for (const who of ["alice", "bob", "carol"]) await link(who);
  });
  afterEach(async () => {
    await database.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const link = (who: string) =>
    upsertLinkedUser(
      database,
      {
        discordUserId: who,
        psnAccountId: `acc-${who}`,
        psnOnlineId: `${who}_psn`,
        accessTokenEnc: "enc",
        accessTokenExpiresAt: now,
        refreshTokenEnc: "enc",
        refreshTokenExpiresAt: now,
      },
      now,
    );

  const invite = async (requesterUserId: string, senderUserId: string | null) =>
    await recordInvite(
      database,
      {
        guildId: "g1",
        sessionId: "s1",
        requesterUserId,
        requesterAccountId: `acc-${requesterUserId}`,
        senderUserId,
        outcome: "sent",
      },
      now,
    );

  it("deletes the requests the member asked or sent, and only those", async () => {
    await invite("alice", "bob");
    await invite("bob", "alice");
    await invite("alice", null);
    const kept = await invite("carol", "bob");
    expect(await deleteInvitesOfUser(database, "alice")).toBe(3);
    expect((await invitesOfSession(database, "s1")).map((i) => i.id)).toEqual([kept.id]);
    expect(await deleteInvitesOfUser(database, "alice")).toBe(0);
  });
});
