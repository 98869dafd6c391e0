/**
 * One reconcile action applied to Discord, exactly once per card: the card row is
 * written before the call (state `posting`, with the nonce Discord sees, so a repeat
 * after a crash returns the first message) and completed after. A row whose nonce
 * Discord may have forgotten is settled by looking at the channel first (settle.ts).
 */
import { type REST, Routes } from "discord.js";
import { z } from "zod";
import type { RenderedCard } from "../../bot/embeds/partyCard.js";
import {
  adoptMessage,
  beginPost,
  type CardRow,
  completePost,
  findCard,
  markEnded,
  recordEdit,
  restartPost,
  trackedMessageIds,
} from "../../db/cards.js";
import type { Store } from "../../db/store.js";
import type { Party } from "../../domain/party.js";
import { partyToJson } from "../../domain/storedParty.js";
import type { Logger } from "../../log.js";
import type { CardActionKind, Metrics } from "../../metrics.js";
import type { Action } from "../reconcile.js";
import {
  type CardCall,
  DiscordCode,
  discordCodeOf,
  discordErrorDecision,
  type PauseDetail,
} from "./discordPolicy.js";
import { scheduleEndedDeletion } from "./endedDeletion.js";
import { newNonce } from "./nonce.js";
import {
  LOOK_BACK_PAGE,
  LOOK_BACK_PAGES,
  type SeenMessage,
  type SettlePurpose,
  settle,
  settleNeed,
} from "./settle.js";

/** The slice of discord.js's REST the card writer uses (client.rest). */
export type DiscordRest = Pick<REST, "post" | "patch" | "get" | "delete">;

/** What the card writer needs to know about the bot itself, from the gateway's cache (wired in app.ts). */
export interface BotView {
  /** The bot's user id; null before the gateway said. */
  userId(): string | null;
  /** The bot's permissions in a channel, overwrites applied; null when unknown. */
  permissionsIn(channelId: string): bigint | null;
}

export interface CardIo {
  db: Store;
  rest: DiscordRest;
  bot: BotView;
  log: Logger;
  metrics?: Metrics;
}

/** Discord refused access to the server's channel: the caller pauses the server. */
export class GuildPaused extends Error {
  constructor(
    readonly code: number,
    readonly detail?: PauseDetail,
  ) {
    super(`guild paused (${detail ?? code})`);
  }
}

const createdMessage = z.looseObject({ id: z.string() });

/** A message as Discord lists it: who wrote it and the custom_ids of its buttons (in action rows). */
const listedMessages = z.array(
  z.looseObject({
    id: z.string(),
    author: z.looseObject({ id: z.string() }),
    components: z
      .array(
        z.looseObject({
          components: z
            .array(z.looseObject({ custom_id: z.string().optional(), disabled: z.boolean().optional() }))
            .optional(),
        }),
      )
      .optional(),
    embeds: z.array(z.looseObject({ footer: z.looseObject({ text: z.string() }).optional() })).optional(),
  }),
);

function messageBody(card: RenderedCard, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ...(card.content !== null ? { content: card.content } : {}),
    embeds: card.embeds,
    components: card.components,
    allowed_mentions: card.allowedMentions,
    ...extra,
  };
}

/** Throws GuildPaused when the server must be paused, the error itself otherwise. */
export async function applyAction(io: CardIo, guildId: string, action: Action, now: Date): Promise<void> {
  switch (action.kind) {
    case "post":
      return post(io, guildId, action, now);
    case "edit":
      return edit(io, guildId, action, now);
    case "end":
      return end(io, action, now);
  }
}

async function post(
  io: CardIo,
  guildId: string,
  action: Extract<Action, { kind: "post" }>,
  now: Date,
): Promise<void> {
  if (action.cardId === null) {
    await postFresh(io, "post", { guildId, channelId: action.channelId }, action.party, action.card, now);
    return;
  }
  const existing = await findCard(io.db, action.cardId);
  if (!existing) return;
  await counted(io, "post", () => showUnsettled(io, existing, action.party, action.card, now));
}

/** A new card row (state `posting`, a fresh nonce) for the party, then its message. */
async function postFresh(
  io: CardIo,
  kind: "post" | "replace",
  where: { guildId: string; channelId: string },
  party: Party,
  card: RenderedCard,
  now: Date,
): Promise<void> {
  const row = await beginPost(
    io.db,
    { ...where, sessionId: party.sessionId, nonce: newNonce(), partyJson: partyToJson(party) },
    now,
  );
  await counted(io, kind, () => send(io, row.id, row.channelId, row.nonce, party, card, now));
}

