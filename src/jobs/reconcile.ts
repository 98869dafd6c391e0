/**
 * What one server's party channel should change, from the cards it has and the parties
 * just observed. Pure: the card writer applies the actions (DB row first, then Discord).
 *
 * Decisions:
 * - One card per (server, party session). A party that comes back after its card ended
 *   revives that card (an edit), it does not get a second one.
 * - A party is shown when the server can post cards (enabled, channel set, not paused), at
 *   least one of its members' Discord users is announced in this server, and it is
 *   joinable or the server shows all parties. A shown party's card is posted, or edited
 *   when its hash changed; a card whose party stops being shown is ended.
 * - Disabled or without a channel: nothing is shown, so every open card ends (a card left
 *   "live" would advertise a party nobody tracks any more for this server).
 * - Paused (Discord refused access): no actions at all, ends included, since every call
 *   would fail. The tracker keeps ended parties in memory, so their cards end once the
 *   pause is lifted.
 * - A card in state "posting" (crash between the DB write and the Discord call) is posted
 *   again with its own card id; the card writer reuses its nonce while Discord honours
 *   it, and looks for the message in the channel after that (messages/settle.ts), so
 *   Discord does not create it twice.
 * - A card whose party is neither live nor ended is left alone: the tracker has not
 *   decided yet (after a restart, its members may not have been polled).
 * - A party the bot can no longer see (party.unseenReason) only updates a card already
 *   in the channel, which then says so with no Request invite: it is never posted, nor
 *   an ended card revived for it, since nothing about it can be confirmed.
 * - Cards stay in the channel they were posted in, even after the channel setting changes.
 * - At most one action per card per call.
 */

import { type RenderedCard, renderPartyCard, renderUnknownEndedCard } from "../bot/embeds/partyCard.js";
import { canPostCards, type GuildSettings } from "../domain/guild.js";
import { isJoinable, type Party } from "../domain/party.js";
import type { EndedParty } from "../domain/partyUpdate.js";

export type CardState = "posting" | "live" | "ended";

export interface Card {
  id: number;
  guildId: string;
  sessionId: string;
  channelId: string;
  messageId: string | null;
  state: CardState;
  hash: string | null;
  postedAt: Date | null;
}

export type Action =
  | {
      kind: "post";
      /** null: a new card; a number: re-post that card row (state "posting", or an ended card never posted). */
      cardId: number | null;
      channelId: string;
      party: Party;
      card: RenderedCard;
    }
  /** Leaves the card live (an ended card revived included). */
  | { kind: "edit"; cardId: number; party: Party; card: RenderedCard }
  /** The card may have no message id (it ended while "posting"): then there is nothing to edit on Discord. */
  | { kind: "end"; cardId: number; party: Party | null; card: RenderedCard };

export function isShown(party: Party, settings: GuildSettings, announced: ReadonlySet<string>): boolean {
  if (!canPostCards(settings)) return false;
  if (settings.show !== "all" && !isJoinable(party)) return false;
  return party.members.some((m) => m.discordUserId !== null && announced.has(m.discordUserId));
}

export function reconcile(
  cards: readonly Card[],
  live: readonly Party[],
  ended: readonly EndedParty[],
  settings: GuildSettings,
  announced: ReadonlySet<string>,
  now: Date,
): Action[] {
  if (settings.pausedReason !== null) return [];

  const actions: Action[] = [];
  const handled = new Set<number>();
  const mine = [...cards].filter((c) => c.guildId === settings.guildId).sort((a, b) => a.id - b.id);

  const endCard = (card: Card, party: Party | null, at: Date) => {
    handled.add(card.id);
    const rendered = party
      ? renderPartyCard(party, { announced, mentionRoleId: null, firstPost: false, ended: { at } })
      : renderUnknownEndedCard(card.sessionId, at);
    actions.push({ kind: "end", cardId: card.id, party, card: rendered });
  };

  // The card a session is shown on: its oldest open card, else its latest ended one. Any
  // other open card for the same session is a duplicate and ends.
  const primary = new Map<string, Card>();
  for (const c of mine) {
    const current = primary.get(c.sessionId);
    if (!current || (current.state === "ended" && (c.state !== "ended" || c.id > current.id))) {
      primary.set(c.sessionId, c);
    }
  }
  const liveBySession = new Map<string, Party>();
  for (const p of live) if (!liveBySession.has(p.sessionId)) liveBySession.set(p.sessionId, p);
  const endedBySession = new Map(ended.map((e) => [e.sessionId, e]));

  for (const c of mine) {
    if (c.state !== "ended" && primary.get(c.sessionId) !== c) {
      endCard(c, liveBySession.get(c.sessionId) ?? endedBySession.get(c.sessionId)?.party ?? null, now);
    }
  }

  for (const party of liveBySession.values()) {
    const card = primary.get(party.sessionId);
    const shown = isShown(party, settings, announced);
    if (!shown) {
      if (card && card.state !== "ended") endCard(card, party, now);
      continue;
    }
    const view = { announced, mentionRoleId: settings.mentionRoleId, template: settings.template };
    if (party.unseenReason !== null && card?.state !== "live") {
      if (card) handled.add(card.id);
      continue;
    }
    if (!card) {
      const rendered = renderPartyCard(party, { ...view, firstPost: true });
      // canPostCards() inside isShown() guarantees the channel.
      actions.push({ kind: "post", cardId: null, channelId: settings.channelId!, party, card: rendered });
      continue;
    }
    handled.add(card.id);
    if (card.state === "posting" || (card.state === "ended" && card.messageId === null)) {
      const rendered = renderPartyCard(party, { ...view, firstPost: true });
      actions.push({ kind: "post", cardId: card.id, channelId: card.channelId, party, card: rendered });
      continue;
    }
    const rendered = renderPartyCard(party, { ...view, firstPost: false });
    if (card.state === "ended" || card.hash !== rendered.hash) {
      actions.push({ kind: "edit", cardId: card.id, party, card: rendered });
    }
  }

  for (const card of primary.values()) {
    if (card.state === "ended" || handled.has(card.id) || liveBySession.has(card.sessionId)) continue;
    const end = endedBySession.get(card.sessionId);
    if (end) {
      endCard(card, end.party, end.endedAt);
    } else if (!canPostCards(settings)) {
      endCard(card, null, now);
    }
  }

  return actions;
}
