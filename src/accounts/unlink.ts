/** /unlink: everything the bot keeps about a member goes, in one transaction. */
import type { Db } from "../db/client.js";
import { deleteFriendEdgesOf } from "../db/friends.js";
import { deleteOptInsOfMember, guildsOfMember } from "../db/guildMembers.js";
import { deleteInvitesOfUser } from "../db/invites.js";
import { deleteLinkTokensOfUser } from "../db/linkTokens.js";
import { forgetAccountBudget } from "../db/psnBudget.js";
import { deleteUser, findUser } from "../db/users.js";

export interface UnlinkSummary {
  /** The online id that was linked, or null when there was no link. */
  onlineId: string | null;
  /** Servers the member was announced in. */
  guildIds: string[];
  linkTokens: number;
  invites: number;
}

export function unlinkMember(db: Db, discordUserId: string): UnlinkSummary {
  return db.transaction((tx) => {
    const user = findUser(tx, discordUserId);
    const guildIds = guildsOfMember(tx, discordUserId);
    deleteOptInsOfMember(tx, discordUserId);
    const linkTokens = deleteLinkTokensOfUser(tx, discordUserId);
    // The invitation audit names the member as asker or sender; it goes with them.
    const removedInvites = deleteInvitesOfUser(tx, discordUserId);
    deleteUser(tx, discordUserId);
    // Erasure wins over the budget's memory on disk: the running bot still counts this
    // window's requests in memory, so only an unlink, a restart and a re-link within
    // one window would start the account afresh.
    if (user) forgetAccountBudget(tx, user.psnAccountId);
    // The friend graph keeps only linked members: who was friends with whom goes too.
    if (user) deleteFriendEdgesOf(tx, user.psnAccountId);
    return { onlineId: user?.psnOnlineId ?? null, guildIds, linkTokens, invites: removedInvites };
  });
}