/**
 * A card row without a message id, to be shown live: sent again on its nonce while
 * Discord still honours it (a create that did reach Discord returns that message);
 * past that, its message is looked for in the channel, adopted and brought up to date
 * if found, and posted afresh on a new nonce only if not.
 */
async function showUnsettled(
  io: CardIo,
  row: CardRow,
  party: Party,
  card: RenderedCard,
  now: Date,
): Promise<void> {
  if (settleNeed(row, "show", now) === "resend") {
    await send(io, row.id, row.channelId, row.nonce, party, card, now);
    return;
  }
  const found = await lookFor(io, row, "show", now);
  if (found === null) {
    const nonce = newNonce();
    await restartPost(io.db, row.id, { nonce, channelId: row.channelId }, now);
    await send(io, row.id, row.channelId, nonce, party, card, now);
    return;
  }
  // The edit flavour: the role was mentioned (or not) by the first post, an edit never pings.
  await call("edit", () =>
    io.rest.patch(Routes.channelMessage(row.channelId, found), {
      body: messageBody({ ...card, content: null }),
    }),
  );
  await recordEdit(io.db, row.id, { hash: card.hash, partyJson: partyToJson(party) }, now);
}

/**
 * Reads the channel back for the row's card. Found: any further live copies, duplicates
 * the bot made, are deleted and the row adopts the first (written before anything else
 * is done to it). Returns the adopted message id, or null when Discord holds no card of
 * this party. Throws GuildPaused when the channel cannot be read, so nothing is posted blind.
 */
async function lookFor(io: CardIo, row: CardRow, purpose: SettlePurpose, now: Date): Promise<string | null> {
  const messages = await readRecentMessages(io, row.channelId);
  const settlement = settle({
    sessionId: row.sessionId,
    botUserId: io.bot.userId(),
    permissions: io.bot.permissionsIn(row.channelId),
    messages,
    tracked: await trackedMessageIds(
      io.db,
      messages.map((m) => m.id),
    ),
  });
  const where = { cardId: row.id, sessionId: row.sessionId, channelId: row.channelId, purpose };
  switch (settlement.kind) {
    case "pause":
      throw new GuildPaused(DiscordCode.missingPermissions, "readHistory");
    case "retry":
      throw new Error(`cannot look for the card yet: ${settlement.why}`);
    case "none":
      io.log.info(where, "no message of this card in the channel; it was never created");
      return null;
    case "adopt": {
      // Copies first: a crash half way leaves the row unsettled, and the next look finds
      // what is left; adopting first would leave the copies live and never looked at again.
      for (const id of settlement.duplicates) {
        try {
          await call("end", () => io.rest.delete(Routes.channelMessage(row.channelId, id)));
        } catch (err) {
          if (discordErrorDecision(discordCodeOf(err), "end") !== "settled") throw err;
        }
      }
      await adoptMessage(io.db, row.id, settlement.messageId, now);
      io.log.info(
        { ...where, messageId: settlement.messageId, duplicates: settlement.duplicates.length },
        "party card found in the channel; its create answer was lost",
      );
      return settlement.messageId;
    }
  }
}

/** The channel's recent messages, newest first, a bounded number of pages back (the board reads them too). */
export async function readRecentMessages(
  io: Pick<CardIo, "rest">,
  channelId: string,
): Promise<SeenMessage[]> {
  const seen: SeenMessage[] = [];
  let before: string | undefined;
  for (let page = 0; page < LOOK_BACK_PAGES; page++) {
    const query = new URLSearchParams({ limit: String(LOOK_BACK_PAGE), ...(before ? { before } : {}) });
    const listed = listedMessages.parse(
      await call("look", () => io.rest.get(Routes.channelMessages(channelId), { query })),
    );
    for (const m of listed) {
      seen.push({
        id: m.id,
        authorId: m.author.id,
        buttons: (m.components ?? []).flatMap((r) =>
          (r.components ?? []).flatMap((c) =>
            c.custom_id === undefined ? [] : [{ customId: c.custom_id, disabled: c.disabled ?? false }],
          ),
        ),
        footers: (m.embeds ?? []).flatMap((e) => (e.footer ? [e.footer.text] : [])),
      });
    }
    if (listed.length < LOOK_BACK_PAGE) break;
    before = listed[listed.length - 1]?.id;
  }
  return seen;
}

