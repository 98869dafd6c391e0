/**
 * Why the bot stopped writing a server's cards or its presence board: stored as a code
 * and its parameters (guilds.paused_reason, boards.paused_reason), rendered in the
 * reader's words only when shown (bot/pauseReason.ts), so a later change of wording or
 * language applies to pauses already stored.
 */
import { z } from "zod";

export const pauseReasonSchema = z.discriminatedUnion("code", [
  /** Discord's 50001: the bot cannot see the channel. */
  z.object({ code: z.literal("missingAccess"), channelId: z.string() }),
  /** Discord's 50013: the bot may not post or edit there. */
  z.object({ code: z.literal("missingPermissions"), channelId: z.string() }),
  /** The bot cannot read the channel back, so it cannot look for its own messages before posting. */
  z.object({ code: z.literal("cannotReadHistory"), channelId: z.string() }),
  /** Discord's 10003: the channel is gone. */
  z.object({ code: z.literal("channelGone"), channelId: z.string() }),
  /** A reason stored in a shape this version does not know (a sentence from before codes). */
  z.object({ code: z.literal("unknown") }),
]);

export type PauseReason = z.infer<typeof pauseReasonSchema>;
export type PauseCode = PauseReason["code"];

/** A stored reason read back; anything unreadable is still a pause, for an unknown reason. */
export function pauseReasonFromJson(json: string): PauseReason {
  try {
    const parsed = pauseReasonSchema.safeParse(JSON.parse(json));
    return parsed.success ? parsed.data : { code: "unknown" };
  } catch {
    return { code: "unknown" };
  }
}

export function pauseReasonToJson(reason: PauseReason): string {
  return JSON.stringify(pauseReasonSchema.parse(reason));
}
