/**
 * What the database keeps as JSON and reads back: the party as last shown on a card
 * (so the card can be rendered ended after the party, or the bot's memory of it, is
 * gone) and a member's last presence game (shown on the cards of parties they host).
 * Reading is strict: a row written by an older version, or damaged, reads as null.
 */
import { z } from "zod";
import type { GameTitle } from "../psn/types.js";
import type { Party } from "./party.js";

/** A game as stored on its own (users.game_json) and inside a stored party. */
export const gameTitle: z.ZodType<GameTitle> = z.object({
  titleId: z.string().nullable(),
  name: z.string(),
  iconUrl: z.string().nullable(),
  status: z.string().nullable(),
});

const date = z.coerce.date();
const member = z.object({
  accountId: z.string(),
  onlineId: z.string(),
  platform: z.string().nullable(),
  discordUserId: z.string().nullable(),
});
const partySchema = z.object({
  sessionId: z.string(),
  name: z.string().nullable(),
  host: member,
  members: z.array(member),
  maxMembers: z.number().nullable(),
  joinability: z.enum(["open", "request", "invite"]),
  game: gameTitle.nullable(),
  platform: z.string().nullable(),
  firstSeenAt: date,
  shareUrl: z.string().nullable(),
  joinableFrom: z.array(z.string()).nullable(),
  startedAt: date.nullable(),
  imageUrl: z.string().nullable(),
  // Rows written before the field existed show a party the bot could see.
  unseenReason: z.enum(["relinkNeeded"]).nullable().default(null),
});

function parseJson<T>(schema: z.ZodType<T>, json: string): T | null {
  try {
    const parsed = schema.safeParse(JSON.parse(json));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export function partyToJson(party: Party): string {
  return JSON.stringify(party);
}

/** The stored party, or null when the row holds something older or damaged. */
export function partyFromJson(json: string): Party | null {
  return parseJson(partySchema, json);
}

export function gameToJson(game: GameTitle): string {
  return JSON.stringify(game);
}

/** The stored game, or null when there is none or it is unreadable. */
export function gameFromJson(json: string | null): GameTitle | null {
  return json ? parseJson(gameTitle, json) : null;
}
