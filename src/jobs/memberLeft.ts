/**
 * A member who leaves a server stops being announced there: their opt-in goes, their
 * live cards in that server end at once (as the next poll would end them), and the
 * presence board drops them on its next update. Other servers are untouched.
 */

import type { Db } from "../db/client.js";
import { listOptIns, optOut } from "../db/guildMembers.js";
import type { Logger } from "../log.js";

export interface MemberLeftDeps {
  db: Db;
  cards: { endCardsOfUser(discordUserId: string, onlyGuildId?: string): Promise<void> };
  log: Logger;
}

export async function memberLeft(
  deps: MemberLeftDeps,
  guildId: string,
  discordUserId: string,
): Promise<void> {
  if (!optOut(deps.db, guildId, discordUserId)) return;
  deps.log.info({ guildId, user: discordUserId }, "a member left the server; no longer announced there");
  await deps.cards.endCardsOfUser(discordUserId, guildId);
}

/**
 * Whether a user is still a member of a server: true, false (Discord says Unknown
 * Member), or null when it cannot tell (the server is not available, a network error).
 */
export type MembershipCheck = (guildId: string, discordUserId: string) => Promise<boolean | null>;

/**
 * At start-up: members who left while the bot was down (Discord does not replay the
 * events) are found by asking Discord about each opt-in in the servers the bot is in.
 * One request per opt-in, one at a time, in the background.
 */
export async function sweepDepartedMembers(
  deps: MemberLeftDeps,
  guildIds: ReadonlySet<string>,
  isMember: MembershipCheck,
): Promise<number> {
  let left = 0;
  for (const { guildId, discordUserId } of listOptIns(deps.db)) {
    if (!guildIds.has(guildId)) continue;
    const member = await isMember(guildId, discordUserId).catch(() => null);
    if (member !== false) continue;
    await memberLeft(deps, guildId, discordUserId);
    left++;
  }
  return left;
}
