/**
 * "Announced somewhere", defined once for everything that picks whom the poller reads,
 * lists in a friend's batch read, or reads a friend list of: the member is opted in to a
 * server the bot is in (leaving a server deletes its row and its opt-ins) that shows them
 * somewhere, that is either
 * - party cards on (`enabled`) with a party channel set, or
 * - a presence board set, and the member lets boards list them (`/privacy board`).
 * A server paused because Discord refused access still counts: its channel is set and
 * its admin means it to work again once `/config check` clears the pause, and the cards
 * it shows then must be current. Anyone else is announced nowhere: no server would show
 * what a read learns, so none is made (the README promises it).
 */
import { and, eq, exists, isNotNull, or, sql } from "drizzle-orm";
import type { Db } from "./client.js";
import { guildMembers, guilds, users } from "./schema.js";

export const announcedSomewhere = (db: Db) =>
  exists(
    db
      .select({ one: sql`1` })
      .from(guildMembers)
      .innerJoin(guilds, eq(guilds.guildId, guildMembers.guildId))
      .where(
        and(
          eq(guildMembers.discordUserId, users.discordUserId),
          or(
            and(eq(guilds.enabled, true), isNotNull(guilds.channelId)),
            and(isNotNull(guilds.boardChannelId), eq(users.onBoard, true)),
          ),
        ),
      ),
  );
