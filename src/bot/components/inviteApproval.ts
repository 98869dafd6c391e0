/**
 * Approve / Deny in the DM a member in `approve` mode receives
 * (`invite-approval:<inviteId>:approve|deny`; the router's prefixes are lower
 * case). Only that member may decide, once, within ten minutes; the requester is
 * told the outcome by DM.
 */
import type { ButtonInteraction } from "discord.js";
import { decideInvite, findInvite, reviseInvite } from "../../db/invites.js";
import { findUser } from "../../db/users.js";
import type { BotContext } from "../context.js";
import { psnName } from "../embeds/limits.js";
import { UserError } from "../errors.js";
import { APPROVAL_PREFIX, approvalButtons, NOT_YOURS, UNKNOWN_REQUEST } from "../invites/messages.js";
import { explainFailure, isExpired } from "../invites/policy.js";

export const prefix = APPROVAL_PREFIX;

/** Pure: `<inviteId>:approve|deny`, or null for anything else. */
export function parseApprovalId(id: string): { inviteId: number; decision: "approve" | "deny" } | null {
  const match = /^(\d{1,12}):(approve|deny)$/.exec(id);
  if (!match) return null;
  return { inviteId: Number(match[1]), decision: match[2] as "approve" | "deny" };
}

export async function execute(interaction: ButtonInteraction, id: string, ctx: BotContext): Promise<void> {
  const parsed = parseApprovalId(id);
  const invite = parsed ? await findInvite(ctx.db, parsed.inviteId) : undefined;
  if (!parsed || !invite) throw new UserError(UNKNOWN_REQUEST);
  if (invite.senderUserId !== interaction.user.id) throw new UserError(NOT_YOURS);

  const now = ctx.now();
  const closed = (text: string) =>
    interaction.update({ content: text, components: [approvalButtons(invite.id, true)] });

  if (invite.outcome !== "pending") {
    await closed(`This request was already handled (${invite.outcome}).`);
    return;
  }
  if (isExpired(invite, now)) {
    await decideInvite(ctx.db, invite.id, "expired", null, now);
    await closed("This request expired; nothing was sent.");
    await tellRequester(
      interaction,
      invite.requesterUserId,
      "Your invite request expired before it was answered.",
    );
    return;
  }
  if (parsed.decision === "deny") {
    if (!(await decideInvite(ctx.db, invite.id, "denied", null, now))) {
      await closed("This request was already handled.");
      return;
    }
    await closed("Declined; nothing was sent.");
    await tellRequester(interaction, invite.requesterUserId, "Your invite request was declined.");
    return;
  }

  const sender = await findUser(ctx.db, interaction.user.id);
  if (sender?.linkState !== "active") {
    await decideInvite(ctx.db, invite.id, "failed", "sender not linked", now);
    await closed("Your PlayStation account is not linked any more, so nothing could be sent.");
    await tellRequester(interaction, invite.requesterUserId, "Your invite request could not be sent.");
    return;
  }
  // Claimed as sent before PSN is called, so a second click (or a Deny) meanwhile finds it handled.
  if (!(await decideInvite(ctx.db, invite.id, "sent", null, now))) {
    await closed("This request was already handled.");
    return;
  }
  await interaction.deferUpdate();
  try {
    await ctx.psn.sendInvitation(
      ctx.tokens.provider(sender.psnAccountId),
      invite.sessionId,
      invite.requesterAccountId,
    );
  } catch (err) {
    const detail = explainFailure(err);
    ctx.log.warn({ err, inviteId: invite.id }, "approved PSN invitation failed");
    await reviseInvite(ctx.db, invite.id, "failed", detail, ctx.now());
    await interaction.editReply({
      content: `Approved, but PSN did not send the invitation (${detail}).`,
      components: [approvalButtons(invite.id, true)],
    });
    await tellRequester(
      interaction,
      invite.requesterUserId,
      "Your invite request was approved, but PSN did not send it. Try again later.",
    );
    return;
  }
  await interaction.editReply({
    content: "Approved: the invitation was sent.",
    components: [approvalButtons(invite.id, true)],
  });
  await tellRequester(
    interaction,
    invite.requesterUserId,
    `**${psnName(sender.psnOnlineId)}** approved your invite request: check your PlayStation notifications.`,
  );
}

async function tellRequester(interaction: ButtonInteraction, userId: string, content: string): Promise<void> {
  await interaction.client.users.send(userId, { content }).catch(() => {
    // Closed DMs: the requester can still see the outcome by asking again after the window.
  });
}
