/**
 * The exactly-once protocol for a message the bot keeps in a channel: a party card, a
 * presence board. Written once here; cards/ and board/ say only what differs (which row
 * store, how their message is known in the channel, what it shows).
 *
 * - The row is claimed (state `posting`, with the nonce Discord will see) before the
 *   create call and completed after: a repeat on the same nonce, with `enforce_nonce`,
 *   returns the first message instead of posting a second.
 * - A row still `posting` past the nonce window is settled by looking before acting:
 *   the channel's recent messages are read, the bot's own copy adopted, extra copies
 *   deleted (settle.ts decides).
 * - A message Discord will not edit any more (30046) is replaced: the row first records
 *   the old message as the one to retire and goes back to `posting` on a fresh nonce;
 *   then the old message is deleted, then the new one posted on that nonce. Deleted
 *   first, so there are never two live copies; recorded first, so a delete that fails
 *   or a crash at any point leaves a row that deletes the old message before it posts
 *   anything (retire), and posts the replacement at most once (the nonce). A message
 *   Discord refuses to delete as well stays the row's business until Discord lets it go.
 * - Discord refusing the channel (50001, 50013, 10003) comes out as AccessLost: the user
 *   pauses its server (cards) or its board and stores why (discordPolicy.ts).
 */
import { type REST, Routes } from "discord.js";
import { z } from "zod";
import type { Logger } from "../../log.js";
import {
  DiscordCode,
  discordCodeOf,
  discordErrorDecision,
  type MessageCall,
  type PauseDetail,
} from "./discordPolicy.js";
import { newNonce } from "./nonce.js";
import {
  LOOK_BACK_PAGE,
  LOOK_BACK_PAGES,
  type MessageState,
  type SeenMessage,
  type SettlePurpose,
  settleMessage,
  settleNeed,
} from "./settle.js";

/** The slice of discord.js's REST the protocol uses (client.rest). */
export type DiscordRest = Pick<REST, "post" | "patch" | "get" | "delete">;

/** What the writers need to know about the bot itself, from the gateway's cache (wired in app.ts). */
export interface BotView {
  /** The bot's user id; null before the gateway said. */
  userId(): string | null;
  /** The bot's permissions in a channel, overwrites applied; null when unknown. */
  permissionsIn(channelId: string): bigint | null;
}

export interface MessageIo {
  rest: DiscordRest;
  bot: BotView;
  log: Logger;
}

/** Discord refused access to the message's channel: the caller pauses (the server's cards, the board). */
export class AccessLost extends Error {
  constructor(
    readonly code: number,
    readonly detail?: PauseDetail,
  ) {
    super(`access lost (${detail ?? code})`);
  }
}

/** A kept message's row, as the protocol reads it. */
export interface KeptRow {
  channelId: string;
  messageId: string | null;
  /** A message being replaced (30046): deleted before anything is posted, until the replacement exists. */
  retiringMessageId: string | null;
  nonce: string;
  state: MessageState;
  updatedAt: Date;
}

/**
 * One kept message, as its user describes it: how its message is known in the channel,
 * and how its row records each step. Built per row (and per rendering) by the user.
 */
export interface KeptMessage {
  /** Log fields naming it (card id and session, or the server). */
  where: Record<string, unknown>;
  /** For log lines: "party card", "presence board". */
  noun: string;
  isOurs(message: SeenMessage, botUserId: string): boolean;
  /** Which of these message ids another row of the same kind already shows: never adopted. */
  tracked(messageIds: readonly string[]): Promise<ReadonlySet<string>>;
  /** Back to `posting` on a new nonce, without a message (gone, or never found). */
  restart(nonce: string, now: Date): Promise<void>;
  /** Back to `posting` on a new nonce, its message recorded as the one to retire (replaced: 30046). */
  replace(retiringMessageId: string, nonce: string, now: Date): Promise<void>;
  /**
   * Its message exists: posted (`hash` of what it shows) or returned on a repeated nonce
   * (null: unknown). Any message it replaced is forgotten: retired before it was posted.
   */
  complete(messageId: string, hash: string | null, now: Date): Promise<void>;
  /** Its message was found in the channel after a lost answer (what it shows is unknown); as complete. */
  adopt(messageId: string, now: Date): Promise<void>;
  /** An edit went through. */
  edited(hash: string, now: Date): Promise<void>;
}

