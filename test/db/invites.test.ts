import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type OpenDatabase, openDatabase } from "../../src/db/client.js";
import { deleteInvitesOfUser, invitesOfSession, recordInvite } from "../../src/db/invites.js";

describe("deleteInvitesOfUser", () => {
  let dir: string;
  let database: OpenDatabase;
  const now = new Date("2026-03-01T20:00:00Z");
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "ppb-invites-"));
    database = openDatabase(join(dir, "bot.sqlite"));
  });
  afterEach(() => {
    database.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const invite = (requesterUserId: string, senderUserId: string | null) =>
    recordInvite(
      database.db,
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

  it("deletes the requests the member asked or sent, and only those", () => {
    invite("alice", "bob");
    invite("bob", "alice");
    invite("alice", null);
    const kept = invite("carol", "bob");
    expect(deleteInvitesOfUser(database.db, "alice")).toBe(3);
    expect(invitesOfSession(database.db, "s1").map((i) => i.id)).toEqual([kept.id]);
    expect(deleteInvitesOfUser(database.db, "alice")).toBe(0);
  });
});
