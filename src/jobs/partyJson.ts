/**
 * The party as last shown on a card, kept on the card row so the card can be
 * rendered ended after the party (or the bot's memory of it) is gone.
 */
import { z } from "zod";
import type { Party } from "../domain/party.js";

export function partyToJson(party: Party): string {
  return JSON.stringify(party);
}

const date = z.coerce.date();
const member = z.object({
  accountId: z.string(),
  onlineId: z.string(),
  platform: z.string().nullable(),
  discordUserId: z.string().nullable(),
});
const game = z.object({
  titleId: z.string().nullable(),
  name: z.string(),
  iconUrl: z.string().nullable(),
  status: z.string().nullable(),
});
const partySchema = z.object({
  sessionId: z.string(),
  name: z.string().nullable(),
  host: member,
  members: z.array(member),
  maxMembers: z.number().nullable(),
  joinability: z.enum(["open", "request", "invite"]),
  game: game.nullable(),
  platform: z.string().nullable(),
  firstSeenAt: date,
  shareUrl: z.string().nullable(),
  joinableFrom: z.array(z.string()).nullable(),
  startedAt: date.nullable(),
  imageUrl: z.string().nullable(),
});

/** The stored party, or null when the row holds something older or damaged. */
export function partyFromJson(json: string): Party | null {
  try {
    const parsed = partySchema.safeParse(JSON.parse(json));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
