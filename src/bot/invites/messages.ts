/** What members read about invite requests: the private answers, the approval DM and its buttons. */
import { ActionRowBuilder, ButtonBuilder, ButtonStyle } from "discord.js";
import type { InviteRow } from "../../db/invites.js";
import type { Party } from "../../domain/party.js";
import { discordTimestamp } from "../../domain/timestamps.js";
import { psnName } from "../embeds/limits.js";
import { partyTitle } from "../embeds/partyCard.js";
import { customId } from "../handlers.js";

/** The button family of Approve / Deny (router prefixes are lower case). */
export const APPROVAL_PREFIX = "invite-approval";

export const CARD_NOT_VALID = "This party card is no longer valid.";
export const NOT_LINKED =
  "Link your PlayStation account first: open the sign-in page below (or run `/link` in this server), then press **Request invite** again.";
export const RELINK_NEEDED =
  "Your PlayStation sign-in has expired. Run `/link` to sign in again, then press **Request invite** again.";
export const PARTY_UNSEEN =
  "The bot can't see this party any more: its linked members must sign in to PlayStation again, so nobody can send an invite for now. If the party is still going, ask in the channel; the card comes back once one of them signs in.";
export const ALREADY_IN_PARTY = "You're already in this party.";
export const NOBODY_CAN_INVITE = "Nobody in this party accepts invite requests right now.";
export const IN_FLIGHT = "You already asked for an invite to this party; it is being handled right now.";
export const NOT_YOURS = "This request was not sent to you.";
export const UNKNOWN_REQUEST = "This invite request no longer exists.";

/** Why a request is not sent again, by what became of the earlier one. */
export function repeatMessage(recent: Pick<InviteRow, "outcome">): string {
  switch (recent.outcome) {
    case "pending":
      return "You already asked for an invite to this party; a member is deciding. You'll get a DM.";
    case "denied":
      return "You asked for an invite to this party a few minutes ago and it was declined. Try again later.";
    default:
      return "You already asked for an invite to this party in the last 5 minutes. Check your PlayStation notifications.";
  }
}

export function approvalButtons(inviteId: number, disabled = false): ActionRowBuilder<ButtonBuilder> {
  return new ActionRowBuilder<ButtonBuilder>().addComponents(
    new ButtonBuilder()
      .setCustomId(customId(APPROVAL_PREFIX, `${inviteId}:approve`))
      .setLabel("Approve")
      .setStyle(ButtonStyle.Success)
      .setDisabled(disabled),
    new ButtonBuilder()
      .setCustomId(customId(APPROVAL_PREFIX, `${inviteId}:deny`))
      .setLabel("Deny")
      .setStyle(ButtonStyle.Danger)
      .setDisabled(disabled),
  );
}

/**
 * The approval DM once decided: its first line (who asked for which party) stays, the
 * outcome replaces the question below it, so the DM still says what was approved.
 */
export function decidedApproval(request: string, outcome: string): string {
  const asked = request.split("\n")[0]?.trim() ?? "";
  return asked ? `${asked}\n${outcome}` : outcome;
}

/** The DM a member in `approve` mode receives. */
export function approvalRequest(input: {
  inviteId: number;
  requesterName: string;
  requesterOnlineId: string;
  party: Pick<Party, "name" | "host">;
  expiresAt: Date;
}): { content: string; components: ActionRowBuilder<ButtonBuilder>[] } {
  return {
    content:
      `**${input.requesterName}** (PSN **${psnName(input.requesterOnlineId)}**) asks for an invitation to **${partyTitle(input.party)}**.\n` +
      `Approve to have PSN send it from your account. This request expires ${discordTimestamp(input.expiresAt, "R")}.`,
    components: [approvalButtons(input.inviteId)],
  };
}
