/**
 * Party cards per server. A card row is written (state `posting`, with the nonce
 * Discord will see) before the message is sent and completed after, so a crash in
 * between is repaired by sending again with the same nonce while Discord honours it,
 * and by finding the message in the channel after that (jobs/messages/settle.ts).
 */
import { and, asc, count, desc, eq, inArray, isNotNull, lte, ne } from "drizzle-orm";
import { type Db, dbOf, inTransaction, type Store } from "./client.js";
import { updateGuildIn } from "./guilds.js";
import { cards } from "./schema.js";

export type CardRow = typeof cards.$inferSelect;

export interface NewCard {
  guildId: string;
  sessionId: string;
  channelId: string;
  nonce: string;
  partyJson: string;
}

const open = ne(cards.state, "ended");

/** Cards not ended yet (posting or live) in one server. */
export async function findOpenCards(store: Store, guildId: string): Promise<CardRow[]> {
  const db = dbOf(store);
  return db
    .select()
    .from(cards)
    .where(and(eq(cards.guildId, guildId), open))
    .all();
}

/** Every open card, for seeding the party tracker after a restart. */
export async function countOpenCards(store: Store): Promise<number> {
  const db = dbOf(store);
  return db.select({ n: count() }).from(cards).where(open).get()?.n ?? 0;
}

export async function findAllOpenCards(store: Store): Promise<CardRow[]> {
  const db = dbOf(store);
  return db.select().from(cards).where(open).all();
}

export async function findOpenCard(
  store: Store,
  guildId: string,
  sessionId: string,
): Promise<CardRow | undefined> {
  const db = dbOf(store);
  return db
    .select()
    .from(cards)
    .where(and(eq(cards.guildId, guildId), eq(cards.sessionId, sessionId), open))
    .get();
}

/** The open card shown by this message, if any. */
export async function findOpenCardByMessage(store: Store, messageId: string): Promise<CardRow | undefined> {
  const db = dbOf(store);
  return db
    .select()
    .from(cards)
    .where(and(eq(cards.messageId, messageId), open))
    .get();
}

export async function findCard(store: Store, id: number): Promise<CardRow | undefined> {
  const db = dbOf(store);
  return db.select().from(cards).where(eq(cards.id, id)).get();
}

/** State `posting`: the row exists before Discord hears of it. */
export async function beginPost(store: Store, card: NewCard, now: Date): Promise<CardRow> {
  const db = dbOf(store);
  return db
    .insert(cards)
    .values({ ...card, state: "posting", createdAt: now, updatedAt: now })
    .returning()
    .get();
}

/** The row waits for a post again, on a new nonce, with no message of its own. */
function backToPosting(
  db: Db,
  id: number,
  fields: { nonce: string; channelId?: string; retiringMessageId?: string },
  now: Date,
): void {
  db.update(cards)
    .set({ ...fields, state: "posting", messageId: null, hash: null, deleteAt: null, updatedAt: now })
    .where(eq(cards.id, id))
    .run();
}

/**
 * Repost of a card whose message is gone: the same row gets a new nonce and goes
 * back to `posting`, so the unique "one open card per party" index still holds.
 */
export async function restartPost(
  store: Store,
  id: number,
  fields: { nonce: string; channelId: string },
  now: Date,
): Promise<void> {
  backToPosting(dbOf(store), id, fields, now);
}

/**
 * Discord will not edit the card's message any more (30046): the row goes back to
 * `posting` on a new nonce and remembers the old message as the one to delete, before
 * anything is done on Discord. Until the replacement is posted (completePost, adoptMessage)
 * every attempt deletes that message first, so it is never left live and forgotten.
 */
export async function beginReplace(
  store: Store,
  id: number,
  fields: { nonce: string; retiringMessageId: string },
  now: Date,
): Promise<void> {
  backToPosting(dbOf(store), id, fields, now);
}

export async function completePost(
  store: Store,
  id: number,
  /** `hash` null: what the message shows is not known (returned on a repeated nonce). */
  done: { messageId: string; hash: string | null; partyJson?: string },
  now: Date,
): Promise<void> {
  const db = dbOf(store);
  db.update(cards)
    .set({ ...done, retiringMessageId: null, state: "live", postedAt: now, updatedAt: now })
    .where(eq(cards.id, id))
    .run();
}

/**
 * The row's message was found in the channel (its create answer was lost): the card is
 * live on it. What it shows is not known, so no hash: the next edit brings it up to date.
 */
