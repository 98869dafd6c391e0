import { and, count, eq, isNull, lt, lte, type SQL, sql } from "drizzle-orm";
import { type Db, dbOf, inTransaction, type Store } from "./client.js";
import { deleteFriendEdgesIn } from "./friends.js";
import { meta, users } from "./schema.js";

export type UserRow = typeof users.$inferSelect;

/** What a sign-in writes: the account, its (already encrypted) tokens and their expiries. */
export interface LinkedAccount {
  discordUserId: string;
  psnAccountId: string;
  psnOnlineId: string;
  accessTokenEnc: string;
  accessTokenExpiresAt: Date;
  refreshTokenEnc: string;
  refreshTokenExpiresAt: Date;
}

export interface EncryptedTokens {
  accessTokenEnc: string;
  accessTokenExpiresAt: Date;
  refreshTokenEnc: string;
  refreshTokenExpiresAt: Date;
}

/** Linked members per link state (active, needs_relink), for the metrics. */
export async function countUsersByLinkState(store: Store): Promise<Record<string, number>> {
  const db = dbOf(store);
  const rows = db
    .select({ linkState: users.linkState, n: count() })
    .from(users)
    .groupBy(users.linkState)
    .all();
  return Object.fromEntries(rows.map((r) => [r.linkState, r.n]));
}

export async function findUser(store: Store, discordUserId: string): Promise<UserRow | undefined> {
  return findUserIn(dbOf(store), discordUserId);
}

/** findUser inside another unit of work's transaction. */
export function findUserIn(db: Db, discordUserId: string): UserRow | undefined {
  return db.select().from(users).where(eq(users.discordUserId, discordUserId)).get();
}

export async function findUserByAccountId(store: Store, psnAccountId: string): Promise<UserRow | undefined> {
  const db = dbOf(store);
  return db.select().from(users).where(eq(users.psnAccountId, psnAccountId)).get();
}

const GENERATION_COUNTER = "last_token_generation";

/**
 * A token generation no link has had: a counter rather than the row's own number plus
 * one, because /unlink deletes the row and a later sign-in would start again at 1,
 * where a refresh still in flight from before the unlink could match it.
 */
function nextTokenGeneration(db: Db): number {
  const row = db
    .insert(meta)
    .values({ key: GENERATION_COUNTER, value: "1" })
    .onConflictDoUpdate({ target: meta.key, set: { value: sql`cast(${meta.value} as integer) + 1` } })
    .returning({ value: meta.value })
    .get();
  return Number(row.value);
}

/** Only while the stored tokens are still of `generation` (a refresh's result); any generation when omitted. */
function ofGeneration(generation: number | undefined): SQL | undefined {
  return generation === undefined ? undefined : eq(users.tokenGeneration, generation);
}

/**
 * Creates the link or replaces the member's previous one. A fresh sign-in starts
 * healthy: active, no reminders sent, no relink notice, a new token generation.
 * Settings and schedule stay. Signed in to another PSN account, the member's stored
 * friendships and watch state go with the old account, and the new one's friend list is
 * read on the next tick.
 */
export async function upsertLinkedUser(store: Store, account: LinkedAccount, now: Date): Promise<UserRow> {
  return inTransaction(store, (tx) => upsertLinkedUserIn(tx, account, now));
}

/** upsertLinkedUser inside another unit of work's transaction (it needs one: a read, then writes that depend on it). */
export function upsertLinkedUserIn(db: Db, account: LinkedAccount, now: Date): UserRow {
  const fresh = {
    tokenGeneration: nextTokenGeneration(db),
    psnAccountId: account.psnAccountId,
    psnOnlineId: account.psnOnlineId,
    accessTokenEnc: account.accessTokenEnc,
    accessTokenExpiresAt: account.accessTokenExpiresAt,
    refreshTokenEnc: account.refreshTokenEnc,
    refreshTokenExpiresAt: account.refreshTokenExpiresAt,
    linkState: "active" as const,
    relinkRemindersSent: 0,
    relinkNoticeSentAt: null,
    linkedAt: now,
    nextPollAt: now,
    updatedAt: now,
  };
  const before = db
    .select({ accountId: users.psnAccountId })
    .from(users)
    .where(eq(users.discordUserId, account.discordUserId))
    .get();
  // Signed in to another PSN account: what the bot knew of the old one is not the new one's.
  const otherAccount = before !== undefined && before.accountId !== account.psnAccountId;
  if (otherAccount) deleteFriendEdgesIn(db, before.accountId);
  const set = otherAccount ? { ...fresh, ...forgottenWatch } : fresh;
  return db
    .insert(users)
    .values({ discordUserId: account.discordUserId, ...fresh })
    .onConflictDoUpdate({ target: users.discordUserId, set })
    .returning()
    .get();
}

