/** How a party card is known when the channel is read back (messages/settle.ts does the look). */
import { INVITE_PREFIX } from "../../bot/embeds/partyCard.js";
import type { SeenMessage } from "../messages/settle.js";

/**
 * The party session a message is the live card of: the bot's own message with that
 * party's Request-invite button, still enabled. An ended card (buttons disabled) is
 * history and harmless; a live one nobody tracks is the one to settle.
 */
export function liveCardSessionOf(message: SeenMessage, botUserId: string): string | null {
  if (message.authorId !== botUserId) return null;
  const prefix = `${INVITE_PREFIX}:`;
  const button = message.buttons.find(
    (b) => !b.disabled && b.customId.startsWith(prefix) && b.customId.length > prefix.length,
  );
  return button === undefined ? null : button.customId.slice(prefix.length);
}

/** Whether a message is the live card of this party. */
export function isLiveCardOf(sessionId: string): (message: SeenMessage, botUserId: string) => boolean {
  return (message, botUserId) => liveCardSessionOf(message, botUserId) === sessionId;
}
