import { and, eq } from "drizzle-orm";
import { type Db, dbOf, type Store } from "./client.js";
import { ensureGuildIn } from "./guilds.js";
import { guildMembers } from "./schema.js";

/** Announces the member in the server (creating the server's settings row when new). */
export async function optIn(store: Store, guildId: string, discordUserId: string): Promise<void> {
  optInIn(dbOf(store), guildId, discordUserId);
}

/** optIn inside another unit of work's transaction. */
export function optInIn(db: Db, guildId: string, discordUserId: string): void {
  ensureGuildIn(db, guildId);
  db.insert(guildMembers).values({ guildId, discordUserId }).onConflictDoNothing().run();
}

export async function optOut(store: Store, guildId: string, discordUserId: string): Promise<boolean> {
  const db = dbOf(store);
  return (
    db
      .delete(guildMembers)
      .where(and(eq(guildMembers.guildId, guildId), eq(guildMembers.discordUserId, discordUserId)))
      .run().changes > 0
  );
}

export async function guildsOfMember(store: Store, discordUserId: string): Promise<string[]> {
  return guildsOfMemberIn(dbOf(store), discordUserId);
}

/** guildsOfMember inside another unit of work's transaction. */
export function guildsOfMemberIn(db: Db, discordUserId: string): string[] {
  return db
    .select({ guildId: guildMembers.guildId })
    .from(guildMembers)
    .where(eq(guildMembers.discordUserId, discordUserId))
    .all()
    .map((r) => r.guildId);
}

export async function deleteOptInsOfMember(store: Store, discordUserId: string): Promise<number> {
  return deleteOptInsOfMemberIn(dbOf(store), discordUserId);
}

/** deleteOptInsOfMember inside another unit of work's transaction. */
export function deleteOptInsOfMemberIn(db: Db, discordUserId: string): number {
  return db.delete(guildMembers).where(eq(guildMembers.discordUserId, discordUserId)).run().changes;
}

/** Every opt-in, server by server (the start-up check for members who left while the bot was down). */
export async function listOptIns(store: Store): Promise<{ guildId: string; discordUserId: string }[]> {
  const db = dbOf(store);
  return db
    .select({ guildId: guildMembers.guildId, discordUserId: guildMembers.discordUserId })
    .from(guildMembers)
    .all();
}
