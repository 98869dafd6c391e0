import { count, eq, isNotNull } from "drizzle-orm";
import type { Db } from "./client.js";
import { guilds } from "./schema.js";

export type GuildRow = typeof guilds.$inferSelect;
export type GuildPatch = Partial<
  Pick<
    GuildRow,
    | "channelId"
    | "mentionRoleId"
    | "show"
    | "enabled"
    | "pausedReason"
    | "cardTemplate"
    | "endedDeleteAfterMinutes"
    | "boardChannelId"
  >
>;

/** Servers whose cards are paused (Discord refused access), for the metrics. */
export function countPausedGuilds(db: Db): number {
  return db.select({ n: count() }).from(guilds).where(isNotNull(guilds.pausedReason)).get()?.n ?? 0;
}

export function findGuild(db: Db, guildId: string): GuildRow | undefined {
  return db.select().from(guilds).where(eq(guilds.guildId, guildId)).get();
}

/** The server's settings, creating the row with defaults on first use. */
export function ensureGuild(db: Db, guildId: string): GuildRow {
  db.insert(guilds).values({ guildId }).onConflictDoNothing().run();
  return findGuild(db, guildId) as GuildRow;
}

export function updateGuild(db: Db, guildId: string, patch: GuildPatch, now = new Date()): GuildRow {
  ensureGuild(db, guildId);
  return db
    .update(guilds)
    .set({ ...patch, updatedAt: now })
    .where(eq(guilds.guildId, guildId))
    .returning()
    .get() as GuildRow;
}

/** Everything about a server goes with it (cards and opt-ins cascade). */
export function deleteGuild(db: Db, guildId: string): void {
  db.delete(guilds).where(eq(guilds.guildId, guildId)).run();
}
