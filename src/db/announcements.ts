/**
 * Party cards per server. A card row is written (state `posting`, with the nonce
 * Discord will see) before the message is sent and completed after, so a crash in
 * between is repaired by sending again with the same nonce.
 */
import { and, desc, eq, inArray, ne } from "drizzle-orm";
import type { Db } from "./client.js";
import { announcements } from "./schema.js";

export type CardRow = typeof announcements.$inferSelect;
export type CardState = CardRow["state"];

export interface NewCard {
  guildId: string;
  sessionId: string;
  channelId: string;
  nonce: string;
  partyJson: string;
}

const open = ne(announcements.state, "ended");

/** Cards not ended yet (posting or live) in one server. */
export function findOpenCards(db: Db, guildId: string): CardRow[] {
  return db
    .select()
    .from(announcements)
    .where(and(eq(announcements.guildId, guildId), open))
    .all();
}

/** Every open card, for seeding the party tracker after a restart. */
export function findAllOpenCards(db: Db): CardRow[] {
  return db.select().from(announcements).where(open).all();
}

export function findOpenCard(db: Db, guildId: string, sessionId: string): CardRow | undefined {
  return db
    .select()
    .from(announcements)
    .where(and(eq(announcements.guildId, guildId), eq(announcements.sessionId, sessionId), open))
    .get();
}

/** The open card shown by this message, if any. */
export function findOpenCardByMessage(db: Db, messageId: string): CardRow | undefined {
  return db
    .select()
    .from(announcements)
    .where(and(eq(announcements.messageId, messageId), open))
    .get();
}

export function findCard(db: Db, id: number): CardRow | undefined {
  return db.select().from(announcements).where(eq(announcements.id, id)).get();
}

/** State `posting`: the row exists before Discord hears of it. */
export function beginPost(db: Db, card: NewCard, now: Date): CardRow {
  return db
    .insert(announcements)
    .values({ ...card, state: "posting", createdAt: now, updatedAt: now })
    .returning()
    .get();
}

/**
 * Repost of a card whose message is gone: the same row gets a new nonce and goes
 * back to `posting`, so the unique "one open card per party" index still holds.
 */
export function restartPost(
  db: Db,
  id: number,
  fields: { nonce: string; channelId: string },
  now: Date,
): void {
  db.update(announcements)
    .set({ ...fields, state: "posting", messageId: null, hash: null, updatedAt: now })
    .where(eq(announcements.id, id))
    .run();
}

export function completePost(
  db: Db,
  id: number,
  done: { messageId: string; hash: string; partyJson: string },
  now: Date,
): void {
  db.update(announcements)
    .set({ ...done, state: "live", postedAt: now, updatedAt: now })
    .where(eq(announcements.id, id))
    .run();
}

/** A shown edit; a card that had ended is live again (its party came back). */
export function recordEdit(db: Db, id: number, edit: { hash: string; partyJson: string }, now: Date): void {
  db.update(announcements)
    .set({ ...edit, state: "live", endedAt: null, updatedAt: now })
    .where(eq(announcements.id, id))
    .run();
}

export function markEnded(db: Db, id: number, endedAt: Date, now: Date, hash?: string): void {
  db.update(announcements)
    .set({ state: "ended", endedAt, updatedAt: now, ...(hash !== undefined ? { hash } : {}) })
    .where(eq(announcements.id, id))
    .run();
}

/** The latest ended card of each of these parties in one server: a party that comes back revives it. */
export function findLatestEndedCards(db: Db, guildId: string, sessionIds: readonly string[]): CardRow[] {
  if (sessionIds.length === 0) return [];
  const rows = db
    .select()
    .from(announcements)
    .where(
      and(
        eq(announcements.guildId, guildId),
        eq(announcements.state, "ended"),
        inArray(announcements.sessionId, [...sessionIds]),
      ),
    )
    .orderBy(desc(announcements.id))
    .all();
  const latest = new Map<string, CardRow>();
  for (const r of rows) if (!latest.has(r.sessionId)) latest.set(r.sessionId, r);
  return [...latest.values()];
}
