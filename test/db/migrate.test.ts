import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import Database from "better-sqlite3";
import { drizzle } from "drizzle-orm/better-sqlite3";
import { migrate } from "drizzle-orm/better-sqlite3/migrator";
import { afterEach, describe, expect, it } from "vitest";
import { findBoard } from "../../src/db/boards.js";
import { MIGRATIONS_FOLDER, openStore, sqliteOf } from "../../src/db/client.js";
import { findGuild } from "../../src/db/guilds.js";

const dirs: string[] = [];
function tempFile(): string {
  const dir = mkdtempSync(join(tmpdir(), "ppb-db-"));
  dirs.push(dir);
  return join(dir, "nested", "bot.sqlite");
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** The store's raw connection, for what only SQLite shows (its catalog, pragmas). */
async function openRaw(path: string) {
  const store = await openStore(path);
  return { sqlite: sqliteOf(store), close: () => store.close() };
}

async function schemaOf(path: string): Promise<string> {
  const { sqlite, close } = await openRaw(path);
  const rows = sqlite
    .prepare("select type, name, sql from sqlite_master where name not like 'sqlite_%' order by name")
    .all() as { type: string; name: string; sql: string | null }[];
  const migrations = sqlite.prepare("select count(*) as n from __drizzle_migrations").get() as { n: number };
  await close();
  return JSON.stringify({ rows, migrations: migrations.n });
}

describe("database", () => {
  it("migrates an empty file, creating its directory, with every table of the design", async () => {
    const path = tempFile();
    const { sqlite, close } = await openRaw(path);
    const tables = (
      sqlite.prepare("select name from sqlite_master where type = 'table'").all() as { name: string }[]
    )
      .map((r) => r.name)
      .filter((n) => !n.startsWith("sqlite_") && !n.startsWith("__"))
      .sort();
    expect(tables).toEqual([
      "boards",
      "cards",
      "friend_edges",
      "guild_members",
      "guilds",
      "invites",
      "link_tokens",
      "meta",
      "psn_budget_pauses",
      "psn_budget_requests",
      "users",
    ]);
    expect(sqlite.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(sqlite.pragma("foreign_keys", { simple: true })).toBe(1);
    expect(sqlite.pragma("busy_timeout", { simple: true })).toBe(5000);
    await close();
  });

  it("changes nothing when migrated a second time", async () => {
    const path = tempFile();
    const first = await schemaOf(path);
    const second = await schemaOf(path);
    expect(second).toBe(first);
  });

  it("refuses a second open card for the same party in one server", async () => {
    const { sqlite, close } = await openRaw(tempFile());
    sqlite.prepare("insert into guilds (guild_id) values ('1')").run();
    const insert = sqlite.prepare(
      "insert into cards (guild_id, session_id, channel_id, nonce, state, party_json) values ('1', 's', 'c', ?, ?, '{}')",
    );
    insert.run("n1", "ended");
    insert.run("n2", "live");
    expect(() => insert.run("n3", "posting")).toThrow(/UNIQUE/);
    await close();
  });

  it("keeps the party cards written before the announcements table was renamed cards", async () => {
    const path = tempFile();
    migrateUpTo(path, "0001_watch_error_streak");
    const before = new Database(path);
    before.prepare("insert into guilds (guild_id) values ('1')").run();
    before
      .prepare(
        "insert into announcements (guild_id, session_id, channel_id, message_id, nonce, state, party_json) values ('1', 's', 'c', 'm', 'n', 'live', '{}')",
      )
      .run();
    before.close();

    const { sqlite, close } = await openRaw(path);
    const rows = sqlite.prepare("select guild_id, session_id, message_id, state from cards").all();
    const indexes = sqlite
      .prepare("select name from sqlite_master where type = 'index' and tbl_name = 'cards' order by name")
      .all();
    const old = sqlite.prepare("select name from sqlite_master where name like 'announcements%'").all();
    await close();
    expect(rows).toEqual([{ guild_id: "1", session_id: "s", message_id: "m", state: "live" }]);
    expect(indexes).toEqual([
      { name: "cards_delete_at" },
      { name: "cards_open_party" },
      { name: "cards_session" },
    ]);
    expect(old).toEqual([]);
  });

  it("turns the pause sentences older versions stored into codes, the channel kept", async () => {
    const path = tempFile();
    migrateUpTo(path, "0006_friend_edges");
    const before = new Database(path);
    const guild = before.prepare("insert into guilds (guild_id, paused_reason) values (?, ?)");
    guild.run("1", "Missing Access (50001): the bot cannot see <#111>");
    guild.run("2", "Missing Permissions (50013): the bot cannot post or edit in <#222>");
    guild.run("3", "Unknown Channel (10003): <#333> no longer exists");
    guild.run("4", "Missing Permissions (Read Message History): the bot cannot look for its cards in <#444>");
    guild.run("5", "the bot lost access to the channel");
    guild.run("6", null);
    before
      .prepare(
        "insert into boards (guild_id, channel_id, nonce, state, paused_reason) values (?, ?, ?, ?, ?)",
      )
      .run("1", "555", "n", "live", "Missing Access (50001): the bot cannot see <#555>");
    before.close();

    const db = await openStore(path);
    const reasons = await Promise.all(
      ["1", "2", "3", "4", "5", "6"].map(async (id) => (await findGuild(db, id))?.pausedReason),
    );
    const board = (await findBoard(db, "1"))?.pausedReason;
    await db.close();
    expect(reasons).toEqual([
      { code: "missingAccess", channelId: "111" },
      { code: "missingPermissions", channelId: "222" },
      { code: "channelGone", channelId: "333" },
      { code: "cannotReadHistory", channelId: "444" },
      // Not a sentence the bot wrote: still a pause, for a reason not known.
      { code: "unknown" },
      null,
    ]);
    expect(board).toEqual({ code: "missingAccess", channelId: "555" });
  });

  it("turns the invitation failure words older versions stored into codes", async () => {
    const path = tempFile();
    migrateUpTo(path, "0007_pause_reason_codes");
    const before = new Database(path);
    insertUser(before, "u", "a");
    const insert = before.prepare(
      "insert into invites (guild_id, session_id, requester_user_id, requester_account_id, outcome, detail) values ('g', 's', 'u', 'a', ?, ?)",
    );
    const stored = [
      "nobody can invite",
      "approval DM not delivered",
      "sender not linked",
      "rate limited by PSN",
      "PSN refused (not in the party any more?)",
      "PSN unavailable",
      "unexpected failure",
      null,
    ];
    for (const detail of stored) insert.run(detail === null ? "sent" : "failed", detail);
    before.close();

    const store = await openStore(path);
    const details = sqliteOf(store).prepare("select detail from invites order by id").all();
    await store.close();
    expect(details.map((r) => (r as { detail: string | null }).detail)).toEqual([
      "nobodyCanInvite",
      "approvalNotDelivered",
      "senderNotLinked",
      "rate_limited",
      "forbidden",
      "unavailable",
      "unexpected",
      null,
    ]);
  });

  it("deletes the friendships and invitations written for members no longer linked, and keeps the rest", async () => {
    const path = tempFile();
    migrateUpTo(path, "0008_invite_detail_codes");
    const before = new Database(path);
    insertUser(before, "u1", "a1");
    insertUser(before, "u2", "a2");
    // "gone"/"g0": a member whose unlink a late write outlived (the defect of issue 20).
    const edge = before.prepare("insert into friend_edges (account_id, friend_account_id) values (?, ?)");
    for (const [a, b] of [
      ["a1", "a2"],
      ["a2", "a1"],
      ["g0", "a1"],
      ["a2", "g0"],
    ])
      edge.run(a, b);
    const invite = before.prepare(
      "insert into invites (guild_id, session_id, requester_user_id, requester_account_id, sender_user_id, outcome) values ('g', ?, ?, 'x', ?, 'sent')",
    );
    for (const [session, requester, sender] of [
      ["kept", "u1", "u2"],
      ["kept-no-sender", "u2", null],
      ["gone-asker", "gone", "u1"],
      ["gone-sender", "u1", "gone"],
    ])
      invite.run(session, requester, sender);
    before.close();

    const store = await openStore(path);
    const sqlite = sqliteOf(store);
    const all = (q: string) => sqlite.prepare(q).raw().all();
    expect(all("select account_id, friend_account_id from friend_edges order by 1")).toEqual([
      ["a1", "a2"],
      ["a2", "a1"],
    ]);
    expect(all("select session_id from invites order by id")).toEqual([["kept"], ["kept-no-sender"]]);
    // And from now on the engine refuses them.
    expect(() => sqlite.prepare("insert into friend_edges values ('a1', 'g0')").run()).toThrow(/FOREIGN KEY/);
    expect(() =>
      sqlite
        .prepare(
          "insert into invites (guild_id, session_id, requester_user_id, requester_account_id, outcome) values ('g', 'late', 'gone', 'x', 'sent')",
        )
        .run(),
    ).toThrow(/FOREIGN KEY/);
    await store.close();
  });
});

/** A linked member as an older version stored one (only the columns without a default). */
function insertUser(db: Database.Database, discordUserId: string, accountId: string): void {
  db.prepare(
    `insert into users (discord_user_id, psn_account_id, psn_online_id, access_token_enc, access_token_expires_at,
      refresh_token_enc, refresh_token_expires_at) values (?, ?, ?, 'enc', 0, 'enc', 0)`,
  ).run(discordUserId, accountId, `${discordUserId}_psn`);
}

/** A database file migrated only up to (and including) the migration tagged `lastTag`. */
function migrateUpTo(path: string, lastTag: string): void {
  const folder = join(dirname(dirname(path)), "migrations");
  mkdirSync(join(folder, "meta"), { recursive: true });
  const journal = JSON.parse(readFileSync(join(MIGRATIONS_FOLDER, "meta", "_journal.json"), "utf8")) as {
    entries: { tag: string }[];
  };
  const upTo = journal.entries.findIndex((e) => e.tag === lastTag);
  expect(upTo).toBeGreaterThanOrEqual(0);
  journal.entries = journal.entries.slice(0, upTo + 1);
  writeFileSync(join(folder, "meta", "_journal.json"), JSON.stringify(journal));
  for (const { tag } of journal.entries)
    copyFileSync(join(MIGRATIONS_FOLDER, `${tag}.sql`), join(folder, `${tag}.sql`));
  mkdirSync(dirname(path), { recursive: true });
  const sqlite = new Database(path);
  migrate(drizzle(sqlite), { migrationsFolder: folder });
  sqlite.close();
}