/** What a kept message shows: the create body, the edit body, and the hash of both. */
export interface Rendered {
  post: Record<string, unknown>;
  edit: Record<string, unknown>;
  hash: string;
}

/** How a write ended, for the writers' counters. */
export type Written = "posted" | "edited" | "reposted" | "replaced" | "gone";

const createdMessage = z.looseObject({ id: z.string() });

/** A message as Discord lists it: who wrote it, its buttons' custom_ids (in action rows), its footers. */
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

/** One Discord call; a refusal that pauses comes out as AccessLost. */
export async function call<T>(during: MessageCall, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    const code = discordCodeOf(err);
    if (code !== null && discordErrorDecision(code, during) === "pause") throw new AccessLost(code);
    throw err;
  }
}

/**
 * Creates the message on the row's nonce and records it. `hash` null when what it shows
 * is not known: a repeat on a nonce Discord already used returns the first message.
 */
export async function send(
  io: MessageIo,
  kept: KeptMessage,
  row: Pick<KeptRow, "channelId">,
  nonce: string,
  rendered: Rendered,
  hash: string | null,
  now: Date,
): Promise<string> {
  const created = createdMessage.parse(
    await call("post", () =>
      io.rest.post(Routes.channelMessages(row.channelId), {
        body: { ...rendered.post, nonce, enforce_nonce: true },
      }),
    ),
  );
  await kept.complete(created.id, hash, now);
  io.log.info({ ...kept.where, channelId: row.channelId }, `${kept.noun} posted`);
  return created.id;
}

/** Back to `posting` on a fresh nonce, then posted: for a message that is gone, replaced, or never was. */
export async function repost(
  io: MessageIo,
  kept: KeptMessage,
  row: Pick<KeptRow, "channelId">,
  rendered: Rendered,
  now: Date,
): Promise<string> {
  const nonce = newNonce();
  await kept.restart(nonce, now);
  return send(io, kept, row, nonce, rendered, rendered.hash, now);
}

/**
 * A row without a message id, to be shown: any message it replaces is deleted first (a
 * refused delete throws, and nothing is posted beside it); then it is sent again on its
 * nonce while Discord still honours it; past that, its message is looked for in the
 * channel, adopted and brought up to date if found (as any edit: replaced if too old),
 * and posted afresh on a new nonce only if not. Returns the message the row shows.
 */
export async function showUnsettled(
  io: MessageIo,
  kept: KeptMessage,
  row: KeptRow,
  rendered: Rendered,
  now: Date,
): Promise<string> {
  await retire(io, kept, row);
  if (settleNeed(row, "show", now) === "resend") {
    // A repeat on the nonce returns the first message, which may show an older rendering:
    // what it shows is not known (no hash), so the next pass brings it up to date.
    return send(io, kept, row, row.nonce, rendered, null, now);
  }
  const found = await settleByLooking(io, kept, row.channelId, "show", now);
  if (found === null) return repost(io, kept, row, rendered, now);
  const shown = { channelId: row.channelId, messageId: found };
  return (await editOrReplace(io, kept, shown, rendered, "edit", now)).messageId ?? found;
}

/**
 * Deletes the message the row is replacing, if any. Throws when Discord refuses (a 5xx, a
 * network error): the caller stops there, and the next tick tries again, so the old
 * message is never left live beside its replacement, nor forgotten.
 */
export async function retire(
  io: MessageIo,
  kept: KeptMessage,
  row: Pick<KeptRow, "channelId" | "retiringMessageId">,
): Promise<void> {
  if (row.retiringMessageId === null) return;
  await deleteMessage(io, row.channelId, row.retiringMessageId);
  io.log.info({ ...kept.where, messageId: row.retiringMessageId }, `replaced ${kept.noun} deleted`);
}

