import { existsSync, mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { type BetterSQLite3Database, drizzle } from "drizzle-orm/better-sqlite3";
import { migrate } from "drizzle-orm/better-sqlite3/migrator";
import * as schema from "./schema.js";

export type Db = BetterSQLite3Database<typeof schema>;

export interface OpenDatabase {
  db: Db;
  /** The raw connection, for the few things drizzle does not cover (pragmas, backup). */
  sqlite: Database.Database;
  close(): void;
}

/**
 * The project's migrations/ folder, found by walking up from this module: the same
 * code runs from src/ (tsx), dist/ (npm start) and the benchmark's build folder.
 */
function findMigrationsFolder(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, "migrations");
    if (existsSync(join(candidate, "meta", "_journal.json"))) return candidate;
    if (dirname(dir) === dir) throw new Error(`no migrations/ folder above ${from}`);
  }
}

export const MIGRATIONS_FOLDER = findMigrationsFolder(dirname(fileURLToPath(import.meta.url)));

/**
 * The database file is damaged (a page overwritten, a truncated copy): the bot refuses
 * to start on it, as every tick would fail on it while the bot looked healthy.
 */
export class DatabaseDamagedError extends Error {
  /** SQLite's code for it, carried into the fatal log line. */
  readonly code = "SQLITE_CORRUPT";
  readonly path: string;
  /** What SQLite's integrity check (or the open) reported, first problems first. */
  readonly problems: readonly string[];

  constructor(path: string, problems: readonly string[]) {
    const shown = problems.slice(0, 3).join("; ");
    const more = problems.length > 3 ? ` (and ${problems.length - 3} more)` : "";
    super(
      `The database file at DATABASE_PATH (${path}) is damaged: ${shown}${more}. The bot will not start on it. ` +
        `Stop the bot, set the file aside, and restore your latest backup to ${path} (remove any ${path}-wal and ` +
        `${path}-shm left beside it first). Without a backup, recover what is readable: ` +
        `sqlite3 ${path} ".recover" | sqlite3 recovered.sqlite, then point DATABASE_PATH at recovered.sqlite.`,
    );
    this.name = "DatabaseDamagedError";
    this.path = path;
    this.problems = problems;
  }
}

/**
 * SQLite's own words for a damaged file: a malformed page. A file that is not SQLite's
 * at all (SQLITE_NOTADB) is more often a DATABASE_PATH pointing at the wrong file, and
 * is explained as that by the start-up diagnostics.
 */
function isDamage(err: unknown): err is InstanceType<typeof Database.SqliteError> {
  return err instanceof Database.SqliteError && err.code.startsWith("SQLITE_CORRUPT");
}

/**
 * Opens (creating if needed) the SQLite file, checks it is intact and brings its
 * schema up to date. WAL lets the web server read while the poller writes; the busy
 * timeout rides out the short write locks instead of failing with SQLITE_BUSY.
 * Throws DatabaseDamagedError for a damaged file.
 */
export function openDatabase(path: string): OpenDatabase {
  if (path !== ":memory:") mkdirSync(dirname(resolve(path)), { recursive: true });
  const sqlite = new Database(path);
  try {
    sqlite.pragma("journal_mode = WAL");
    sqlite.pragma("foreign_keys = ON");
    sqlite.pragma("busy_timeout = 5000");
    sqlite.pragma("synchronous = NORMAL");
    // quick_check reads every page (b-tree structure, not index contents): well under a
    // second for 10,000 members, and it is the only way to learn of damage before a tick does.
    const problems = (sqlite.pragma("quick_check") as { quick_check: string }[]).map((r) => r.quick_check);
    if (problems.length !== 1 || problems[0] !== "ok") throw new DatabaseDamagedError(path, problems);
    const db = drizzle(sqlite, { schema });
    migrate(db, { migrationsFolder: MIGRATIONS_FOLDER });
    return { db, sqlite, close: () => sqlite.close() };
  } catch (err) {
    sqlite.close();
    if (isDamage(err)) throw new DatabaseDamagedError(path, [err.message]);
    throw err;
  }
}
