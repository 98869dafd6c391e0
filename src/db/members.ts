/**
 * A member's link as a whole, each a unit of work in one transaction: made from a
 * sign-in (the link token spent, the account stored, the member announced where they
 * ran /link), erased by /unlink (everything the bot keeps about them).
 */
import { inTransaction, type Store } from "./client.js";
import { deleteFriendEdgesIn } from "./friends.js";
import { deleteOptInsOfMemberIn, guildsOfMemberIn, optInIn } from "./guildMembers.js";
import { deleteInvitesOfUserIn } from "./invites.js";
import { deleteLinkTokensOfUserIn, markLinkTokenUsedIn } from "./linkTokens.js";
import { forgetAccountBudgetIn } from "./psnBudget.js";
import { deleteUserIn, findUserIn, type LinkedAccount, upsertLinkedUserIn } from "./users.js";

/**
 * Spends the link token and stores the account it signed in (announced in `guildId`
 * when given), together: false, and nothing stored, when the token was spent already
 * (a second submission raced this one).
 */
export async function linkWithToken(
  store: Store,
  tokenHash: string,
  account: LinkedAccount,
  guildId: string | null,
  now: Date,
): Promise<boolean> {
  return inTransaction(store, (tx) => {
    if (!markLinkTokenUsedIn(tx, tokenHash, now)) return false;
    upsertLinkedUserIn(tx, account, now);
    if (guildId) optInIn(tx, guildId, account.discordUserId);
    return true;
  });
}

export interface UnlinkSummary {
  /** The online id that was linked, or null when there was no link. */
  onlineId: string | null;
  /** Servers the member was announced in. */
  guildIds: string[];
  linkTokens: number;
  invites: number;
}

/** /unlink: everything the bot keeps about a member goes, in one transaction. */
export async function eraseMember(store: Store, discordUserId: string): Promise<UnlinkSummary> {
  return inTransaction(store, (tx) => {
    const user = findUserIn(tx, discordUserId);
    const guildIds = guildsOfMemberIn(tx, discordUserId);
    deleteOptInsOfMemberIn(tx, discordUserId);
    const linkTokens = deleteLinkTokensOfUserIn(tx, discordUserId);
    // The invitation audit names the member as asker or sender; it goes with them.
    const removedInvites = deleteInvitesOfUserIn(tx, discordUserId);
    deleteUserIn(tx, discordUserId);
    // Erasure wins over the budget's memory on disk: the running bot still counts this
    // window's requests in memory, so only an unlink, a restart and a re-link within
    // one window would start the account afresh.
    if (user) forgetAccountBudgetIn(tx, user.psnAccountId);
    // The friend graph keeps only linked members: who was friends with whom goes too.
    if (user) deleteFriendEdgesIn(tx, user.psnAccountId);
    return { onlineId: user?.psnOnlineId ?? null, guildIds, linkTokens, invites: removedInvites };
  });
}
