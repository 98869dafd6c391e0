/**
 * The poller's memory per linked member, kept on the users row so a restart keeps
 * each member's backoff and phase. Only the watch-state columns are written here;
 * link state and tokens belong to the linking code.
 */
import { and, count, eq, gt, inArray, isNull, lte, or, sql } from "drizzle-orm";
import { gameFromJson, gameToJson } from "../domain/storedParty.js";
import type { WatchState } from "../domain/watch.js";
import type { GameTitle } from "../psn/types.js";
import { announcedSomewhere } from "./announced.js";
import { type Db, dbOf, inTransaction, type Store } from "./client.js";
import { guildMembers, users } from "./schema.js";

export interface WatchedMember {
  discordUserId: string;
  accountId: string;
  onlineId: string;
  state: WatchState;
  /** The game of the last presence read, shown on the cards of parties this member hosts. */
  game: GameTitle | null;
  platform: string | null;
}

const selection = (db: Db) => ({
  discordUserId: users.discordUserId,
  accountId: users.psnAccountId,
  onlineId: users.psnOnlineId,
  linkState: users.linkState,
  online: users.online,
  offlineStreak: users.offlineStreak,
  errorStreak: users.errorStreak,
  nextPollAt: users.nextPollAt,
  lastPresenceAt: users.lastPresenceAt,
  lastPartiesAt: users.lastPartiesAt,
  inParty: users.inParty,
  recheckPresence: users.recheckPresence,
  gameJson: users.gameJson,
  platform: users.platform,
  announcedSomewhere: announcedSomewhere(db).mapWith(Boolean),
});

/** A row of `selection`: the watch-state columns, with the account columns under shorter names. */
type Selected = Pick<
  typeof users.$inferSelect,
  | "discordUserId"
  | "linkState"
  | "online"
  | "offlineStreak"
  | "errorStreak"
  | "nextPollAt"
  | "lastPresenceAt"
  | "lastPartiesAt"
  | "inParty"
  | "recheckPresence"
  | "gameJson"
  | "platform"
> & { accountId: string; onlineId: string; announcedSomewhere: boolean };

function toMember(r: Selected): WatchedMember {
  return {
    discordUserId: r.discordUserId,
    accountId: r.accountId,
    onlineId: r.onlineId,
    game: gameFromJson(r.gameJson),
    platform: r.platform,
    state: {
      accountId: r.accountId,
      online: r.online,
      offlineStreak: r.offlineStreak,
      errorStreak: r.errorStreak,
      nextPollAt: r.nextPollAt,
      lastPresenceAt: r.lastPresenceAt,
      lastPartiesAt: r.lastPartiesAt,
      inParty: r.inParty,
      recheckPresence: r.recheckPresence,
      needsRelink: r.linkState === "needs_relink",
      announcedSomewhere: Boolean(r.announcedSomewhere),
    },
  };
}

/**
 * Members the poller may have to poll at `until`: linked, active, announced in some
 * server and due by then. The schedule's planPoll makes the final call; this only
 * keeps the other thousands of rows out of memory.
 */
export async function findDueMembers(store: Store, until: Date): Promise<WatchedMember[]> {
  const db = dbOf(store);
  return preparedOnce(db, dueStatements, prepareDue)
    .all({ until: until.getTime() })
    .map((r) => toMember(r as Selected));
}

/** Every tick asks it: prepared once per connection. */
function prepareDue(db: Db) {
  return db
    .select(selection(db))
    .from(users)
    .where(
      and(
        eq(users.linkState, "active"),
        lte(users.nextPollAt, sql.placeholder("until")),
        announcedSomewhere(db),
      ),
    )
    .prepare();
}
const dueStatements = new WeakMap<Db, ReturnType<typeof prepareDue>>();

/** How many members findDueMembers would return for `until`, without loading them (the health check). */
export async function countDueMembers(store: Store, until: Date): Promise<number> {
  const db = dbOf(store);
  const row = db
    .select({ n: count() })
    .from(users)
    .where(and(eq(users.linkState, "active"), lte(users.nextPollAt, until), announcedSomewhere(db)))
    .get();
  return row?.n ?? 0;
}