async function send(
  io: CardIo,
  cardId: number,
  channelId: string,
  nonce: string,
  party: Party,
  card: RenderedCard,
  now: Date,
): Promise<void> {
  const created = createdMessage.parse(
    await call("post", () =>
      io.rest.post(Routes.channelMessages(channelId), {
        body: messageBody(card, { nonce, enforce_nonce: true }),
      }),
    ),
  );
  await completePost(
    io.db,
    cardId,
    { messageId: created.id, hash: card.hash, partyJson: partyToJson(party) },
    now,
  );
  io.log.info({ cardId, channelId, sessionId: party.sessionId }, "party card posted");
}

async function edit(
  io: CardIo,
  guildId: string,
  action: Extract<Action, { kind: "edit" }>,
  now: Date,
): Promise<void> {
  const row = await findCard(io.db, action.cardId);
  if (!row) return;
  if (row.messageId === null) {
    await counted(io, "post", () => showUnsettled(io, row, action.party, action.card, now));
    return;
  }
  // A tick hands over its parties in two passes (online members first); a card already
  // written this tick waits for the next one, so it is edited at most once per tick.
  if (row.updatedAt.getTime() === now.getTime()) return;
  try {
    await call("edit", () =>
      io.rest.patch(Routes.channelMessage(row.channelId, row.messageId as string), {
        body: messageBody(action.card),
      }),
    );
    await recordEdit(io.db, row.id, { hash: action.card.hash, partyJson: partyToJson(action.party) }, now);
    countResult(io, "edit", null);
  } catch (err) {
    switch (discordErrorDecision(discordCodeOf(err), "edit")) {
      case "repost": {
        io.log.info({ cardId: row.id, sessionId: row.sessionId }, "party card was deleted; posting it again");
        const nonce = newNonce();
        await restartPost(io.db, row.id, { nonce, channelId: row.channelId }, now);
        await counted(io, "repost", () =>
          send(io, row.id, row.channelId, nonce, action.party, action.card, now),
        );
        return;
      }
      case "replace": {
        io.log.info(
          { cardId: row.id, sessionId: row.sessionId },
          "party card too old to edit; posting a new one",
        );
        await markEnded(io.db, row.id, now, now);
        await postFresh(io, "replace", { guildId, channelId: row.channelId }, action.party, action.card, now);
        return;
      }
      default:
        countResult(io, "edit", err);
        throw err;
    }
  }
}

async function end(io: CardIo, action: Extract<Action, { kind: "end" }>, now: Date): Promise<void> {
  const row = await findCard(io.db, action.cardId);
  if (!row) return;
  // Ended while `posting`: Discord may hold its message with live buttons. Find it first.
  const messageId = row.messageId ?? (await lookFor(io, row, "end", now));
  if (messageId !== null) {
    await counted(io, "end", async () => {
      try {
        await call("end", () =>
          io.rest.patch(Routes.channelMessage(row.channelId, messageId), { body: messageBody(action.card) }),
        );
      } catch (err) {
        if (discordErrorDecision(discordCodeOf(err), "end") !== "settled") throw err;
      }
    });
  }
  await markEnded(io.db, row.id, now, now, action.card.hash);
  if (messageId !== null) await scheduleEndedDeletion(io, row, now);
  io.log.info({ cardId: row.id, sessionId: row.sessionId }, "party card ended");
}

/** Counts one card write in Discord by how it ended; `err` null for success. */
function countResult(io: CardIo, kind: CardActionKind, err: unknown): void {
  const result = err === null ? "ok" : err instanceof GuildPaused ? "paused" : "failed";
  io.metrics?.cardActions.inc({ kind, result });
}

async function counted(io: CardIo, kind: CardActionKind, write: () => Promise<void>): Promise<void> {
  try {
    await write();
  } catch (err) {
    countResult(io, kind, err);
    throw err;
  }
  countResult(io, kind, null);
}

/** One Discord call; a refusal that pauses the server comes out as GuildPaused. */
export async function call<T>(during: CardCall, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    const code = discordCodeOf(err);
    if (code !== null && discordErrorDecision(code, during) === "pause") throw new GuildPaused(code);
    throw err;
  }
}
