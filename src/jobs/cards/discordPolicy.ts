/**
 * What the card writer does when Discord refuses a call, as a pure function of the
 * error code and the call. Rate limits never get here: discord.js queues them.
 */
import { DiscordAPIError } from "discord.js";

/** Discord error codes the card writer acts on. */
export const DiscordCode = {
  unknownChannel: 10003,
  unknownMessage: 10008,
  tooOldToEdit: 30046,
  missingAccess: 50001,
  missingPermissions: 50013,
} as const;

/**
 * The Discord call a card action makes: create the message, edit it live, edit it ended
 * (or delete a duplicate: a message already gone is as settled), or read the channel
 * back to find a message whose create answer was lost.
 */
export type CardCall = "post" | "edit" | "end" | "look";

export type DiscordErrorDecision =
  /** The bot lost the channel: pause the server's cards until `/config check` lifts it. */
  | "pause"
  /** The message is gone while its party lives: post it again on the same row, with a new nonce. */
  | "repost"
  /** Discord no longer lets the message be edited: leave it as history, a new card replaces it. */
  | "replace"
  /** The ended card is gone or frozen: nothing left to grey out, the card is over either way. */
  | "settled"
  /** Anything else: logged, and the next tick tries again. */
  | "retry";

export function discordCodeOf(err: unknown): number | null {
  if (err instanceof DiscordAPIError && typeof err.code === "number") return err.code;
  return null;
}

/** Pure: the decision for a refusal with this code (null: not a Discord API error) during this call. */
export function discordErrorDecision(code: number | null, during: CardCall): DiscordErrorDecision {
  switch (code) {
    case DiscordCode.unknownChannel:
    case DiscordCode.missingAccess:
    case DiscordCode.missingPermissions:
      return "pause";
    case DiscordCode.unknownMessage:
      return during === "edit" ? "repost" : during === "end" ? "settled" : "retry";
    case DiscordCode.tooOldToEdit:
      return during === "edit" ? "replace" : during === "end" ? "settled" : "retry";
    default:
      return "retry";
  }
}

/** Why the server is paused when Discord itself did not refuse: the bot saw it could not do its job. */
export type PauseDetail = "readHistory";

/** Pure: the text stored in guilds.paused_reason for a refusal that paused the server. */
export function pauseReasonFor(code: number, channelId: string, detail?: PauseDetail): string {
  if (detail === "readHistory")
    return `Missing Permissions (Read Message History): the bot cannot look for its cards in <#${channelId}>`;
  switch (code) {
    case DiscordCode.missingAccess:
      return `Missing Access (50001): the bot cannot see <#${channelId}>`;
    case DiscordCode.missingPermissions:
      return `Missing Permissions (50013): the bot cannot post or edit in <#${channelId}>`;
    default:
      return `Unknown Channel (10003): <#${channelId}> no longer exists`;
  }
}
