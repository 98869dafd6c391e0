/**
 * A member who leaves a server stops being announced there: their opt-in goes, their
 * live cards in that server end at once (as the next poll would end them), and the
 * presence board drops them on its next update. Other servers are untouched.
 */

import { listOptIns, optOut } from "../db/guildMembers.js";
import type { Store } from "../db/store.js";
import type { Logger } from "../log.js";

export interface MemberLeftDeps {
  db: Store;
  cards: { endCardsOfUser(discordUserId: string, onlyGuildId?: string): Promise<void> };
  log: Logger;
}

export async function memberLeft(
  deps: MemberLeftDeps,
  guildId: string,
  discordUserId: string,
): Promise<void> {
  if (!(await optOut(deps.db, guildId, discordUserId))) return;
  deps.log.info({ guildId, user: discordUserId }, "a member left the server; no longer announced there");
  await deps.cards.endCardsOfUser(discordUserId, guildId);
}

/**
 * Which of these users are still members of the server (Discord lists them), or null
 * when it cannot tell (the server is unavailable, no answer in time).
 */
export type MembershipCheck = (
  guildId: string,
  discordUserIds: readonly string[],
) => Promise<Set<string> | null>;

/** Users asked about at once: Discord answers a member request for at most 100 ids. */
export const MEMBERS_PER_REQUEST = 100;

/**
 * At start-up: members who left while the bot was down (Discord does not replay the
 * events) are found by asking Discord about the opted-in members of each server the
 * bot is in, 100 at a time over the gateway (no REST calls, so cards are not delayed).
 */
export async function sweepDepartedMembers(
  deps: MemberLeftDeps,
  guildIds: ReadonlySet<string>,
  stillMembers: MembershipCheck,
): Promise<number> {
  const byGuild = new Map<string, string[]>();
  for (const { guildId, discordUserId } of await listOptIns(deps.db)) {
    if (!guildIds.has(guildId)) continue;
    byGuild.set(guildId, [...(byGuild.get(guildId) ?? []), discordUserId]);
  }
  let left = 0;
  for (const [guildId, userIds] of byGuild) {
    for (let i = 0; i < userIds.length; i += MEMBERS_PER_REQUEST) {
      const batch = userIds.slice(i, i + MEMBERS_PER_REQUEST);
      const present = await stillMembers(guildId, batch).catch(() => null);
      if (present === null) continue;
      for (const userId of batch) {
        if (present.has(userId)) continue;
        await memberLeft(deps, guildId, userId);
        left++;
      }
    }
  }
  return left;
}
