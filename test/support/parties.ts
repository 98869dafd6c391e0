/** Parties and members for the pure mirror tests (reconcile, the /unlink decision). */
import type { Party, PartyMember } from "../../src/domain/party.js";

export const NOW = new Date("2026-03-01T21:00:00Z");
export const STARTED = new Date("2026-03-01T20:00:00Z");

/** A PSN member; linked when it has a Discord user id. */
export const member = (onlineId: string, discordUserId: string | null): PartyMember => ({
  accountId: `acc-${onlineId}`,
  onlineId,
  platform: "PS5",
  discordUserId,
});
export const alice = member("alice", "d-alice");
export const bob = member("bob", "d-bob");
export const stranger = member("stranger", null);

/** An open party hosted by alice, with a stranger in it, first seen an hour before NOW. */
export function party(sessionId: string, over: Partial<Party> = {}): Party {
  return {
    sessionId,
    name: null,
    host: alice,
    members: [alice, stranger],
    maxMembers: 16,
    joinability: "open",
    game: null,
    platform: "PS5",
    firstSeenAt: STARTED,
    shareUrl: "https://party.playstation.com/js_1",
    joinableFrom: null,
    startedAt: null,
    imageUrl: null,
    unseenReason: null,
    ...over,
  };
}
