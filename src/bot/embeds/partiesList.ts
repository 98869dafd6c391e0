/**
 * `/parties`: one line per live card of the server, each linking to the card's
 * message, within an embed description's 4096 however many there are. Pure.
 */
import type { Party } from "../../domain/party.js";
import { codePointLength, EMBED_LIMITS, fitPsnText } from "./limits.js";
import { partyTitle } from "./partyCard.js";

export interface ListedCard {
  party: Party;
  guildId: string;
  channelId: string;
  messageId: string;
}

export const NO_PARTIES =
  "Nobody is in a party right now. Cards show up in the party channel when one starts.";

export function messageUrl(guildId: string, channelId: string, messageId: string): string {
  return `https://discord.com/channels/${guildId}/${channelId}/${messageId}`;
}

export function partyLine({ party, guildId, channelId, messageId }: ListedCard): string {
  const parts = [`[${partyTitle(party)}](${messageUrl(guildId, channelId, messageId)})`];
  if (party.game !== null) parts.push(`🎮 ${fitPsnText(party.game.name, 100)}`);
  const count = party.members.length;
  parts.push(party.maxMembers !== null ? `${count}/${party.maxMembers}` : `${count} in the party`);
  return parts.join(" · ");
}

/** The lines that fit, then "…and N more" for the rest. */
export function partiesDescription(cards: readonly ListedCard[], max = EMBED_LIMITS.description): string {
  if (cards.length === 0) return NO_PARTIES;
  const lines = cards.map(partyLine);
  let out = "";
  for (let i = 0; i < lines.length; i++) {
    const next = out === "" ? lines[i]! : `${out}\n${lines[i]}`;
    const rest = lines.length - i - 1;
    const suffix = rest > 0 ? `\n…and ${rest} more` : "";
    if (codePointLength(`${next}${suffix}`) > max) {
      const more = `…and ${lines.length - i} more`;
      return out === "" ? more : `${out}\n${more}`;
    }
    out = next;
  }
  return out;
}
