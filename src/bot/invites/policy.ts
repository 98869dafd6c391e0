/**
 * Who may be asked for an invitation, and when a request repeats an earlier one.
 * Pure: the handlers in src/bot/components read the rows and act on the answers.
 */
import type { InviteRow } from "../../db/invites.js";
import type { UserRow } from "../../db/users.js";
import type { InviteDetail } from "../../domain/inviteDetail.js";
import type { Party } from "../../domain/party.js";
import { isPsnError } from "../../psn/errors.js";

/** A second request for the same party within this window is not sent again. */
export const REQUEST_DEDUPE_MS = 5 * 60_000;
/** How long a member in `approve` mode has to decide. */
export const APPROVAL_TTL_MS = 10 * 60_000;

export interface Sender {
  user: UserRow;
  mode: "auto" | "approve";
}

/**
 * Who in the party may invite, in the order to try them: linked members announced
 * in this server whose setting allows it, the host first, auto before approve.
 */
export function inviteCandidates(
  party: Party,
  members: ReadonlyMap<string, { user: UserRow; announcedHere: boolean }>,
  requesterUserId: string,
): Sender[] {
  // Stryker disable next-line ArrayDeclaration: the final filter drops anything without a mode.
  const out: Sender[] = [];
  for (const m of party.members) {
    if (!m.discordUserId || m.discordUserId === requesterUserId) continue;
    const known = members.get(m.discordUserId);
    if (!known?.announcedHere) continue;
    const { user } = known;
    if (user.linkState !== "active" || user.psnAccountId !== m.accountId) continue;
    // Stryker disable next-line ConditionalExpression,StringLiteral: the final filter drops "off" too; this narrows the type.
    if (user.invitesMode === "off") continue;
    out.push({ user, mode: user.invitesMode });
  }
  return [...out.filter((s) => s.mode === "auto"), ...out.filter((s) => s.mode === "approve")];
}

/**
 * Whether nobody could serve this request because every other linked member of the party
 * must sign in to PlayStation again: the card is (or is about to be) "can't see this party".
 */
export function partyUnseen(
  party: Party,
  members: ReadonlyMap<string, { user: UserRow }>,
  requesterUserId: string,
): boolean {
  const linked = party.members.flatMap((m) => {
    const known =
      m.discordUserId && m.discordUserId !== requesterUserId ? members.get(m.discordUserId) : undefined;
    return known && known.user.psnAccountId === m.accountId ? [known.user] : [];
  });
  return linked.length > 0 && linked.every((u) => u.linkState !== "active");
}

/** Whether an earlier request stops this one (within the dedupe window, or an approval still open). */
export function blocksRepeat(recent: Pick<InviteRow, "outcome" | "createdAt">, now: Date): boolean {
  const age = now.getTime() - recent.createdAt.getTime();
  return age < REQUEST_DEDUPE_MS || (recent.outcome === "pending" && age < APPROVAL_TTL_MS);
}

/** How far back an earlier request can still block a new one. */
export function repeatHorizon(now: Date): Date {
  // An approval's lifetime, not just the dedupe window: a request still waiting in a
  // member's DMs blocks a second one, or both could be approved.
  return new Date(now.getTime() - Math.max(REQUEST_DEDUPE_MS, APPROVAL_TTL_MS));
}

/** Whether an approval request can no longer be decided. */
export function isExpired(invite: Pick<InviteRow, "createdAt">, now: Date): boolean {
  return now.getTime() - invite.createdAt.getTime() >= APPROVAL_TTL_MS;
}

/** The member's online id as the party shows it, or the one stored at link time. */
export function onlineIdIn(party: Party, accountId: string, fallback: string): string {
  return party.members.find((m) => m.accountId === accountId)?.onlineId ?? fallback;
}

/** Why PSN did not send an invitation, as the audit row keeps it. */
export function inviteFailureOf(err: unknown): InviteDetail {
  return isPsnError(err) ? err.kind : "unexpected";
}

/** A failed invitation's reason in words, for the member (and the audit row read back). */
export function explainFailure(detail: InviteDetail): string {
  switch (detail) {
    case "rate_limited":
      return "rate limited by PSN";
    case "forbidden":
      return "PSN refused (not in the party any more?)";
    case "nobodyCanInvite":
      return "nobody can invite";
    case "partyUnseen":
      return "the party's members must sign in again";
    case "approvalNotDelivered":
      return "approval DM not delivered";
    case "senderNotLinked":
      return "sender not linked";
    case "unexpected":
      return "unexpected failure";
    default:
      return `PSN ${detail}`;
  }
}