export async function findWatchedMember(
  store: Store,
  discordUserId: string,
): Promise<WatchedMember | undefined> {
  const db = dbOf(store);
  const row = db.select(selection(db)).from(users).where(eq(users.discordUserId, discordUserId)).get();
  return row ? toMember(row as Selected) : undefined;
}

export interface PresenceFacts {
  game: GameTitle | null;
  platform: string | null;
}

/** Stores what the schedule decided (and, after a presence read, the game shown on cards). */
export async function saveWatchState(
  store: Store,
  discordUserId: string,
  state: WatchState,
  now: Date,
  presence?: PresenceFacts,
): Promise<void> {
  saveWatchStateIn(dbOf(store), { discordUserId, state, now, ...(presence ? { presence } : {}) });
}

/** One member's save in saveWatchStates. */
export interface WatchStateSave {
  discordUserId: string;
  state: WatchState;
  now: Date;
  presence?: PresenceFacts;
}

/**
 * The poller's saves of a pass, thousands a tick: in one transaction, not one each (a
 * commit per member is most of the cost). All or none: a failure rolls the batch back.
 */
export async function saveWatchStates(store: Store, saves: readonly WatchStateSave[]): Promise<void> {
  if (saves.length === 0) return;
  const db = dbOf(store);
  // Through the connection's prepared statement, not `tx` (a new object each transaction,
  // which would prepare the statement again): SQLite runs it inside the transaction all the same.
  await inTransaction(store, () => {
    for (const save of saves) saveWatchStateIn(db, save);
  });
}

function saveWatchStateIn(db: Db, { discordUserId, state, now, presence }: WatchStateSave): void {
  const bool = (b: boolean | null) => (b === null ? null : b ? 1 : 0);
  const ms = (d: Date | null) => d?.getTime() ?? null;
  preparedOnce(db, savingStatements, prepareSave).run({
    id: discordUserId,
    account: state.accountId,
    online: bool(state.online),
    offlineStreak: state.offlineStreak,
    errorStreak: state.errorStreak,
    nextPollAt: state.nextPollAt.getTime(),
    lastPresenceAt: ms(state.lastPresenceAt),
    lastPartiesAt: ms(state.lastPartiesAt),
    inParty: bool(state.inParty),
    recheckPresence: bool(state.recheckPresence),
    hasPresence: presence ? 1 : 0,
    gameJson: presence?.game ? gameToJson(presence.game) : null,
    gameName: presence?.game?.name ?? null,
    platform: presence?.platform ?? null,
    needsRelink: bool(state.needsRelink),
    now: now.getTime(),
  });
}

/**
 * The poller saves thousands of states a tick: one statement prepared per connection,
 * not a query built for each (which cost most of a tick's memory). Values arrive as
 * SQLite stores them (0/1, epoch ms), and what a save leaves alone is a CASE on a flag.
 *
 * The presence board's "since": set when the member comes online or changes game (by
 * name: a game's rich-presence text changes too often to count), cleared offline, kept
 * when the read said nothing new. SQLite evaluates SET against the row before the update.
 */
function prepareSave(db: Db) {
  const p = (name: string) => sql.placeholder(name);
  const hasPresence = sql`${p("hasPresence")} = 1`;
  return (
    db
      .update(users)
      .set({
        online: sql`${p("online")}`,
        offlineStreak: sql`${p("offlineStreak")}`,
        errorStreak: sql`${p("errorStreak")}`,
        nextPollAt: sql`${p("nextPollAt")}`,
        lastPresenceAt: sql`${p("lastPresenceAt")}`,
        lastPartiesAt: sql`${p("lastPartiesAt")}`,
        inParty: sql`${p("inParty")}`,
        recheckPresence: sql`${p("recheckPresence")}`,
        gameJson: sql`case when ${hasPresence} then ${p("gameJson")} else ${users.gameJson} end`,
        platform: sql`case when ${hasPresence} then ${p("platform")} else ${users.platform} end`,
        presenceSince: sql`case
        when ${p("online")} = 0 then null
        when ${p("online")} = 1 and ${hasPresence}
          and (${users.presenceSince} is null or json_extract(${users.gameJson}, '$.name') is not ${p("gameName")})
          then ${p("now")}
        else ${users.presenceSince} end`,
        // Only ever set here: a link that needs renewing is renewed by signing in again.
        linkState: sql`case when ${p("needsRelink")} = 1 then 'needs_relink' else ${users.linkState} end`,
        updatedAt: sql`${p("now")}`,
      })
      // The account the state was read for: a member who signed in to another account while
      // the read was out gets the new account's own state, not the old one's.
      .where(
        and(
          eq(users.discordUserId, sql.placeholder("id")),
          eq(users.psnAccountId, sql.placeholder("account")),
        ),
      )
      .prepare()
  );
}

