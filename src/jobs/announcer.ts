/**
 * Applies reconcile's actions to Discord, exactly once per card: the card row is
 * written before the call (state `posting`, with the nonce Discord sees, so a
 * repeat after a crash returns the first message) and completed after. A server
 * whose channel the bot lost access to is paused once and skipped until
 * `/config check` lifts the pause.
 */
import { randomBytes } from "node:crypto";
import { DiscordAPIError, type REST, Routes } from "discord.js";
import { z } from "zod";
import { type RenderedCard, renderPartyCard } from "../bot/embeds/partyCard.js";
import {
  beginPost,
  type CardRow,
  completePost,
  findAllOpenCards,
  findCard,
  findLatestEndedCards,
  findOpenCardByMessage,
  findOpenCards,
  markEnded,
  recordEdit,
  restartPost,
} from "../db/cards.js";
import type { Db } from "../db/client.js";
import { findGuild, updateGuild } from "../db/guilds.js";
import { announcingGuildsOf } from "../db/watch.js";
import type { GuildSettings } from "../domain/guild.js";
import type { Party } from "../domain/party.js";
import { partyFromJson, partyToJson } from "../domain/storedParty.js";
import type { Logger } from "../log.js";
import type { EndedParty } from "./partyTracker.js";
import type { PartySink, PartyUpdate } from "./poller.js";
import { type Action, type Card, reconcile } from "./reconcile.js";

/** The slice of discord.js's REST the announcer uses (client.rest). */
export type DiscordRest = Pick<REST, "post" | "patch">;

/** Discord error codes the announcer acts on. */
export const DiscordCode = {
  unknownChannel: 10003,
  unknownMessage: 10008,
  tooOldToEdit: 30046,
  missingAccess: 50001,
  missingPermissions: 50013,
} as const;

const PAUSING = new Set<number>([
  DiscordCode.unknownChannel,
  DiscordCode.missingAccess,
  DiscordCode.missingPermissions,
]);

const createdMessage = z.looseObject({ id: z.string() });

export interface AnnouncerOptions {
  db: Db;
  rest: DiscordRest;
  log: Logger;
  now?: () => Date;
}

/** Discord's nonce: at most 25 characters. */
export function newNonce(): string {
  return randomBytes(12).toString("base64url");
}

export function discordCodeOf(err: unknown): number | null {
  if (err instanceof DiscordAPIError && typeof err.code === "number") return err.code;
  return null;
}

/** Pure: the text stored in guilds.paused_reason for a refusal. */
export function pauseReasonFor(code: number, channelId: string): string {
  switch (code) {
    case DiscordCode.missingAccess:
      return `Missing Access (50001): the bot cannot see <#${channelId}>`;
    case DiscordCode.missingPermissions:
      return `Missing Permissions (50013): the bot cannot post or edit in <#${channelId}>`;
    default:
      return `Unknown Channel (10003): <#${channelId}> no longer exists`;
  }
}

class GuildPaused extends Error {
  constructor(readonly code: number) {
    super(`guild paused (${code})`);
  }
}

function toCard(row: CardRow): Card {
  return {
    id: row.id,
    guildId: row.guildId,
    sessionId: row.sessionId,
    channelId: row.channelId,
    messageId: row.messageId,
    state: row.state,
    hash: row.hash,
    postedAt: row.postedAt,
  };
}

function settingsOf(row: NonNullable<ReturnType<typeof findGuild>>): GuildSettings {
  return {
    guildId: row.guildId,
    channelId: row.channelId,
    mentionRoleId: row.mentionRoleId,
    show: row.show,
    enabled: row.enabled,
    pausedReason: row.pausedReason,
  };
}

function messageBody(card: RenderedCard, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ...(card.content !== null ? { content: card.content } : {}),
    embeds: card.embeds,
    components: card.components,
    allowed_mentions: card.allowedMentions,
    ...extra,
  };
}

