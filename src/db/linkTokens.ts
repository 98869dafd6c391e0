import { and, eq, gt, isNull, lt, or, sql } from "drizzle-orm";
import type { Db } from "./client.js";
import { linkTokens } from "./schema.js";

export type LinkTokenRow = typeof linkTokens.$inferSelect;

export interface NewLinkToken {
  tokenHash: string;
  discordUserId: string;
  guildId: string | null;
  expiresAt: Date;
}

/** Stores a new link token; the member's earlier unused ones stop working. */
export function replaceLinkToken(db: Db, token: NewLinkToken, now: Date): void {
  db.transaction((tx) => {
    tx.delete(linkTokens)
      .where(and(eq(linkTokens.discordUserId, token.discordUserId), isNull(linkTokens.usedAt)))
      .run();
    tx.insert(linkTokens)
      .values({ ...token, createdAt: now })
      .run();
  });
}

export function findLinkToken(db: Db, tokenHash: string): LinkTokenRow | undefined {
  return db.select().from(linkTokens).where(eq(linkTokens.tokenHash, tokenHash)).get();
}

/**
 * Counts one sign-in attempt, only while the token is unused, unexpired and under
 * the limit. Atomic, so parallel submissions cannot exceed the limit together.
 */
export function claimAttempt(
  db: Db,
  tokenHash: string,
  maxAttempts: number,
  now: Date,
): LinkTokenRow | undefined {
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
export function markLinkTokenUsed(db: Db, tokenHash: string, now: Date): boolean {
  return (
    db
      .update(linkTokens)
      .set({ usedAt: now })
      .where(and(eq(linkTokens.tokenHash, tokenHash), isNull(linkTokens.usedAt)))
      .run().changes > 0
  );
}

export function deleteLinkTokensOfUser(db: Db, discordUserId: string): number {
  return db.delete(linkTokens).where(eq(linkTokens.discordUserId, discordUserId)).run().changes;
}

/** Housekeeping: tokens past expiry or used before `before` are of no further use. */
export function purgeLinkTokens(db: Db, before: Date): number {
  return db
    .delete(linkTokens)
    .where(or(lt(linkTokens.expiresAt, before), lt(linkTokens.usedAt, before)))
    .run().changes;
}
