import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/db/client.js";

const dirs: string[] = [];
function tempFile(): string {
  const dir = mkdtempSync(join(tmpdir(), "ppb-db-"));
  dirs.push(dir);
  return join(dir, "nested", "bot.sqlite");
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function schemaOf(path: string): string {
  const { sqlite, close } = openDatabase(path);
  const rows = sqlite
    .prepare("select type, name, sql from sqlite_master where name not like 'sqlite_%' order by name")
    .all() as { type: string; name: string; sql: string | null }[];
  const migrations = sqlite.prepare("select count(*) as n from __drizzle_migrations").get() as { n: number };
  close();
  return JSON.stringify({ rows, migrations: migrations.n });
}

describe("database", () => {
  it("migrates an empty file, creating its directory, with every table of the design", () => {
    const path = tempFile();
    const { sqlite, close } = openDatabase(path);
    const tables = (
      sqlite.prepare("select name from sqlite_master where type = 'table'").all() as { name: string }[]
    )
      .map((r) => r.name)
      .filter((n) => !n.startsWith("sqlite_") && !n.startsWith("__"))
      .sort();
    expect(tables).toEqual([
      "announcements",
      "guild_members",
      "guilds",
      "invites",
      "link_tokens",
      "meta",
      "users",
    ]);
    expect(sqlite.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(sqlite.pragma("foreign_keys", { simple: true })).toBe(1);
    expect(sqlite.pragma("busy_timeout", { simple: true })).toBe(5000);
    close();
  });

  it("changes nothing when migrated a second time", () => {
    const path = tempFile();
    const first = schemaOf(path);
    const second = schemaOf(path);
    expect(second).toBe(first);
  });

  it("refuses a second open card for the same party in one server", () => {
    const { sqlite, close } = openDatabase(tempFile());
    sqlite.prepare("insert into guilds (guild_id) values ('1')").run();
    const insert = sqlite.prepare(
      "insert into announcements (guild_id, session_id, channel_id, nonce, state, party_json) values ('1', 's', 'c', ?, ?, '{}')",
    );
    insert.run("n1", "ended");
    insert.run("n2", "live");
    expect(() => insert.run("n3", "posting")).toThrow(/UNIQUE/);
    close();
  });
});