export class Announcer implements PartySink {
  private readonly db: Db;
  private readonly rest: DiscordRest;
  private readonly log: Logger;
  private readonly now: () => Date;
  /** One apply at a time: the poller's ticks and /unlink's hook edit the same rows. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(options: AnnouncerOptions) {
    this.db = options.db;
    this.rest = options.rest;
    this.log = options.log.child({ component: "announcer" });
    this.now = options.now ?? (() => new Date());
  }

  apply(update: PartyUpdate): Promise<void> {
    return this.serial(() => this.applyNow(update));
  }

  /**
   * Ends at once the open cards that showed this member and nobody else announced
   * in that server (the /unlink hook); the next tick would end them anyway.
   */
  endCardsOfUser(discordUserId: string): Promise<void> {
    return this.serial(async () => {
      const now = this.now();
      const cards = findAllOpenCards(this.db).map((row) => ({ row, party: partyFromJson(row.partyJson) }));
      const mine = cards.filter((c) => c.party?.members.some((m) => m.discordUserId === discordUserId));
      const others = new Set<string>();
      for (const c of mine)
        for (const m of c.party?.members ?? []) if (m.discordUserId) others.add(m.discordUserId);
      others.delete(discordUserId);
      const optIns = announcingGuildsOf(this.db, [...others]);
      for (const { row, party } of mine) {
        const stillShown = (party?.members ?? []).some(
          (m) =>
            m.discordUserId &&
            m.discordUserId !== discordUserId &&
            optIns.get(m.discordUserId)?.includes(row.guildId),
        );
        if (stillShown || !party) continue;
        const announced = new Set(
          party.members
            .map((m) => m.discordUserId)
            .filter(
              (id): id is string =>
                id !== null && id !== discordUserId && optIns.get(id)?.includes(row.guildId) === true,
            ),
        );
        const card = renderPartyCard(party, {
          announced,
          mentionRoleId: null,
          firstPost: false,
          ended: { at: now },
        });
        try {
          await this.applyAction(row.guildId, { kind: "end", cardId: row.id, party, card }, now);
        } catch (err) {
          if (err instanceof GuildPaused) await this.pause(row.guildId, row.channelId, err.code);
          else
            this.log.warn(
              { err, guildId: row.guildId, cardId: row.id },
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
    return this.serial(async () => {
      const row = findOpenCardByMessage(this.db, messageId);
      if (!row) return;
      restartPost(this.db, row.id, { nonce: newNonce(), channelId: row.channelId }, this.now());
      this.log.info(
        { cardId: row.id, sessionId: row.sessionId },
        "party card deleted by someone; it will be posted again",
      );
    });
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async applyNow({ live, ended, now }: PartyUpdate): Promise<void> {
    const openCards = findAllOpenCards(this.db);
    const users = new Set<string>();
    for (const p of live) for (const m of p.members) if (m.discordUserId) users.add(m.discordUserId);
    for (const e of ended)
      for (const m of e.party?.members ?? []) if (m.discordUserId) users.add(m.discordUserId);
    const optIns = announcingGuildsOf(this.db, [...users]);

    const announcedIn = new Map<string, Set<string>>();
    for (const [user, guildIds] of optIns) {
      for (const g of guildIds) {
        const set = announcedIn.get(g) ?? new Set<string>();
        set.add(user);
        announcedIn.set(g, set);
      }
    }
    const guildIds = new Set([...announcedIn.keys(), ...openCards.map((c) => c.guildId)]);
    for (const guildId of guildIds) {
      try {
        await this.applyGuild(guildId, live, ended, announcedIn.get(guildId) ?? new Set(), now);
      } catch (err) {
        // One server's trouble never holds the others back.
        this.log.error({ err, guildId }, "announcing in a server failed");
      }
    }
  }

  private async applyGuild(
    guildId: string,
    live: readonly Party[],
    ended: readonly EndedParty[],
    announced: ReadonlySet<string>,
    now: Date,
  ): Promise<void> {
    const guild = findGuild(this.db, guildId);
    if (!guild || guild.pausedReason !== null) return;
    const settings = settingsOf(guild);
    const open = findOpenCards(this.db, guildId);
    const carded = new Set(open.map((c) => c.sessionId));
    const relevant = live.filter(
      (p) =>
        carded.has(p.sessionId) ||
        p.members.some((m) => m.discordUserId !== null && announced.has(m.discordUserId)),
    );
    const revivable = findLatestEndedCards(
      this.db,
      guildId,
      relevant.filter((p) => !carded.has(p.sessionId)).map((p) => p.sessionId),
    );
    const cards = [...open, ...revivable].map(toCard);
    // A party known only from its card (ended while the bot was down) still ends with
    // what the card showed and how long it lasted, not as an anonymous "Party ended".
    const shownOn = new Map(open.map((c) => [c.sessionId, c.partyJson]));
    const endedHere = ended
      .filter((e) => carded.has(e.sessionId))
      .map((e) => (e.party ? e : { ...e, party: partyFromJson(shownOn.get(e.sessionId) ?? "") }));
    const actions = reconcile(cards, relevant, endedHere, settings, announced, now);
    for (const action of actions) {
      try {
        await this.applyAction(guildId, action, now);
      } catch (err) {
        if (err instanceof GuildPaused) {
          const channelId =
            action.kind === "post" ? action.channelId : (findCard(this.db, action.cardId)?.channelId ?? "");
          await this.pause(guildId, channelId, err.code);
          return;
        }
        this.log.warn({ err, guildId, action: action.kind }, "a card action failed; retried next tick");
      }
    }
  }

  private async pause(guildId: string, channelId: string, code: number): Promise<void> {
    const guild = findGuild(this.db, guildId);
    if (!guild || guild.pausedReason !== null) return;
    const reason = pauseReasonFor(code, channelId);
    updateGuild(this.db, guildId, { pausedReason: reason }, this.now());
    // Logged on the transition only: a paused server is skipped until /config check clears it.
    this.log.warn({ guildId, channelId, code }, "party cards paused in this server: Discord refused access");
  }

  private async applyAction(guildId: string, action: Action, now: Date): Promise<void> {
    switch (action.kind) {
      case "post":
        return this.post(guildId, action, now);
      case "edit":
        return this.edit(guildId, action, now);
      case "end":
        return this.end(action, now);
    }
  }

  private async post(guildId: string, action: Extract<Action, { kind: "post" }>, now: Date): Promise<void> {
    let row: CardRow;
    if (action.cardId === null) {
      row = beginPost(
        this.db,
        {
          guildId,
          sessionId: action.party.sessionId,
          channelId: action.channelId,
          nonce: newNonce(),
          partyJson: partyToJson(action.party),
        },
        now,
      );
    } else {
      const existing = findCard(this.db, action.cardId);
      if (!existing) return;
      // Same nonce: if the first try reached Discord before a crash, this returns that message.
      if (existing.state === "ended")
        restartPost(this.db, existing.id, { nonce: existing.nonce, channelId: existing.channelId }, now);
      row = existing;
    }
    await this.send(row.id, row.channelId, row.nonce, action.party, action.card, now);
  }

  private async send(
    cardId: number,
    channelId: string,
    nonce: string,
    party: Party,
    card: RenderedCard,
    now: Date,
  ): Promise<void> {
    const created = createdMessage.parse(
      await this.call(() =>
        this.rest.post(Routes.channelMessages(channelId), {
          body: messageBody(card, { nonce, enforce_nonce: true }),
        }),
      ),
    );
    completePost(
      this.db,
      cardId,
      { messageId: created.id, hash: card.hash, partyJson: partyToJson(party) },
      now,
    );
    this.log.info({ cardId, channelId, sessionId: party.sessionId }, "party card posted");
  }

  private async edit(guildId: string, action: Extract<Action, { kind: "edit" }>, now: Date): Promise<void> {
    const row = findCard(this.db, action.cardId);
    if (!row) return;
    if (row.messageId === null) {
      await this.send(row.id, row.channelId, row.nonce, action.party, action.card, now);
      return;
    }
    // A tick announces in two passes (online members first); a card already written
    // this tick waits for the next one, so it is edited at most once per tick.
    if (row.updatedAt.getTime() === now.getTime()) return;
    try {
      await this.call(() =>
        this.rest.patch(Routes.channelMessage(row.channelId, row.messageId as string), {
          body: messageBody(action.card),
        }),
      );
      recordEdit(this.db, row.id, { hash: action.card.hash, partyJson: partyToJson(action.party) }, now);
    } catch (err) {
      const code = discordCodeOf(err);
      if (code === DiscordCode.unknownMessage) {
        // Someone deleted the card while the party lives: post it again, on the same row, with a new nonce.
        this.log.info(
          { cardId: row.id, sessionId: row.sessionId },
          "party card was deleted; posting it again",
        );
        const nonce = newNonce();
        restartPost(this.db, row.id, { nonce, channelId: row.channelId }, now);
        await this.send(row.id, row.channelId, nonce, action.party, action.card, now);
        return;
      }
      if (code === DiscordCode.tooOldToEdit) {
        // Discord no longer lets us edit it: the old card is left as history and a new one replaces it.
        this.log.info(
          { cardId: row.id, sessionId: row.sessionId },
          "party card too old to edit; posting a new one",
        );
        markEnded(this.db, row.id, now, now);
        const fresh = beginPost(
          this.db,
          {
            guildId,
            sessionId: row.sessionId,
            channelId: row.channelId,
            nonce: newNonce(),
            partyJson: partyToJson(action.party),
          },
          now,
        );
        await this.send(fresh.id, fresh.channelId, fresh.nonce, action.party, action.card, now);
        return;
      }
      throw err;
    }
  }

  private async end(action: Extract<Action, { kind: "end" }>, now: Date): Promise<void> {
    const row = findCard(this.db, action.cardId);
    if (!row) return;
    if (row.messageId !== null) {
      try {
        await this.call(() =>
          this.rest.patch(Routes.channelMessage(row.channelId, row.messageId as string), {
            body: messageBody(action.card),
          }),
        );
      } catch (err) {
        const code = discordCodeOf(err);
        // Gone or frozen: nothing left to grey out, the card is over either way.
        if (code !== DiscordCode.unknownMessage && code !== DiscordCode.tooOldToEdit) throw err;
      }
    }
    markEnded(this.db, row.id, now, now, action.card.hash);
    this.log.info({ cardId: row.id, sessionId: row.sessionId }, "party card ended");
  }

  /** Turns Discord's access refusals into GuildPaused; everything else passes through. */
  private async call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      const code = discordCodeOf(err);
      if (code !== null && PAUSING.has(code)) throw new GuildPaused(code);
      throw err;
    }
  }
}
