/**
 * "Request invite" on a party card (`invite:<sessionId>`): a linked member of that
 * party, as their settings allow, has PSN send an invitation to the clicker's
 * account. Every request is recorded in `invites`, the clicker always gets a
 * private answer, and a repeat within five minutes is not sent again.
 */
import { type ButtonInteraction, MessageFlags } from "discord.js";
import { issueLink } from "../../accounts/linking.js";
import { findOpenCard } from "../../db/cards.js";
import { guildsOfMember } from "../../db/guildMembers.js";
import { decideInvite, findRecentRequest, type NewInvite, recordInvite } from "../../db/invites.js";
import { findUser, type UserRow } from "../../db/users.js";
import type { Party } from "../../domain/party.js";
import { partyFromJson } from "../../domain/storedParty.js";
import type { BotContext } from "../context.js";
import { dmComponents } from "../directMessages.js";
import { psnName } from "../embeds/limits.js";
import { INVITE_PREFIX } from "../embeds/partyCard.js";
import { UserError } from "../errors.js";
import {
  ALREADY_IN_PARTY,
  approvalRequest,
  CARD_NOT_VALID,
  IN_FLIGHT,
  NOBODY_CAN_INVITE,
  NOT_LINKED,
  PARTY_UNSEEN,
  RELINK_NEEDED,
  repeatMessage,
} from "../invites/messages.js";
import {
  APPROVAL_TTL_MS,
  blocksRepeat,
  explainFailure,
  inviteCandidates,
  inviteFailureOf,
  onlineIdIn,
  partyUnseen,
  repeatHorizon,
} from "../invites/policy.js";

export const prefix = INVITE_PREFIX;

type RequestBase = Omit<NewInvite, "senderUserId" | "outcome" | "detail">;

export async function execute(
  interaction: ButtonInteraction,
  sessionId: string,
  ctx: BotContext,
): Promise<void> {
  if (!interaction.inGuild()) throw new UserError(CARD_NOT_VALID);
  const guildId = interaction.guildId;
  const card = await findOpenCard(ctx.db, guildId, sessionId);
  const party = card ? partyFromJson(card.partyJson) : null;
  if (!card || !party) throw new UserError(CARD_NOT_VALID);

  const requesterUserId = interaction.user.id;
  const requester = await findUser(ctx.db, requesterUserId);
  if (!requester) return offerLink(interaction, ctx, guildId);
  if (requester.linkState !== "active") throw new UserError(RELINK_NEEDED);
  if (party.members.some((m) => m.accountId === requester.psnAccountId))
    throw new UserError(ALREADY_IN_PARTY);

  const now = ctx.now();
  const recent = await findRecentRequest(ctx.db, sessionId, requesterUserId, repeatHorizon(now));
  if (recent && blocksRepeat(recent, now)) throw new UserError(repeatMessage(recent));
  // Claimed before the first await: the request's row is written only after PSN answers.
  if (!ctx.inviteClaims.claim(sessionId, requesterUserId)) throw new UserError(IN_FLIGHT);
  try {
    const base = { guildId, sessionId, requesterUserId, requesterAccountId: requester.psnAccountId };
    await requestFromMembers(interaction, ctx, party, requester, base, now);
  } finally {
    ctx.inviteClaims.release(sessionId, requesterUserId);
  }
}

/** An unlinked clicker gets their own sign-in link right here, as /link in this server would give. */
async function offerLink(interaction: ButtonInteraction, ctx: BotContext, guildId: string): Promise<void> {
  const link = await issueLink(ctx.linking, interaction.user.id, guildId);
  await interaction.reply({
    content: NOT_LINKED,
    components: dmComponents({ link: { label: "Link my PlayStation account", url: link.url } }),
    flags: MessageFlags.Ephemeral,
  });
}

async function requestFromMembers(
  interaction: ButtonInteraction<"cached" | "raw">,
  ctx: BotContext,
  party: Party,
  requester: UserRow,
  base: RequestBase,
  now: Date,
): Promise<void> {
  const { guildId, sessionId, requesterUserId } = base;
  const members = new Map<string, { user: UserRow; announcedHere: boolean }>();
  for (const m of party.members) {
    if (!m.discordUserId || members.has(m.discordUserId)) continue;
    const user = await findUser(ctx.db, m.discordUserId);
    if (user)
      members.set(m.discordUserId, {
        user,
        announcedHere: (await guildsOfMember(ctx.db, user.discordUserId)).includes(guildId),
      });
  }
  const candidates = inviteCandidates(party, members, requesterUserId);
  // A click on a card still live in the clicker's client as it turns "can't see this party".
  if (candidates.length === 0 && partyUnseen(party, members, requesterUserId)) {
    await recordInvite(
      ctx.db,
      { ...base, senderUserId: null, outcome: "refused", detail: "partyUnseen" },
      now,
    );
    throw new UserError(PARTY_UNSEEN);
  }
  if (candidates.length === 0) {
    await recordInvite(
      ctx.db,
      { ...base, senderUserId: null, outcome: "refused", detail: "nobodyCanInvite" },
      now,
    );
    throw new UserError(NOBODY_CAN_INVITE);
  }

  await interaction.deferReply({ flags: MessageFlags.Ephemeral });

  const failures: string[] = [];
  for (const sender of candidates.filter((s) => s.mode === "auto")) {
    try {
      await ctx.psn.sendInvitation(
        ctx.tokens.provider(sender.user.psnAccountId),
        sessionId,
        requester.psnAccountId,
      );
    } catch (err) {
      const detail = inviteFailureOf(err);
      failures.push(explainFailure(detail));
      ctx.log.warn({ err, sessionId, sender: sender.user.discordUserId }, "PSN invitation failed");
      await recordInvite(
        ctx.db,
        { ...base, senderUserId: sender.user.discordUserId, outcome: "failed", detail },
        ctx.now(),
      );
      continue;
    }
    await recordInvite(
      ctx.db,
      { ...base, senderUserId: sender.user.discordUserId, outcome: "sent" },
      ctx.now(),
    );
    const who = psnName(onlineIdIn(party, sender.user.psnAccountId, sender.user.psnOnlineId));
    await interaction.editReply({
      content: `Invitation sent by **${who}** to your PlayStation account (**${psnName(requester.psnOnlineId)}**). Check your PlayStation notifications.`,
    });
    return;
  }

  for (const sender of candidates.filter((s) => s.mode === "approve")) {
    const invite = await recordInvite(
      ctx.db,
      { ...base, senderUserId: sender.user.discordUserId, outcome: "pending" },
      ctx.now(),
    );
    try {
      await interaction.client.users.send(
        sender.user.discordUserId,
        approvalRequest({
          inviteId: invite.id,
          requesterName: interaction.user.username,
          requesterOnlineId: requester.psnOnlineId,
          party,
          expiresAt: new Date(now.getTime() + APPROVAL_TTL_MS),
        }),
      );
    } catch (err) {
      ctx.log.info(
        { err, sender: sender.user.discordUserId },
        "could not DM a member for an invite approval",
      );
      failures.push("could not reach the member by DM");
      await decideInvite(ctx.db, invite.id, "failed", "approvalNotDelivered", ctx.now());
      continue;
    }
    const who = psnName(onlineIdIn(party, sender.user.psnAccountId, sender.user.psnOnlineId));
    await interaction.editReply({
      content: `**${who}** approves invitations to this party themselves: I've asked them. You'll get a DM when they decide (the request expires in 10 minutes).`,
    });
    return;
  }

  await interaction.editReply({
    content: `Sorry, the invitation could not be sent (${[...new Set(failures)].join("; ")}). Try again in a few minutes.`,
  });
}