/**
 * Edits the row's message (`during` "end": its last edit). Gone while it should be
 * shown: posted again on the row. Too old to edit (30046): replaced, the old one recorded
 * on the row, then deleted, then the new one posted. Gone at its last edit: nothing to
 * do. Returns how it went; throws AccessLost when the channel is refused, the error
 * itself when the next tick should try again.
 */
export async function editOrReplace(
  io: MessageIo,
  kept: KeptMessage,
  row: Pick<KeptRow, "channelId"> & { messageId: string },
  rendered: Rendered,
  during: "edit" | "end",
  now: Date,
): Promise<{ written: Written; messageId: string | null }> {
  try {
    await call(during, () =>
      io.rest.patch(Routes.channelMessage(row.channelId, row.messageId), { body: rendered.edit }),
    );
    await kept.edited(rendered.hash, now);
    return { written: "edited", messageId: row.messageId };
  } catch (err) {
    const code = discordCodeOf(err);
    switch (discordErrorDecision(code, during)) {
      case "settled":
        return { written: "gone", messageId: null };
      case "repost":
        io.log.info(kept.where, `${kept.noun} was deleted; posting it again`);
        return { written: "reposted", messageId: await repost(io, kept, row, rendered, now) };
      case "replace": {
        io.log.info(kept.where, `${kept.noun} too old to edit; a new one replaces it`);
        const nonce = newNonce();
        await kept.replace(row.messageId, nonce, now);
        await retire(io, kept, { channelId: row.channelId, retiringMessageId: row.messageId });
        const messageId = await send(io, kept, row, nonce, rendered, rendered.hash, now);
        return { written: "replaced", messageId };
      }
      default:
        throw err;
    }
  }
}

/**
 * Reads the channel back for the row's message. Found: any further copies, duplicates
 * the bot made, are deleted and the row adopts the first (written before anything else
 * is done to it). Returns the adopted message id, or null when Discord holds none.
 * Throws AccessLost when the channel cannot be read, so nothing is posted blind.
 */
export async function settleByLooking(
  io: MessageIo,
  kept: KeptMessage,
  channelId: string,
  purpose: SettlePurpose,
  now: Date,
): Promise<string | null> {
  const [found, ...duplicates] = await findOurs(io, kept, channelId);
  const where = { ...kept.where, channelId, purpose };
  if (found === undefined) {
    io.log.info(where, `no ${kept.noun} in the channel; it was never created`);
    return null;
  }
  // Copies first: a crash half way leaves the row unsettled, and the next look finds
  // what is left; adopting first would leave the copies live and never looked at again.
  for (const id of duplicates) await deleteMessage(io, channelId, id);
  await kept.adopt(found, now);
  io.log.info(
    { ...where, messageId: found, duplicates: duplicates.length },
    `${kept.noun} found in the channel; its create answer was lost`,
  );
  return found;
}

/** The bot's copies of this message in the channel, oldest first (the first is the one to keep). */
export async function findOurs(io: MessageIo, kept: KeptMessage, channelId: string): Promise<string[]> {
  const messages = await readRecentMessages(io, channelId);
  const settlement = settleMessage({
    botUserId: io.bot.userId(),
    permissions: io.bot.permissionsIn(channelId),
    messages,
    tracked: await kept.tracked(messages.map((m) => m.id)),
    isOurs: kept.isOurs,
  });
  switch (settlement.kind) {
    case "pause":
      throw new AccessLost(DiscordCode.missingPermissions, "readHistory");
    case "retry":
      throw new Error(`cannot look for the ${kept.noun} yet: ${settlement.why}`);
    case "none":
      return [];
    case "adopt":
      return [settlement.messageId, ...settlement.duplicates];
  }
}

/** Deletes a message; one already gone is as good. */
export async function deleteMessage(io: MessageIo, channelId: string, messageId: string): Promise<void> {
  try {
    await call("delete", () => io.rest.delete(Routes.channelMessage(channelId, messageId)));
  } catch (err) {
    if (discordErrorDecision(discordCodeOf(err), "delete") !== "settled") throw err;
  }
}

/** The channel's recent messages, newest first, a bounded number of pages back. */
export async function readRecentMessages(
  io: Pick<MessageIo, "rest">,
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
