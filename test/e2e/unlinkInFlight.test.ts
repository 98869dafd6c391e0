/**
 * /unlink while a PSN read for the member is still in flight: what the read brings back
 * must not be stored for them, whether they stay unlinked or sign in again meanwhile.
 * The store refuses it (issue 20, defect 4); timing alone does not.
 */
import Database from "better-sqlite3";
import { afterEach, expect, it } from "vitest";
import { eventually, type LinkedMember, startWorld, type World } from "./world.js";

let world: World | undefined;
afterEach(async () => {
  await world?.stop();
  world = undefined;
});

/** Runs /unlink and clicks its confirmation, as the member. */
async function unlink(w: World, user: World["member"]): Promise<void> {
  const ask = await w.slash(user, "unlink").response();
  const rows = ask.components as Array<{ components: Array<{ custom_id?: string; label?: string }> }>;
  const confirm = rows.flatMap((r) => r.components).find((b) => b.label === "Unlink")?.custom_id as string;
  const done = await w.discord
    .clickButton({
      channelId: ask.channelId,
      messageId: ask.messageId,
      customId: confirm,
      userId: user.id,
      guildId: w.guild.id,
    })
    .response();
  expect(done.content).toContain("Unlinked");
}

/** Every row of every table of the bot's database file that names `needle`, by table. */
function rowsNaming(path: string, needle: string): Record<string, unknown[]> {
  const db = new Database(path, { readonly: true });
  try {
    const tables = db
      .prepare(
        "select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like '__drizzle%'",
      )
      .all() as Array<{ name: string }>;
    const found: Record<string, unknown[]> = {};
    for (const { name } of tables) {
      const rows = (db.prepare(`select * from "${name}"`).all() as unknown[]).filter((r) =>
        JSON.stringify(r).includes(needle),
      );
      if (rows.length > 0) found[name] = rows;
    }
    return found;
  } finally {
    db.close();
  }
}

/**
 * A world where `friend` is linked and their friend list already read, then `member`
 * linked and befriended: the next tick reads the member's list only.
 */
async function worldWithFriends(): Promise<{ w: World; member: LinkedMember; friend: LinkedMember }> {
  world = await startWorld({ app: { schedulePolls: false }, showParties: true });
  const w = world;
  const friend = await w.linkMember(w.admin, "Stays_Linked");
  await w.app.poller.tick();
  const member = await w.linkMember(w.member, "Leaves_Mid_Read");
  w.psn.befriend(member.accountId, friend.accountId);
  return { w, member, friend };
}

it("a friend list read in flight when the member unlinks stores nothing for them", async () => {
  const { w, member } = await worldWithFriends();
  const held = w.psn.hold("friends");
  const tick = w.app.poller.tick();
  await held.arrived;
  await unlink(w, w.member);
  held.release();
  await tick;
  // The budget's ledger is left out: a grant the tick made for the member after the
  // unlink counts PSN's requests, and is forgotten with its window (see psn_budget_requests).
  const { psn_budget_requests: _ledger, ...rest } = rowsNaming(w.config.databasePath, member.accountId);
  expect(rest).toEqual({});
  expect(rowsNaming(w.config.databasePath, w.member.id)).toEqual({});
});

it("a friend list read from before an unlink is not stored into the member's new link to the same account", async () => {
  const { w, member, friend } = await worldWithFriends();
  const held = w.psn.hold("friends");
  const tick = w.app.poller.tick();
  await held.arrived;
  await unlink(w, w.member);
  await w.signInAgain(member);
  held.release();
  await tick;
  // The new link's list is unread: no friendship from the old read, and still due a read.
  const rows = rowsNaming(w.config.databasePath, member.accountId);
  expect(rows.friend_edges ?? []).toEqual([]);
  expect(rows.users).toEqual([
    expect.objectContaining({ psn_account_id: member.accountId, friends_read_at: null }),
  ]);
  // The next tick reads it for the new link.
  await w.app.poller.tick();
  await eventually(
    () => (rowsNaming(w.config.databasePath, member.accountId).friend_edges ?? []).length > 0,
    "the new link's friend list stored",
  );
  expect(rowsNaming(w.config.databasePath, member.accountId).friend_edges).toEqual(
    expect.arrayContaining([{ account_id: member.accountId, friend_account_id: friend.accountId }]),
  );
});
