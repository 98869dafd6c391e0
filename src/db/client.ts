/**
 * The SQLite store's insides: the connection, opening and checking it, and the one
 * place a transaction is opened. Only src/db imports this module (the layer rule
 * `no-database-outside-db`); everyone else holds a `Store` (./store.ts) and calls the
 * functions of src/db with it.
 */
import { existsSync, mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { type BetterSQLite3Database, drizzle } from "drizzle-orm/better-sqlite3";
import { migrate } from "drizzle-orm/better-sqlite3/migrator";
import * as schema from "./schema.js";

/**
 * What the rest of the bot holds of the database; everyone outside src/db imports it from
 * ./store.ts. The driver, the dialect and the drizzle handle stay behind it.
 */
export interface Store {
  /** Which engine answers. */
  readonly dialect: "sqlite";
  /** Whether the database answers a trivial query (the health check); never rejects. */
  ping(): Promise<boolean>;
  /** Closes the connection; the store is unusable after. */
  close(): Promise<void>;
}

/** The drizzle handle, or a transaction on it: what the queries of src/db run on. */
export type Db = BetterSQLite3Database<typeof schema>;

interface Connection {
  db: Db;
  /** The raw connection, for the few things drizzle does not cover (pragmas). */
  sqlite: Database.Database;
}

/**
 * Each store's connection, out of reach of anyone holding the store: only src/db
 * modules, through dbOf, get at the drizzle handle.
 */
const connections = new WeakMap<Store, Connection>();

function connectionOf(store: Store): Connection {
  const connection = connections.get(store);
  if (!connection) throw new Error("not a store opened by openStore, or one already closed");
  return connection;
}

/** The drizzle handle behind a store: for src/db modules (and tests of them) only. */
export function dbOf(store: Store): Db {
  return connectionOf(store).db;
}

/** The raw SQLite connection behind a store: for tests that look at what drizzle does not show (pragmas). */
export function sqliteOf(store: Store): Database.Database {
  return connectionOf(store).sqlite;
}

/**
 * Runs one unit of work in a transaction. The one place src/db opens one: SQLite's is
 * better-sqlite3's synchronous transaction (nothing else can run inside it, so `work`
 * is synchronous and takes no await), wrapped in a promise like every store call. A
 * driver with asynchronous transactions (PostgreSQL) swaps this function and its
 * callers' `work` becomes async.
 */
export async function inTransaction<T>(store: Store, work: (tx: Db) => T): Promise<T> {
  return dbOf(store).transaction((tx) => work(tx));
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
 * Rejects with DatabaseDamagedError for a damaged file.
 */
export async function openStore(path: string): Promise<Store> {
  if (path !== ":memory:") mkdirSync(dirname(resolve(path)), { recursive: true });
  const sqlite = new Database(path);
  let db: Db;
  try {
    sqlite.pragma("journal_mode = WAL");
    sqlite.pragma("foreign_keys = ON");
    sqlite.pragma("busy_timeout = 5000");
    sqlite.pragma("synchronous = NORMAL");
    // quick_check reads every page (b-tree structure, not index contents): well under a
    // second for 10,000 members, and it is the only way to learn of damage before a tick does.
    const problems = (sqlite.pragma("quick_check") as { quick_check: string }[]).map((r) => r.quick_check);
    if (problems.length !== 1 || problems[0] !== "ok") throw new DatabaseDamagedError(path, problems);
    db = drizzle(sqlite, { schema });
    migrate(db, { migrationsFolder: MIGRATIONS_FOLDER });
  } catch (err) {
    sqlite.close();
    if (isDamage(err)) throw new DatabaseDamagedError(path, [err.message]);
    throw err;
  }
  const store: Store = {
    dialect: "sqlite",
    async ping() {
      try {
        return sqlite.prepare("select 1 as ok").get() !== undefined;
      } catch {
        return false;
      }
    },
    async close() {
      connections.delete(store);
      sqlite.close();
    },
  };
  connections.set(store, { db, sqlite });
  return store;
}
