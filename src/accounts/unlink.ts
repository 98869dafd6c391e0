/** /unlink: everything the bot keeps about a member goes, in one transaction (src/db/members.ts). */
import { eraseMember, type UnlinkSummary } from "../db/members.js";
import type { Store } from "../db/store.js";

export type { UnlinkSummary };

export async function unlinkMember(db: Store, discordUserId: string): Promise<UnlinkSummary> {
  return await eraseMember(db, discordUserId);
}
