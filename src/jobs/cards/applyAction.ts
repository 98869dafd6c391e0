/**
 * One reconcile action applied to Discord, exactly once per card: the card row is
 * written before the call (state `posting`, with the nonce Discord sees, so a repeat
 * after a crash returns the first message) and completed after.
 */
import { type REST, Routes } from "discord.js";
import { z } from "zod";
import type { RenderedCard } from "../../bot/embeds/partyCard.js";
import {
  beginPost,
  type CardRow,
  completePost,
  findCard,
  markEnded,
  recordEdit,
  restartPost,
} from "../../db/cards.js";
import type { Db } from "../../db/client.js";
import type { Party } from "../../domain/party.js";
import { partyToJson } from "../../domain/storedParty.js";
import type { Logger } from "../../log.js";
import type { CardActionKind, Metrics } from "../../metrics.js";
import type { Action } from "../reconcile.js";
import { type CardCall, discordCodeOf, discordErrorDecision } from "./discordPolicy.js";
import { newNonce } from "./nonce.js";

/** The slice of discord.js's REST the card writer uses (client.rest). */
export type DiscordRest = Pick<REST, "post" | "patch">;

export interface CardIo {
  db: Db;
  rest: DiscordRest;
  log: Logger;
  metrics?: Metrics;
}

/** Discord refused access to the server's channel: the caller pauses the server. */
export class GuildPaused extends Error {
  constructor(readonly code: number) {
    super(`guild paused (${code})`);
  }
}

const createdMessage = z.looseObject({ id: z.string() });

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
  let row: CardRow;
  if (action.cardId === null) {
    row = beginPost(
      io.db,
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
    const existing = findCard(io.db, action.cardId);
    if (!existing) return;
    // Same nonce: if the first try reached Discord before a crash, this returns that message.
    if (existing.state === "ended")
      restartPost(io.db, existing.id, { nonce: existing.nonce, channelId: existing.channelId }, now);
    row = existing;
  }
  await counted(io, "post", () => send(io, row.id, row.channelId, row.nonce, action.party, action.card, now));
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
  completePost(io.db, cardId, { messageId: created.id, hash: card.hash, partyJson: partyToJson(party) }, now);
  io.log.info({ cardId, channelId, sessionId: party.sessionId }, "party card posted");
}

async function edit(
  io: CardIo,
  guildId: string,
  action: Extract<Action, { kind: "edit" }>,
  now: Date,
): Promise<void> {
  const row = findCard(io.db, action.cardId);
  if (!row) return;
  if (row.messageId === null) {
    await counted(io, "post", () =>
      send(io, row.id, row.channelId, row.nonce, action.party, action.card, now),
    );
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
    recordEdit(io.db, row.id, { hash: action.card.hash, partyJson: partyToJson(action.party) }, now);
    countResult(io, "edit", null);
  } catch (err) {
    switch (discordErrorDecision(discordCodeOf(err), "edit")) {
      case "repost": {
        io.log.info({ cardId: row.id, sessionId: row.sessionId }, "party card was deleted; posting it again");
        const nonce = newNonce();
        restartPost(io.db, row.id, { nonce, channelId: row.channelId }, now);
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
        markEnded(io.db, row.id, now, now);
        const fresh = beginPost(
          io.db,
          {
            guildId,
            sessionId: row.sessionId,
            channelId: row.channelId,
            nonce: newNonce(),
            partyJson: partyToJson(action.party),
          },
          now,
        );
        await counted(io, "replace", () =>
          send(io, fresh.id, fresh.channelId, fresh.nonce, action.party, action.card, now),
        );
        return;
      }
      default:
        countResult(io, "edit", err);
        throw err;
    }
  }
}

async function end(io: CardIo, action: Extract<Action, { kind: "end" }>, now: Date): Promise<void> {
  const row = findCard(io.db, action.cardId);
  if (!row) return;
  if (row.messageId !== null) {
    const messageId = row.messageId;
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
  markEnded(io.db, row.id, now, now, action.card.hash);
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
async function call<T>(during: CardCall, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    const code = discordCodeOf(err);
    if (code !== null && discordErrorDecision(code, during) === "pause") throw new GuildPaused(code);
    throw err;
  }
}
