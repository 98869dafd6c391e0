/**
 * Presence boards, one per server. Written like cards (db/cards.ts): the row (state
 * `posting`, with the nonce Discord will see) before the create call, completed after,
 * so a restart never posts a second board (jobs/board/writer.ts).
 */
import { and, eq, isNotNull } from "drizzle-orm";
import type { PauseReason } from "../domain/pauseReason.js";
import { gameFromJson } from "../domain/storedParty.js";
import type { Db } from "./client.js";
import { boards, guildMembers, guilds, users } from "./schema.js";

export type BoardRow = typeof boards.$inferSelect;

export function findBoard(db: Db, guildId: string): BoardRow | undefined {
  return db.select().from(boards).where(eq(boards.guildId, guildId)).get();
}

/** The board whose message this is, if any. */
export function findBoardByMessage(db: Db, messageId: string): BoardRow | undefined {
  return db.select().from(boards).where(eq(boards.messageId, messageId)).get();
}

/** Servers that want a board, and servers that still have one to take down. */
export function guildsWithBoards(db: Db): string[] {
  const wanted = db
    .select({ guildId: guilds.guildId })
    .from(guilds)
    .where(isNotNull(guilds.boardChannelId))
    .all();
  const kept = db.select({ guildId: boards.guildId }).from(boards).all();
  return [...new Set([...wanted, ...kept].map((r) => r.guildId))];
}

/** A new board (or one moved to another channel): state `posting` before Discord hears of it. */
export function beginBoard(
  db: Db,
  row: { guildId: string; channelId: string; nonce: string },
  now: Date,
): void {
  db.insert(boards)
    .values({ ...row, state: "posting", messageId: null, hash: null, createdAt: now, updatedAt: now })
    .onConflictDoUpdate({
      target: boards.guildId,
      set: {
        channelId: row.channelId,
        nonce: row.nonce,
        state: "posting",
        messageId: null,
        hash: null,
        pausedReason: null,
        updatedAt: now,
      },
    })
    .run();
}

/** Its message is gone, or Discord forgot the nonce and nothing was found: post again on a new one. */
export function restartBoard(db: Db, guildId: string, nonce: string, now: Date): void {
  db.update(boards)
    .set({ nonce, state: "posting", messageId: null, hash: null, updatedAt: now })
    .where(eq(boards.guildId, guildId))
    .run();
}

/** Posted (hash known) or adopted after a lost answer (hash null: the next pass edits it). */
export function completeBoard(
  db: Db,
  guildId: string,
  done: { messageId: string; hash: string | null },
  now: Date,
): void {
  db.update(boards)
    .set({ ...done, state: "live", updatedAt: now })
    .where(eq(boards.guildId, guildId))
    .run();
}

export function recordBoardEdit(db: Db, guildId: string, hash: string, now: Date): void {
  db.update(boards).set({ hash, updatedAt: now }).where(eq(boards.guildId, guildId)).run();
}

export function pauseBoard(db: Db, guildId: string, reason: PauseReason, now: Date): void {
  db.update(boards).set({ pausedReason: reason, updatedAt: now }).where(eq(boards.guildId, guildId)).run();
}

export function deleteBoard(db: Db, guildId: string): void {
  db.delete(boards).where(eq(boards.guildId, guildId)).run();
}

export interface OnlineMember {
  discordUserId: string;
  onlineId: string;
  game: string | null;
  platform: string | null;
  since: Date | null;
}

/**
 * Who a server's board lists: members announced in the server, linked (active), online
 * at their last presence read, and not hidden with `/privacy board off`.
 */
export function onlineMembersOf(db: Db, guildId: string): OnlineMember[] {
  return db
    .select({
      discordUserId: users.discordUserId,
      onlineId: users.psnOnlineId,
      gameJson: users.gameJson,
      platform: users.platform,
      since: users.presenceSince,
    })
    .from(guildMembers)
    .innerJoin(users, eq(users.discordUserId, guildMembers.discordUserId))
    .where(
      and(
        eq(guildMembers.guildId, guildId),
        eq(users.linkState, "active"),
        eq(users.online, true),
        eq(users.onBoard, true),
      ),
    )
    .all()
    .map((r) => ({
      discordUserId: r.discordUserId,
      onlineId: r.onlineId,
      game: gameFromJson(r.gameJson)?.name ?? null,
      platform: r.platform,
      since: r.since,
    }));
}

export function setOnBoard(db: Db, discordUserId: string, onBoard: boolean, now: Date): boolean {
  return (
    db.update(users).set({ onBoard, updatedAt: now }).where(eq(users.discordUserId, discordUserId)).run()
      .changes > 0
  );
}

/** `/config board` run again: whatever Discord refused is tried again. */
export function clearBoardPause(db: Db, guildId: string, now: Date): void {
  db.update(boards).set({ pausedReason: null, updatedAt: now }).where(eq(boards.guildId, guildId)).run();
}
