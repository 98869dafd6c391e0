/**
 * The /unlink hook's decision: which open cards end at once when a member unlinks.
 * Pure, and reconcile's own decision for each card's party with the member no longer
 * linked, so the hook ends exactly what the next tick would end, server settings
 * included (a party that, without the member, no longer passes the server's filter
 * ends; a paused server gets no calls). Cards whose party would still be shown are
 * left to the next tick, which edits them.
 */
import type { GuildSettings } from "../domain/guild.js";
import type { Party, PartyMember } from "../domain/party.js";
import { type Action, type Card, reconcile } from "./reconcile.js";

export interface OpenCardShowing {
  card: Card;
  /** The party the card shows, from its row; null when the stored party is unreadable. */
  party: Party | null;
}

export interface UnlinkInput {
  discordUserId: string;
  /** Open cards; those whose party does not show the member are left alone. */
  cards: readonly OpenCardShowing[];
  /** Server → the Discord users announced there (the unlinking member may still be listed). */
  announcedIn: ReadonlyMap<string, ReadonlySet<string>>;
  /** Server → its settings; a card in a server without settings is left alone. */
  settings: ReadonlyMap<string, GuildSettings>;
  now: Date;
}

export interface UnlinkEnd {
  card: Card;
  action: Extract<Action, { kind: "end" }>;
}

/** Whether the card's party lists this Discord user (an unreadable party shows nobody). */
export function showsMember(party: Party | null, discordUserId: string): party is Party {
  return party?.members.some((m) => m.discordUserId === discordUserId) ?? false;
}

export function cardsEndedByUnlink(input: UnlinkInput): UnlinkEnd[] {
  const out: UnlinkEnd[] = [];
  for (const { card, party } of input.cards) {
    if (!showsMember(party, input.discordUserId)) continue;
    const settings = input.settings.get(card.guildId);
    if (!settings) continue;
    // As the next tick will see it: the member still in the party, but no longer linked
    // (so their opt-ins, still listed in announcedIn, no longer count).
    const announced = input.announcedIn.get(card.guildId) ?? new Set<string>();
    const next = withoutLink(party, input.discordUserId);
    for (const action of reconcile([card], [next], [], settings, announced, input.now)) {
      if (action.kind === "end") out.push({ card, action });
    }
  }
  return out;
}

function withoutLink(party: Party, discordUserId: string): Party {
  const unlinked = (m: PartyMember): PartyMember =>
    m.discordUserId === discordUserId ? { ...m, discordUserId: null } : m;
  return { ...party, host: unlinked(party.host), members: party.members.map(unlinked) };
}