const savingStatements = new WeakMap<Db, ReturnType<typeof prepareSave>>();

function preparedOnce<T>(db: Db, cache: WeakMap<Db, T>, prepare: (db: Db) => T): T {
  let statement = cache.get(db);
  if (statement === undefined) {
    statement = prepare(db);
    cache.set(db, statement);
  }
  return statement;
}

/** Puts a member at the front of the queue (just linked, just opted in). */
export async function pollSoon(store: Store, discordUserId: string, at: Date): Promise<void> {
  const db = dbOf(store);
  db.update(users).set({ nextPollAt: at }).where(eq(users.discordUserId, discordUserId)).run();
}

/**
 * Members just come into friends' view (a restart, a new friendship): those offline or
 * never seen and waiting out the offline backoff are due now, as they are every tick from
 * here on. Not those backing off after failed reads. Returns how many moved.
 */
export async function pollWaitingOfflineNow(
  store: Store,
  accountIds: readonly string[],
  now: Date,
): Promise<number> {
  let moved = 0;
  await inTransaction(store, (tx) => {
    for (let i = 0; i < accountIds.length; i += 500)
      moved += tx
        .update(users)
        .set({ nextPollAt: now })
        .where(
          and(
            inArray(users.psnAccountId, accountIds.slice(i, i + 500)),
            or(isNull(users.online), eq(users.online, false)),
            eq(users.errorStreak, 0),
            gt(users.nextPollAt, now),
          ),
        )
        .run().changes;
  });
  return moved;
}

/** PSN account id → Discord user id, for every linked member. */
export async function linkedAccountsOf(
  store: Store,
  accountIds: readonly string[],
): Promise<Map<string, string>> {
  const db = dbOf(store);
  if (accountIds.length === 0) return new Map();
  const rows = db
    .select({ accountId: users.psnAccountId, discordUserId: users.discordUserId })
    .from(users)
    .where(inArray(users.psnAccountId, [...accountIds]))
    .all();
  return new Map(rows.map((r) => [r.accountId, r.discordUserId]));
}

/**
 * Of these accounts, those the poller can still read: linked, active and announced in some
 * server (findDueMembers' rule, without the time). A party none of whose linked members is
 * here cannot be observed.
 */
export async function readableAccountsOf(store: Store, accountIds: readonly string[]): Promise<Set<string>> {
  const db = dbOf(store);
  if (accountIds.length === 0) return new Set();
  const rows = db
    .select({ accountId: users.psnAccountId })
    .from(users)
    .where(
      and(
        inArray(users.psnAccountId, [...accountIds]),
        eq(users.linkState, "active"),
        announcedSomewhere(db),
      ),
    )
    .all();
  return new Set(rows.map((r) => r.accountId));
}

/** Discord user id → the servers that announce them. */
export async function announcingGuildsOf(
  store: Store,
  discordUserIds: readonly string[],
): Promise<Map<string, string[]>> {
  const db = dbOf(store);
  const out = new Map<string, string[]>();
  if (discordUserIds.length === 0) return out;
  const rows = db
    .select({ guildId: guildMembers.guildId, discordUserId: guildMembers.discordUserId })
    .from(guildMembers)
    .where(inArray(guildMembers.discordUserId, [...discordUserIds]))
    .all();
  for (const r of rows) {
    const list = out.get(r.discordUserId) ?? [];
    list.push(r.guildId);
    out.set(r.discordUserId, list);
  }
  return out;
}
