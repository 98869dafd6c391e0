/**
 * Presence boards, one per server. Written like cards (db/cards.ts): the row (state
 * `posting`, with the nonce Discord will see) before the create call, completed after,
 * so a restart never posts a second board (jobs/board/writer.ts).
 */
import { and, eq, isNotNull } from "drizzle-orm";
import type { PauseReason } from "../domain/pauseReason.js";
import { gameFromJson } from "../domain/storedParty.js";
import { dbOf, type Store } from "./client.js";
import { boards, guildMembers, guilds, users } from "./schema.js";

export type BoardRow = typeof boards.$inferSelect;

export async function findBoard(store: Store, guildId: string): Promise<BoardRow | undefined> {
  const db = dbOf(store);
  return db.select().from(boards).where(eq(boards.guildId, guildId)).get();
}

/** The board whose message this is, if any. */
export async function findBoardByMessage(store: Store, messageId: string): Promise<BoardRow | undefined> {
  const db = dbOf(store);
  return db.select().from(boards).where(eq(boards.messageId, messageId)).get();
}

/** Servers that want a board, and servers that still have one to take down. */
export async function guildsWithBoards(store: Store): Promise<string[]> {
  const db = dbOf(store);
  const wanted = db
    .select({ guildId: guilds.guildId })
    .from(guilds)
    .where(isNotNull(guilds.boardChannelId))
    .all();
  const kept = db.select({ guildId: boards.guildId }).from(boards).all();
  return [...new Set([...wanted, ...kept].map((r) => r.guildId))];
}

/** A new board (or one moved to another channel): state `posting` before Discord hears of it. */
export async function beginBoard(
  store: Store,
  row: { guildId: string; channelId: string; nonce: string },
  now: Date,
): Promise<void> {
  const db = dbOf(store);
  db.insert(boards)
    .values({ ...row, state: "posting", messageId: null, hash: null, createdAt: now, updatedAt: now })
    .onConflictDoUpdate({
      target: boards.guildId,
      set: {
        channelId: row.channelId,
        nonce: row.nonce,
        state: "posting",
        messageId: null,
        retiringMessageId: null,
        hash: null,
        pausedReason: null,
        updatedAt: now,
      },
    })
    .run();
}

/** Its message is gone, or Discord forgot the nonce and nothing was found: post again on a new one. */
export async function restartBoard(store: Store, guildId: string, nonce: string, now: Date): Promise<void> {
  const db = dbOf(store);
  db.update(boards)
    .set({ nonce, state: "posting", messageId: null, hash: null, updatedAt: now })
    .where(eq(boards.guildId, guildId))
    .run();
}

/**
 * Discord will not edit the board's message any more (30046): back to `posting` on a new
 * nonce, remembering the old message as the one to delete until the replacement is posted.
 */
export async function beginBoardReplace(
  store: Store,
  guildId: string,
  fields: { nonce: string; retiringMessageId: string },
  now: Date,
): Promise<void> {
  const db = dbOf(store);
  db.update(boards)
    .set({ ...fields, state: "posting", messageId: null, hash: null, updatedAt: now })
    .where(eq(boards.guildId, guildId))
    .run();
}

/** Posted (hash known) or adopted after a lost answer (hash null: the next pass edits it). */
export async function completeBoard(
  store: Store,
  guildId: string,
  done: { messageId: string; hash: string | null },
  now: Date,
): Promise<void> {
  const db = dbOf(store);
  db.update(boards)
    .set({ ...done, retiringMessageId: null, state: "live", updatedAt: now })
    .where(eq(boards.guildId, guildId))
    .run();
}

export async function recordBoardEdit(store: Store, guildId: string, hash: string, now: Date): Promise<void> {
  const db = dbOf(store);
  db.update(boards).set({ hash, updatedAt: now }).where(eq(boards.guildId, guildId)).run();
}

export async function pauseBoard(
  store: Store,
  guildId: string,
  reason: PauseReason,
  now: Date,
): Promise<void> {
  const db = dbOf(store);
  db.update(boards).set({ pausedReason: reason, updatedAt: now }).where(eq(boards.guildId, guildId)).run();
}

export async function deleteBoard(store: Store, guildId: string): Promise<void> {
  const db = dbOf(store);
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
export async function onlineMembersOf(store: Store, guildId: string): Promise<OnlineMember[]> {
  const db = dbOf(store);
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

export async function setOnBoard(
  store: Store,
  discordUserId: string,
  onBoard: boolean,
  now: Date,
): Promise<boolean> {
  const db = dbOf(store);
  return (
    db.update(users).set({ onBoard, updatedAt: now }).where(eq(users.discordUserId, discordUserId)).run()
      .changes > 0
  );
}

/** `/config board` run again: whatever Discord refused is tried again. */
export async function clearBoardPause(store: Store, guildId: string, now: Date): Promise<void> {
  const db = dbOf(store);
  db.update(boards).set({ pausedReason: null, updatedAt: now }).where(eq(boards.guildId, guildId)).run();
}
