import { and, eq, gt, isNull, lt, or, sql } from "drizzle-orm";
import { type Db, dbOf, inTransaction, type Store } from "./client.js";
import { linkTokens } from "./schema.js";

export type LinkTokenRow = typeof linkTokens.$inferSelect;

export interface NewLinkToken {
  tokenHash: string;
  discordUserId: string;
  guildId: string | null;
  expiresAt: Date;
}

/** Stores a new link token; the member's earlier unused ones stop working. */
export async function replaceLinkToken(store: Store, token: NewLinkToken, now: Date): Promise<void> {
  await inTransaction(store, (tx) => {
    tx.delete(linkTokens)
      .where(and(eq(linkTokens.discordUserId, token.discordUserId), isNull(linkTokens.usedAt)))
      .run();
    tx.insert(linkTokens)
      .values({ ...token, createdAt: now })
      .run();
  });
}

export async function findLinkToken(store: Store, tokenHash: string): Promise<LinkTokenRow | undefined> {
  const db = dbOf(store);
  return db.select().from(linkTokens).where(eq(linkTokens.tokenHash, tokenHash)).get();
}

/**
 * Counts one sign-in attempt, only while the token is unused, unexpired and under
 * the limit. Atomic, so parallel submissions cannot exceed the limit together.
 */
export async function claimAttempt(
  store: Store,
  tokenHash: string,
  maxAttempts: number,
  now: Date,
): Promise<LinkTokenRow | undefined> {
  const db = dbOf(store);
  return db
    .update(linkTokens)
    .set({ attempts: sql`${linkTokens.attempts} + 1` })
    .where(
      and(
        eq(linkTokens.tokenHash, tokenHash),
        isNull(linkTokens.usedAt),
        lt(linkTokens.attempts, maxAttempts),
        gt(linkTokens.expiresAt, now),
      ),
    )
    .returning()
    .get();
}

/** Spends the token: true for exactly one caller. */
export async function markLinkTokenUsed(store: Store, tokenHash: string, now: Date): Promise<boolean> {
  return markLinkTokenUsedIn(dbOf(store), tokenHash, now);
}

/** markLinkTokenUsed inside another unit of work's transaction. */
export function markLinkTokenUsedIn(db: Db, tokenHash: string, now: Date): boolean {
  return (
    db
      .update(linkTokens)
      .set({ usedAt: now })
      .where(and(eq(linkTokens.tokenHash, tokenHash), isNull(linkTokens.usedAt)))
      .run().changes > 0
  );
}

export async function deleteLinkTokensOfUser(store: Store, discordUserId: string): Promise<number> {
  return deleteLinkTokensOfUserIn(dbOf(store), discordUserId);
}

/** deleteLinkTokensOfUser inside another unit of work's transaction. */
export function deleteLinkTokensOfUserIn(db: Db, discordUserId: string): number {
  return db.delete(linkTokens).where(eq(linkTokens.discordUserId, discordUserId)).run().changes;
}

/** Housekeeping: tokens past expiry or used before `before` are of no further use. */
export async function purgeLinkTokens(store: Store, before: Date): Promise<number> {
  const db = dbOf(store);
  return db
    .delete(linkTokens)
    .where(or(lt(linkTokens.expiresAt, before), lt(linkTokens.usedAt, before)))
    .run().changes;
}