/** The watch state and friend list of an account, as for a member never seen (the list is read on the next tick). */
const forgottenWatch = {
  online: null,
  offlineStreak: 0,
  errorStreak: 0,
  lastPresenceAt: null,
  lastPartiesAt: null,
  inParty: false,
  recheckPresence: false,
  gameJson: null,
  platform: null,
  presenceSince: null,
  friendsReadAt: null,
  friendsFailures: 0,
  friendsRetryAt: null,
} satisfies Partial<typeof users.$inferInsert>;

/**
 * Stores refreshed tokens over those of `generation`; a no-op (false) when the member
 * unlinked or signed in again meanwhile: the new sign-in's tokens win.
 */
export async function saveUserTokens(
  store: Store,
  psnAccountId: string,
  tokens: EncryptedTokens,
  generation: number,
  now: Date,
): Promise<boolean> {
  const db = dbOf(store);
  const result = db
    .update(users)
    .set({ ...tokens, updatedAt: now })
    .where(and(eq(users.psnAccountId, psnAccountId), ofGeneration(generation)))
    .run();
  return result.changes > 0;
}

/**
 * Marks the link of `generation` as needing a new sign-in (any generation when
 * omitted); undefined when there is no such link, e.g. the member signed in again
 * after the refused refresh had started.
 */
export async function markNeedsRelink(
  store: Store,
  psnAccountId: string,
  now: Date,
  generation?: number,
): Promise<UserRow | undefined> {
  const db = dbOf(store);
  return db
    .update(users)
    .set({ linkState: "needs_relink", updatedAt: now })
    .where(and(eq(users.psnAccountId, psnAccountId), ofGeneration(generation)))
    .returning()
    .get();
}

/** Claims the one relink notice of the link (of `generation`, when given): true for exactly one caller. */
export async function claimRelinkNotice(
  store: Store,
  psnAccountId: string,
  now: Date,
  generation?: number,
): Promise<boolean> {
  const db = dbOf(store);
  const result = db
    .update(users)
    .set({ relinkNoticeSentAt: now, updatedAt: now })
    .where(
      and(
        eq(users.psnAccountId, psnAccountId),
        isNull(users.relinkNoticeSentAt),
        eq(users.linkState, "needs_relink"),
        ofGeneration(generation),
      ),
    )
    .run();
  return result.changes > 0;
}

/** Active links whose refresh token expires before `before`: candidates for a reminder. */
export async function listExpiringLinks(store: Store, before: Date): Promise<UserRow[]> {
  const db = dbOf(store);
  return db
    .select()
    .from(users)
    .where(and(eq(users.linkState, "active"), lte(users.refreshTokenExpiresAt, before)))
    .all();
}

/** Records a reminder stage, unless another run already recorded it (or a later one). */
export async function claimReminderStage(
  store: Store,
  discordUserId: string,
  stage: number,
  now: Date,
): Promise<boolean> {
  const db = dbOf(store);
  const result = db
    .update(users)
    .set({ relinkRemindersSent: stage, updatedAt: now })
    .where(and(eq(users.discordUserId, discordUserId), lt(users.relinkRemindersSent, stage)))
    .run();
  return result.changes > 0;
}

export async function deleteUser(store: Store, discordUserId: string): Promise<boolean> {
  return deleteUserIn(dbOf(store), discordUserId);
}

/** deleteUser inside another unit of work's transaction. */
export function deleteUserIn(db: Db, discordUserId: string): boolean {
  return db.delete(users).where(eq(users.discordUserId, discordUserId)).run().changes > 0;
}

/** The stored tokens of every member who is polled (an active link). */
export async function listActiveTokens(
  store: Store,
): Promise<Array<{ psnAccountId: string; accessTokenEnc: string; refreshTokenEnc: string }>> {
  const db = dbOf(store);
  return db
    .select({
      psnAccountId: users.psnAccountId,
      accessTokenEnc: users.accessTokenEnc,
      refreshTokenEnc: users.refreshTokenEnc,
    })
    .from(users)
    .where(eq(users.linkState, "active"))
    .all();
}
