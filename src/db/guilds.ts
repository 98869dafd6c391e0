import { count, eq, isNotNull } from "drizzle-orm";
import { type Db, dbOf, type Store } from "./client.js";
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
export async function countPausedGuilds(store: Store): Promise<number> {
  const db = dbOf(store);
  return db.select({ n: count() }).from(guilds).where(isNotNull(guilds.pausedReason)).get()?.n ?? 0;
}

export async function findGuild(store: Store, guildId: string): Promise<GuildRow | undefined> {
  return findGuildIn(dbOf(store), guildId);
}

function findGuildIn(db: Db, guildId: string): GuildRow | undefined {
  return db.select().from(guilds).where(eq(guilds.guildId, guildId)).get();
}

/** The server's settings, creating the row with defaults on first use. */
export async function ensureGuild(store: Store, guildId: string): Promise<GuildRow> {
  return ensureGuildIn(dbOf(store), guildId);
}

/** ensureGuild inside another unit of work's transaction. */
export function ensureGuildIn(db: Db, guildId: string): GuildRow {
  db.insert(guilds).values({ guildId }).onConflictDoNothing().run();
  return findGuildIn(db, guildId) as GuildRow;
}

export async function updateGuild(
  store: Store,
  guildId: string,
  patch: GuildPatch,
  now = new Date(),
): Promise<GuildRow> {
  return updateGuildIn(dbOf(store), guildId, patch, now);
}

/** updateGuild inside another unit of work's transaction. */
export function updateGuildIn(db: Db, guildId: string, patch: GuildPatch, now: Date): GuildRow {
  ensureGuildIn(db, guildId);
  return db
    .update(guilds)
    .set({ ...patch, updatedAt: now })
    .where(eq(guilds.guildId, guildId))
    .returning()
    .get() as GuildRow;
}

/** Everything about a server goes with it (cards and opt-ins cascade). */
export async function deleteGuild(store: Store, guildId: string): Promise<void> {
  const db = dbOf(store);
  db.delete(guilds).where(eq(guilds.guildId, guildId)).run();
}
