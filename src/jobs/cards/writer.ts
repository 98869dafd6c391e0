/**
 * The card writer: turns the tracker's parties into cards, server by server (reconcile
 * decides, applyAction writes). A server whose channel the bot lost access to is
 * paused once and skipped until `/config check` lifts the pause.
 *
 * One apply at a time: the poller's ticks, the /unlink hook and deleted messages edit
 * the same rows, so everything goes through one queue.
 */
import {
  findAllOpenCards,
  findCard,
  findLatestEndedCards,
  findOpenCardByMessage,
  findOpenCards,
  restartPost,
} from "../../db/cards.js";
import { findGuild, updateGuild } from "../../db/guilds.js";
import type { Store } from "../../db/store.js";
import { announcingGuildsOf } from "../../db/watch.js";
import { type GuildSettings, guildSettingsOf } from "../../domain/guild.js";
import type { Party } from "../../domain/party.js";
import type { EndedParty, PartySink, PartyUpdate } from "../../domain/partyUpdate.js";
import { partyFromJson } from "../../domain/storedParty.js";
import type { Logger } from "../../log.js";
import type { Metrics } from "../../metrics.js";
import { cardsEndedByUnlink, showsMember } from "../cardsEndedByUnlink.js";
import { type PauseDetail, pauseReasonOf } from "../messages/discordPolicy.js";
import { newNonce } from "../messages/nonce.js";
import { AccessLost, type BotView, type DiscordRest } from "../messages/protocol.js";
import { reconcile } from "../reconcile.js";
import { SerialQueue } from "../serialQueue.js";
import { applyAction, type CardIo } from "./applyAction.js";
import { deleteDueEndedCards } from "./endedDeletion.js";
import { announcedByGuild, cardOf } from "./rows.js";

export interface CardWriterOptions {
  db: Store;
  rest: DiscordRest;
  /** Who the bot is and what it may do in a channel: needed to find its own cards. */
  bot: BotView;
  log: Logger;
  now?: () => Date;
  metrics?: Metrics;
}

export class CardWriter implements PartySink {
  private readonly db: Store;
  private readonly io: CardIo;
  private readonly log: Logger;
  private readonly now: () => Date;
  private readonly queue = new SerialQueue();

  constructor(options: CardWriterOptions) {
    this.db = options.db;
    this.log = options.log.child({ component: "card-writer" });
    this.io = {
      db: options.db,
      rest: options.rest,
      bot: options.bot,
      log: this.log,
      metrics: options.metrics,
    };
    this.now = options.now ?? (() => new Date());
  }

  apply(update: PartyUpdate): Promise<void> {
    return this.queue.run(() => this.applyNow(update));
  }

  /**
   * The /unlink hook: ends at once the open cards the next tick would end once this
   * member is no longer linked (cardsEndedByUnlink decides). With `onlyGuildId`, the
   * cards of that server only: the member left it (their opt-in there is already gone).
   */
  endCardsOfUser(discordUserId: string, onlyGuildId?: string): Promise<void> {
    return this.queue.run(async () => {
      const now = this.now();
      const cards = (await findAllOpenCards(this.db))
        .filter((row) => onlyGuildId === undefined || row.guildId === onlyGuildId)
        .map((row) => ({ card: cardOf(row), party: partyFromJson(row.partyJson) }))
        .filter((c) => showsMember(c.party, discordUserId));
      const users = new Set<string>();
      for (const c of cards)
        for (const m of c.party?.members ?? []) if (m.discordUserId) users.add(m.discordUserId);
      const settings = new Map<string, GuildSettings>();
      for (const guildId of new Set(cards.map((c) => c.card.guildId))) {
        const guild = await findGuild(this.db, guildId);
        if (guild) settings.set(guildId, guildSettingsOf(guild));
      }
      const announcedIn = announcedByGuild(await announcingGuildsOf(this.db, [...users]));
      const ends = cardsEndedByUnlink({ discordUserId, cards, announcedIn, settings, now });
      for (const { card, action } of ends) {
        try {
          await applyAction(this.io, card.guildId, action, now);
        } catch (err) {
          if (err instanceof AccessLost) await this.pause(card.guildId, card.channelId, err.code, err.detail);
          else
            this.log.warn(
              { err, guildId: card.guildId, cardId: card.id },
              "could not end the card of an unlinked member",
            );
        }
      }
    });
  }

