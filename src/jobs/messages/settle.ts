/**
 * Settling a kept message's row (a card, a board) that has no message id: did Discord
 * create its message or not?
 *
 * The row is written (`posting`, with its nonce) before the create call and completed
 * after. When the answer never arrives (a crash, a lost response), a repeat of the call
 * with the same nonce returns the first message, but only while Discord still honours
 * `enforce_nonce` ("a few minutes"). Past that, a repeat would post a second message and
 * leave the first one live and untracked, so the bot looks before acting: it reads the
 * channel's recent messages and adopts its own message for that row. Ending such a row
 * always looks first: an ended card must never be posted just to be greyed out.
 *
 * Pure: protocol.ts does the reading and the writing.
 */
import { PermissionFlagsBits } from "discord.js";

/** A kept message's row: being posted, shown, or (a card) ended. */
export type MessageState = "posting" | "live" | "ended";

/**
 * How long after its row was written a nonce is still trusted to deduplicate a repeat.
 * Discord documents "a few minutes" without a number (the simulator models 5); two keeps
 * a margin, and the row's write comes before Discord starts counting, never after.
 */
export const NONCE_TRUSTED_MS = 2 * 60_000;

/** Messages read back when looking for a kept message: pages of Discord's maximum, newest first. */
export const LOOK_BACK_PAGE = 100;
/**
 * At most this many pages (300 messages): a party channel holds mostly cards, and the
 * message looked for was posted minutes to hours ago. One buried deeper in a busy channel
 * is not found and a new one is posted; the bound keeps one settle to a few requests.
 */
export const LOOK_BACK_PAGES = 3;

/** What the bot is about to do with a row that has no message id. */
export type SettlePurpose = "show" | "end";

export type SettleNeed =
  /** Send again on the row's nonce: Discord returns the first message if it was created. */
  | "resend"
  /** Read the channel first. */
  | "look";

/** Whether a row without a message may be sent again on its nonce, or must be looked for first. */
export function settleNeed(
  row: { state: MessageState; updatedAt: Date },
  purpose: SettlePurpose,
  now: Date,
): SettleNeed {
  if (purpose === "end") return "look";
  // An ended card never posted comes back with its party: its nonce is as old as its end.
  if (row.state !== "posting") return "look";
  return now.getTime() - row.updatedAt.getTime() < NONCE_TRUSTED_MS ? "resend" : "look";
}

/** A message read back from the channel, reduced to what tells which kept message it is. */
export interface SeenMessage {
  id: string;
  authorId: string;
  /** Its buttons that carry a custom_id. */
  buttons: readonly { customId: string; disabled: boolean }[];
  /** Its embeds' footer texts (the presence board is known by its footer). */
  footers?: readonly string[];
}

export interface SettleInput {
  /** null: the gateway has not said who the bot is yet. */
  botUserId: string | null;
  /** The bot's permissions in the channel (gateway cache, overwrites applied); null when unknown. */
  permissions: bigint | null;
  /** The channel's recent messages as Discord listed them. */
  messages: readonly SeenMessage[];
  /** Message ids some row already shows (another card of the same party, history): never adopted. */
  tracked: ReadonlySet<string>;
  /** Whether this message of the bot's is the one the row is about. */
  isOurs(message: SeenMessage, botUserId: string): boolean;
}

export type Settlement =
  /** Found: the row takes this message; the others are live duplicates the bot made, and are deleted. */
  | { kind: "adopt"; messageId: string; duplicates: string[] }
  /** Nothing of ours: post anew (on a new nonce), or end without Discord. */
  | { kind: "none" }
  /** Without Read Message History Discord lists nothing, which proves nothing: pause, never post blind. */
  | { kind: "pause" }
  /** Who the bot is or what it may do is not known yet: try again on the next tick. */
  | { kind: "retry"; why: string };

/** The look, for any message the bot keeps exactly once: `isOurs` says which of the bot's messages it is. */
export function settleMessage(input: SettleInput): Settlement {
  if (input.botUserId === null) return { kind: "retry", why: "the bot's user id is not known yet" };
  const botUserId = input.botUserId;
  const ours = input.messages
    .filter((m) => !input.tracked.has(m.id) && input.isOurs(m, botUserId))
    .sort((a, b) => compareSnowflakes(a.id, b.id));
  const [first, ...rest] = ours;
  // The oldest is the first post (the one that mentioned the role); later ones are repeats.
  if (first) return { kind: "adopt", messageId: first.id, duplicates: rest.map((m) => m.id) };
  if (input.permissions === null)
    return { kind: "retry", why: "the bot's permissions in the channel are unknown" };
  if (!canReadHistory(input.permissions)) return { kind: "pause" };
  return { kind: "none" };
}

function canReadHistory(permissions: bigint): boolean {
  if ((permissions & PermissionFlagsBits.Administrator) !== 0n) return true;
  const needed = PermissionFlagsBits.ViewChannel | PermissionFlagsBits.ReadMessageHistory;
  return (permissions & needed) === needed;
}

function compareSnowflakes(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}
