import { and, eq } from "drizzle-orm";
import type { Db } from "./client.js";
import { ensureGuild } from "./guilds.js";
import { guildMembers } from "./schema.js";

/** Announces the member in the server (creating the server's settings row when new). */
export function optIn(db: Db, guildId: string, discordUserId: string): void {
  ensureGuild(db, guildId);
  db.insert(guildMembers).values({ guildId, discordUserId }).onConflictDoNothing().run();
}

export function optOut(db: Db, guildId: string, discordUserId: string): boolean {
  return (
    db
      .delete(guildMembers)
      .where(and(eq(guildMembers.guildId, guildId), eq(guildMembers.discordUserId, discordUserId)))
      .run().changes > 0
  );
}

export function guildsOfMember(db: Db, discordUserId: string): string[] {
  return db
    .select({ guildId: guildMembers.guildId })
    .from(guildMembers)
    .where(eq(guildMembers.discordUserId, discordUserId))
    .all()
    .map((r) => r.guildId);
}

export function deleteOptInsOfMember(db: Db, discordUserId: string): number {
  return db.delete(guildMembers).where(eq(guildMembers.discordUserId, discordUserId)).run().changes;
}

/** Every opt-in, server by server (the start-up check for members who left while the bot was down). */
export function listOptIns(db: Db): { guildId: string; discordUserId: string }[] {
  return db
    .select({ guildId: guildMembers.guildId, discordUserId: guildMembers.discordUserId })
    .from(guildMembers)
    .all();
}
