/**
 * `/config ended delete-after <minutes>`: an ended card's message is deleted that long
 * after it ended. The time is kept on the card row (cards.delete_at), not in a timer,
 * and every poll tick deletes what is due, so a restart loses no deletion: one that
 * fell due while the bot was down happens at the first tick.
 */
import { type REST, Routes } from "discord.js";
import { clearDeletion, findDueDeletions, scheduleDeletion } from "../../db/cards.js";
import { findGuild } from "../../db/guilds.js";
import type { Store } from "../../db/store.js";
import type { Logger } from "../../log.js";
import type { Metrics } from "../../metrics.js";
import { DiscordCode, discordCodeOf } from "../messages/discordPolicy.js";

/** The slice of the card writer's I/O a deletion needs. */
export interface DeletionIo {
  db: Store;
  rest: Pick<REST, "delete">;
  log: Logger;
  metrics?: Metrics;
}

/** At most this many deletions per tick: a backlog after a long outage drains over a few ticks. */
export const DELETIONS_PER_TICK = 25;

/** Pure: when a card that ended at `endedAt` is to be deleted; null keeps it. */
export function deletionTime(endedAt: Date, deleteAfterMinutes: number | null): Date | null {
  if (deleteAfterMinutes === null) return null;
  return new Date(endedAt.getTime() + deleteAfterMinutes * 60_000);
}

/**
 * Pure: what a refused delete means. The message already gone (10008), its channel gone
 * (10003) or out of the bot's reach (50001, 50013): nothing more to do. Anything else
 * (a 5xx, a network error): the next tick tries again.
 */
export function deletionOutcome(code: number | null): "done" | "retry" {
  switch (code) {
    case DiscordCode.unknownMessage:
    case DiscordCode.unknownChannel:
    case DiscordCode.missingAccess:
    case DiscordCode.missingPermissions:
      return "done";
    default:
      return "retry";
  }
}

/** After a card ended on Discord: its deletion, when its server asks for one. */
export async function scheduleEndedDeletion(
  io: DeletionIo,
  card: { id: number; guildId: string },
  endedAt: Date,
): Promise<void> {
  const minutes = (await findGuild(io.db, card.guildId))?.endedDeleteAfterMinutes ?? null;
  const at = deletionTime(endedAt, minutes);
  if (at !== null) await scheduleDeletion(io.db, card.id, at);
}

/** Deletes the ended cards' messages that are due; returns how many are settled. */
export async function deleteDueEndedCards(io: DeletionIo, now: Date): Promise<number> {
  let settled = 0;
  for (const row of await findDueDeletions(io.db, now, DELETIONS_PER_TICK)) {
    const where = { cardId: row.id, sessionId: row.sessionId, channelId: row.channelId };
    try {
      await io.rest.delete(Routes.channelMessage(row.channelId, row.messageId as string));
      io.log.info(where, "ended party card deleted");
      io.metrics?.cardActions.inc({ kind: "delete", result: "ok" });
    } catch (err) {
      const code = discordCodeOf(err);
      io.metrics?.cardActions.inc({ kind: "delete", result: "failed" });
      if (deletionOutcome(code) === "retry") {
        io.log.warn({ ...where, err }, "could not delete an ended card; trying again next tick");
        continue;
      }
      if (code !== DiscordCode.unknownMessage)
        io.log.warn({ ...where, code }, "an ended card cannot be deleted: the bot lost the channel");
    }
    await clearDeletion(io.db, row.id);
    settled++;
  }
  return settled;
}
