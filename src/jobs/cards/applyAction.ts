/**
 * One reconcile action applied to Discord, exactly once per card, through the message
 * protocol (messages/protocol.ts): this file says only what is a card's own, its row
 * (db/cards.ts), how its message is known (recognise.ts), what it shows, and that an
 * ended card stays as history.
 */
import type { RenderedCard } from "../../bot/embeds/partyCard.js";
import {
  adoptMessage,
  beginPost,
  beginReplace,
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
import type { CardActionKind, Metrics } from "../../metrics.js";
import { newNonce } from "../messages/nonce.js";
import {
  AccessLost,
  editOrReplace,
  type KeptMessage,
  type MessageIo,
  type Rendered,
  send,
  settleByLooking,
  showUnsettled,
  type Written,
} from "../messages/protocol.js";
import type { Action } from "../reconcile.js";
import { scheduleEndedDeletion } from "./endedDeletion.js";
import { isLiveCardOf } from "./recognise.js";

export interface CardIo extends MessageIo {
  db: Store;
  metrics?: Metrics;
}

function rendered(card: RenderedCard): Rendered {
  // An edit never pings: the role was mentioned (or not) by the first post.
  const edit = { embeds: card.embeds, components: card.components, allowed_mentions: card.allowedMentions };
  return { post: card.content === null ? edit : { content: card.content, ...edit }, edit, hash: card.hash };
}

/**
 * The card row as the protocol's kept message. `party` null: the card is ending, and its
 * row keeps the party it last showed (markEnded records the end after the protocol).
 */
function cardMessage(
  io: CardIo,
  row: Pick<CardRow, "id" | "sessionId" | "channelId">,
  party: Party | null,
): KeptMessage {
  const partyJson = party === null ? undefined : partyToJson(party);
  return {
    where: { cardId: row.id, sessionId: row.sessionId },
    noun: "party card",
    isOurs: isLiveCardOf(row.sessionId),
    tracked: async (ids) => await trackedMessageIds(io.db, ids),
    restart: async (nonce, now) => await restartPost(io.db, row.id, { nonce, channelId: row.channelId }, now),
    replace: async (retiringMessageId, nonce, now) =>
      await beginReplace(io.db, row.id, { nonce, retiringMessageId }, now),
    complete: async (messageId, hash, now) =>
      await completePost(io.db, row.id, { messageId, hash, partyJson }, now),
    adopt: async (messageId, now) => await adoptMessage(io.db, row.id, messageId, now),
    edited: async (hash, now) => {
      if (partyJson !== undefined) await recordEdit(io.db, row.id, { hash, partyJson }, now);
    },
  };
}

/** Throws AccessLost when the server must be paused, the error itself otherwise. */
export async function applyAction(io: CardIo, guildId: string, action: Action, now: Date): Promise<void> {
  switch (action.kind) {
    case "post":
      return post(io, guildId, action, now);
    case "edit":
      return edit(io, action, now);
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
    const row = await beginPost(
      io.db,
      {
        guildId,
        channelId: action.channelId,
        sessionId: action.party.sessionId,
        nonce: newNonce(),
        partyJson: partyToJson(action.party),
      },
      now,
    );
    const kept = cardMessage(io, row, action.party);
    await counted(io, "post", () =>
      send(io, kept, row, row.nonce, rendered(action.card), action.card.hash, now),
    );
    return;
  }
  const existing = await findCard(io.db, action.cardId);
  if (!existing) return;
  await counted(io, "post", () =>
    showUnsettled(io, cardMessage(io, existing, action.party), existing, rendered(action.card), now),
  );
}

async function edit(io: CardIo, action: Extract<Action, { kind: "edit" }>, now: Date): Promise<void> {
  const row = await findCard(io.db, action.cardId);
  if (!row) return;
  const kept = cardMessage(io, row, action.party);
  if (row.messageId === null) {
    await counted(io, "post", () => showUnsettled(io, kept, row, rendered(action.card), now));
    return;
  }
  // A tick hands over its parties in two passes (online members first); a card already
  // written this tick waits for the next one, so it is edited at most once per tick.
  if (row.updatedAt.getTime() === now.getTime()) return;
  const shown = { ...row, messageId: row.messageId };
  await countedWrite(io, "edit", () => editOrReplace(io, kept, shown, rendered(action.card), "edit", now));
}

async function end(io: CardIo, action: Extract<Action, { kind: "end" }>, now: Date): Promise<void> {
  const row = await findCard(io.db, action.cardId);
  if (!row) return;
  const kept = cardMessage(io, row, null);
  let messageId: string | null;
  if (row.messageId === null && row.retiringMessageId !== null) {
    // Ended half way through a replacement (30046): the live message goes first (until
    // Discord lets it, the card is not ended), then the ended copy is posted on the row's
    // nonce, at most once.
    messageId = await counted(io, "end", () => showUnsettled(io, kept, row, rendered(action.card), now));
  } else {
    // Ended while `posting`: Discord may hold its message with live buttons. Find it first.
    messageId = row.messageId ?? (await settleByLooking(io, kept, row.channelId, "end", now));
    if (messageId !== null) {
      // Too old to grey out (30046): an ended copy replaces it and the live one is deleted,
      // so no working Request-invite button outlives its party. Already gone (10008): the
      // card is over all the same.
      const shown = { ...row, messageId };
      const result = await countedWrite(io, "end", () =>
        editOrReplace(io, kept, shown, rendered(action.card), "end", now),
      );
      if (result.written !== "gone") messageId = result.messageId;
    }
  }
  await markEnded(io.db, row.id, now, now, action.card.hash);
  if (messageId !== null) await scheduleEndedDeletion(io, row, now);
  io.log.info({ cardId: row.id, sessionId: row.sessionId }, "party card ended");
}

/** Counts one card write in Discord by how it ended; `err` null for success. */
function countResult(io: CardIo, kind: CardActionKind, err: unknown): void {
  const result = err === null ? "ok" : err instanceof AccessLost ? "paused" : "failed";
  io.metrics?.cardActions.inc({ kind, result });
}

async function counted<T>(io: CardIo, kind: CardActionKind, write: () => Promise<T>): Promise<T> {
  let out: T;
  try {
    out = await write();
  } catch (err) {
    countResult(io, kind, err);
    throw err;
  }
  countResult(io, kind, null);
  return out;
}

/** An edit (or last edit) counted under what it turned into: a repost or a replacement. */
async function countedWrite(
  io: CardIo,
  kind: "edit" | "end",
  write: () => Promise<{ written: Written; messageId: string | null }>,
): Promise<{ written: Written; messageId: string | null }> {
  try {
    const out = await write();
    countResult(
      io,
      out.written === "reposted" ? "repost" : out.written === "replaced" ? "replace" : kind,
      null,
    );
    return out;
  } catch (err) {
    countResult(io, kind, err);
    throw err;
  }
}