  /**
   * Someone deleted this message. If it was an open card, the card goes back to
   * `posting` with a fresh nonce (the old one would return the deleted message), and
   * the next poll posts it again while its party lives or ends it if not.
   */
  messageDeleted(messageId: string): Promise<void> {
    return this.queue.run(async () => {
      const row = await findOpenCardByMessage(this.db, messageId);
      if (!row) return;
      await restartPost(this.db, row.id, { nonce: newNonce(), channelId: row.channelId }, this.now());
      this.log.info(
        { cardId: row.id, sessionId: row.sessionId },
        "party card deleted by someone; it will be posted again",
      );
    });
  }

  private async applyNow({ live, ended, now }: PartyUpdate): Promise<void> {
    const openCards = await findAllOpenCards(this.db);
    const users = new Set<string>();
    for (const p of live) for (const m of p.members) if (m.discordUserId) users.add(m.discordUserId);
    for (const e of ended)
      for (const m of e.party?.members ?? []) if (m.discordUserId) users.add(m.discordUserId);
    const announcedIn = announcedByGuild(await announcingGuildsOf(this.db, [...users]));
    const guildIds = new Set([...announcedIn.keys(), ...openCards.map((c) => c.guildId)]);
    for (const guildId of guildIds) {
      try {
        await this.applyGuild(guildId, live, ended, announcedIn.get(guildId) ?? new Set(), now);
      } catch (err) {
        // One server's trouble never holds the others back.
        this.log.error({ err, guildId }, "writing the cards of a server failed");
      }
    }
    try {
      await deleteDueEndedCards(this.io, now);
    } catch (err) {
      this.log.error({ err }, "deleting ended cards failed");
    }
  }

  private async applyGuild(
    guildId: string,
    live: readonly Party[],
    ended: readonly EndedParty[],
    announced: ReadonlySet<string>,
    now: Date,
  ): Promise<void> {
    const guild = await findGuild(this.db, guildId);
    if (!guild || guild.pausedReason !== null) return;
    const settings = guildSettingsOf(guild);
    const open = await findOpenCards(this.db, guildId);
    const carded = new Set(open.map((c) => c.sessionId));
    const relevant = live.filter(
      (p) =>
        carded.has(p.sessionId) ||
        p.members.some((m) => m.discordUserId !== null && announced.has(m.discordUserId)),
    );
    const revivable = await findLatestEndedCards(
      this.db,
      guildId,
      relevant.filter((p) => !carded.has(p.sessionId)).map((p) => p.sessionId),
    );
    const cards = [...open, ...revivable].map(cardOf);
    // A party known only from its card (ended while the bot was down) still ends with
    // what the card showed and how long it lasted, not as an anonymous "Party ended".
    const shownOn = new Map(open.map((c) => [c.sessionId, c.partyJson]));
    const endedHere = ended
      .filter((e) => carded.has(e.sessionId))
      .map((e) => (e.party ? e : { ...e, party: partyFromJson(shownOn.get(e.sessionId) ?? "") }));
    const actions = reconcile(cards, relevant, endedHere, settings, announced, now);
    for (const action of actions) {
      try {
        await applyAction(this.io, guildId, action, now);
      } catch (err) {
        if (err instanceof AccessLost) {
          const channelId =
            action.kind === "post"
              ? action.channelId
              : ((await findCard(this.db, action.cardId))?.channelId ?? "");
          await this.pause(guildId, channelId, err.code, err.detail);
          return;
        }
        this.log.warn({ err, guildId, action: action.kind }, "a card action failed; retried next tick");
      }
    }
  }

  private async pause(guildId: string, channelId: string, code: number, detail?: PauseDetail): Promise<void> {
    const guild = await findGuild(this.db, guildId);
    if (!guild || guild.pausedReason !== null) return;
    await updateGuild(this.db, guildId, { pausedReason: pauseReasonOf(code, channelId, detail) }, this.now());
    // Logged on the transition only: a paused server is skipped until /config check clears it.
    this.log.warn(
      { guildId, channelId, code, detail },
      "party cards paused in this server: Discord refused access",
    );
  }
}
