/**
 * What the bot does when Discord refuses a call on a message it keeps (a card, a
 * board), as a pure function of the error code and the call. Rate limits never get
 * here: discord.js queues them.
 */
import { DiscordAPIError } from "discord.js";
import type { PauseReason } from "../../domain/pauseReason.js";

/** Discord error codes the message protocol acts on. */
export const DiscordCode = {
  unknownChannel: 10003,
  unknownMessage: 10008,
  tooOldToEdit: 30046,
  missingAccess: 50001,
  missingPermissions: 50013,
} as const;

/**
 * The Discord call made on a kept message: create it, edit it live, edit it one last
 * time (a card ending), delete it (a duplicate, a replaced message, a board taken
 * down), or read the channel back to find a message whose create answer was lost.
 */
export type MessageCall = "post" | "edit" | "end" | "delete" | "look";

export type DiscordErrorDecision =
  /** The bot lost the channel: pause until `/config check` (or `/config board`) lifts it. */
  | "pause"
  /** The message is gone while it should be shown: post it again on the same row, with a new nonce. */
  | "repost"
  /**
   * Discord no longer lets the message be edited: a new message replaces it and the old
   * one is deleted, for a last edit as for any other (its buttons would work for ever).
   */
  | "replace"
  /** The message is gone: nothing left to grey out or delete. */
  | "settled"
  /** Anything else: logged, and the next tick tries again. */
  | "retry";

export function discordCodeOf(err: unknown): number | null {
  if (err instanceof DiscordAPIError && typeof err.code === "number") return err.code;
  return null;
}

/** Pure: the decision for a refusal with this code (null: not a Discord API error) during this call. */
export function discordErrorDecision(code: number | null, during: MessageCall): DiscordErrorDecision {
  switch (code) {
    case DiscordCode.unknownChannel:
    case DiscordCode.missingAccess:
    case DiscordCode.missingPermissions:
      return "pause";
    case DiscordCode.unknownMessage:
      return during === "edit" ? "repost" : during === "end" || during === "delete" ? "settled" : "retry";
    case DiscordCode.tooOldToEdit:
      return during === "edit" || during === "end" ? "replace" : "retry";
    default:
      return "retry";
  }
}

/** Why the bot paused when Discord itself did not refuse: it saw it could not do its job. */
export type PauseDetail = "readHistory";

/** Pure: the reason stored for a refusal that paused a server's cards or its board. */
export function pauseReasonOf(code: number, channelId: string, detail?: PauseDetail): PauseReason {
  if (detail === "readHistory") return { code: "cannotReadHistory", channelId };
  switch (code) {
    case DiscordCode.missingAccess:
      return { code: "missingAccess", channelId };
    case DiscordCode.missingPermissions:
      return { code: "missingPermissions", channelId };
    case DiscordCode.unknownChannel:
      return { code: "channelGone", channelId };
    default:
      return { code: "unknown" };
  }
}