export async function adoptMessage(store: Store, id: number, messageId: string, now: Date): Promise<void> {
  const db = dbOf(store);
  db.update(cards)
    .set({
      messageId,
      retiringMessageId: null,
      state: "live",
      hash: null,
      postedAt: now,
      endedAt: null,
      deleteAt: null,
      updatedAt: now,
    })
    .where(eq(cards.id, id))
    .run();
}

/** Which of these message ids some card row (open or ended) already shows. */
export async function trackedMessageIds(store: Store, messageIds: readonly string[]): Promise<Set<string>> {
  const db = dbOf(store);
  if (messageIds.length === 0) return new Set();
  const rows = db
    .select({ messageId: cards.messageId })
    .from(cards)
    .where(inArray(cards.messageId, [...messageIds]))
    .all();
  return new Set(rows.flatMap((r) => (r.messageId === null ? [] : [r.messageId])));
}

/** A shown edit; a card that had ended is live again (its party came back). */
export async function recordEdit(
  store: Store,
  id: number,
  edit: { hash: string; partyJson: string },
  now: Date,
): Promise<void> {
  const db = dbOf(store);
  db.update(cards)
    .set({ ...edit, state: "live", endedAt: null, deleteAt: null, updatedAt: now })
    .where(eq(cards.id, id))
    .run();
}

export async function markEnded(
  store: Store,
  id: number,
  endedAt: Date,
  now: Date,
  hash?: string,
): Promise<void> {
  const db = dbOf(store);
  db.update(cards)
    .set({ state: "ended", endedAt, updatedAt: now, ...(hash !== undefined ? { hash } : {}) })
    .where(eq(cards.id, id))
    .run();
}

/** The latest ended card of each of these parties in one server: a party that comes back revives it. */
export async function findLatestEndedCards(
  store: Store,
  guildId: string,
  sessionIds: readonly string[],
): Promise<CardRow[]> {
  const db = dbOf(store);
  if (sessionIds.length === 0) return [];
  const rows = db
    .select()
    .from(cards)
    .where(
      and(eq(cards.guildId, guildId), eq(cards.state, "ended"), inArray(cards.sessionId, [...sessionIds])),
    )
    .orderBy(desc(cards.id))
    .all();
  const latest = new Map<string, CardRow>();
  for (const r of rows) if (!latest.has(r.sessionId)) latest.set(r.sessionId, r);
  return [...latest.values()];
}

/** The live cards of one server that have a message, oldest first (for /parties). */
export async function findLiveCards(store: Store, guildId: string): Promise<CardRow[]> {
  const db = dbOf(store);
  return db
    .select()
    .from(cards)
    .where(and(eq(cards.guildId, guildId), eq(cards.state, "live"), isNotNull(cards.messageId)))
    .orderBy(asc(cards.id))
    .all();
}

/**
 * `/config ended delete-after`: the ended card's message goes at `at`. Kept in the row,
 * not in a timer, so a restart deletes it all the same.
 */
export async function scheduleDeletion(store: Store, id: number, at: Date): Promise<void> {
  const db = dbOf(store);
  db.update(cards).set({ deleteAt: at }).where(eq(cards.id, id)).run();
}

/** Ended cards whose message is due for deletion, the earliest first. */
export async function findDueDeletions(store: Store, now: Date, limit: number): Promise<CardRow[]> {
  const db = dbOf(store);
  return db
    .select()
    .from(cards)
    .where(and(eq(cards.state, "ended"), isNotNull(cards.messageId), lte(cards.deleteAt, now)))
    .orderBy(asc(cards.deleteAt))
    .limit(limit)
    .all();
}

/** The deletion happened, or will not: the row stays as history. */
export async function clearDeletion(store: Store, id: number): Promise<void> {
  const db = dbOf(store);
  db.update(cards).set({ deleteAt: null }).where(eq(cards.id, id)).run();
}

/**
 * `/config ended keep`: the setting, and the server's pending deletions called off,
 * together (a setting of "keep" with deletions still pending would surprise). Returns
 * how many were called off.
 */
export async function keepEndedCards(store: Store, guildId: string, now: Date): Promise<number> {
  return inTransaction(store, (tx) => {
    updateGuildIn(tx, guildId, { endedDeleteAfterMinutes: null }, now);
    return cancelDeletionsIn(tx, guildId);
  });
}

/** `/config ended keep`'s second half: the server's pending deletions are called off. */
function cancelDeletionsIn(db: Db, guildId: string): number {
  return db
    .update(cards)
    .set({ deleteAt: null })
    .where(and(eq(cards.guildId, guildId), isNotNull(cards.deleteAt)))
    .run().changes;
}
