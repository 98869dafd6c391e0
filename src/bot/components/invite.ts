/**
 * "Request invite" on a party card (`invite:<sessionId>`): a linked member of that
 * party, as their settings allow, has PSN send an invitation to the clicker's
 * account. Every request is recorded in `invites`, the clicker always gets a
 * private answer, and a repeat within five minutes is not sent again.
 */
import {
  ActionRowBuilder,
  ButtonBuilder,
  type ButtonInteraction,
  ButtonStyle,
  MessageFlags,
  type User,
} from "discord.js";
import { dmComponents } from "../../accounts/discordNotifier.js";
import { issueLink } from "../../accounts/linking.js";
import { findOpenCard } from "../../db/cards.js";
import { guildsOfMember } from "../../db/guildMembers.js";
import {
  decideInvite,
  findRecentRequest,
  type InviteRow,
  type NewInvite,
  recordInvite,
} from "../../db/invites.js";
import { findUser, type UserRow } from "../../db/users.js";
import type { Party } from "../../domain/party.js";
import { partyFromJson } from "../../domain/storedParty.js";
import { isPsnError, PsnForbiddenError, PsnRateLimitedError } from "../../psn/errors.js";
import { type BotContext, type MirrorServices, requireService } from "../context.js";
import { UserError } from "../errors.js";
import { customId } from "../handlers.js";

export const prefix = "invite";
export const APPROVAL_PREFIX = "invite-approval";
export const REQUEST_DEDUPE_MS = 5 * 60_000;
export const APPROVAL_TTL_MS = 10 * 60_000;

export const CARD_NOT_VALID = "This party card is no longer valid.";
export const NOT_LINKED =
  "Link your PlayStation account first: open the sign-in page below (or run `/link` in this server), then press **Request invite** again.";
export const RELINK_NEEDED =
  "Your PlayStation sign-in has expired. Run `/link` to sign in again, then press **Request invite** again.";
export const ALREADY_IN_PARTY = "You're already in this party.";
export const NOBODY_CAN_INVITE = "Nobody in this party accepts invite requests right now.";
export const IN_FLIGHT = "You already asked for an invite to this party; it is being handled right now.";

export interface Sender {
  user: UserRow;
  mode: "auto" | "approve";
}

/**
 * Pure: who in the party may invite, in the order to try them: linked members
 * announced in this server whose setting allows it, the host first, auto before
 * approve.
 */
export function inviteCandidates(
  party: Party,
  members: ReadonlyMap<string, { user: UserRow; announcedHere: boolean }>,
  requesterUserId: string,
): Sender[] {
  const out: Sender[] = [];
  for (const m of party.members) {
    if (!m.discordUserId || m.discordUserId === requesterUserId) continue;
    const known = members.get(m.discordUserId);
    if (!known?.announcedHere) continue;
    const { user } = known;
    if (user.linkState !== "active" || user.psnAccountId !== m.accountId) continue;
    if (user.invitesMode === "off") continue;
    out.push({ user, mode: user.invitesMode });
  }
  return [...out.filter((s) => s.mode === "auto"), ...out.filter((s) => s.mode === "approve")];
}

/** An unlinked clicker gets their own sign-in link right here, as /link in this server would give. */
async function offerLink(interaction: ButtonInteraction, ctx: BotContext, guildId: string): Promise<void> {
  if (!ctx.linking) throw new UserError(NOT_LINKED);
  const link = issueLink(ctx.linking, interaction.user.id, guildId);
  await interaction.reply({
    content: NOT_LINKED,
    components: dmComponents({ content: "", link: { label: "Link my PlayStation account", url: link.url } }),
    flags: MessageFlags.Ephemeral,
  });
}

function explainFailure(err: unknown): string {
  if (err instanceof PsnRateLimitedError) return "rate limited by PSN";
  if (err instanceof PsnForbiddenError) return "PSN refused (not in the party any more?)";
  if (isPsnError(err)) return `PSN ${err.kind}`;
  return "unexpected failure";
}

function onlineIdOf(party: Party, accountId: string, fallback: string): string {
  return party.members.find((m) => m.accountId === accountId)?.onlineId ?? fallback;
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

export async function execute(
  interaction: ButtonInteraction,
  sessionId: string,
  ctx: BotContext,
): Promise<void> {
  if (!interaction.inGuild()) throw new UserError(CARD_NOT_VALID);
  const guildId = interaction.guildId;
  const card = findOpenCard(ctx.db, guildId, sessionId);
  const party = card ? partyFromJson(card.partyJson) : null;
  if (!card || !party) throw new UserError(CARD_NOT_VALID);

  const requesterUserId = interaction.user.id;
  const requester = findUser(ctx.db, requesterUserId);
  if (!requester) return offerLink(interaction, ctx, guildId);
  if (requester.linkState !== "active") throw new UserError(RELINK_NEEDED);
  if (party.members.some((m) => m.accountId === requester.psnAccountId))
    throw new UserError(ALREADY_IN_PARTY);

  const now = ctx.now();
  const base = {
    guildId,
    sessionId,
    requesterUserId,
    requesterAccountId: requester.psnAccountId,
  };
  // Looked back over an approval's lifetime: a request still waiting in a member's DMs
  // blocks a second one past the dedupe window, or both could be approved.
  const recent = findRecentRequest(
    ctx.db,
    sessionId,
    requesterUserId,
    new Date(now.getTime() - Math.max(REQUEST_DEDUPE_MS, APPROVAL_TTL_MS)),
  );
  if (recent && blocksRepeat(recent, now)) throw new UserError(repeatMessage(recent));
  // Claimed before the first await: a double click must not reach PSN twice while the
  // first request's row is not written yet (it is written after PSN answers).
  const key = `${sessionId}\n${requesterUserId}`;
  if (inFlight.has(key)) throw new UserError(IN_FLIGHT);
  inFlight.add(key);
  try {
    await requestFromMembers(interaction, ctx, party, requester, base, now);
  } finally {
    inFlight.delete(key);
  }
}

/** Requests being handled right now, by session and requester. */
const inFlight = new Set<string>();

async function requestFromMembers(
  interaction: ButtonInteraction<"cached" | "raw">,
  ctx: BotContext,
  party: Party,
  requester: UserRow,
  base: Omit<NewInvite, "senderUserId" | "outcome" | "detail">,
  now: Date,
): Promise<void> {
  const { guildId, sessionId, requesterUserId } = base;
  const members = new Map<string, { user: UserRow; announcedHere: boolean }>();
  for (const m of party.members) {
    if (!m.discordUserId || members.has(m.discordUserId)) continue;
    const user = findUser(ctx.db, m.discordUserId);
    if (user)
      members.set(m.discordUserId, {
        user,
        announcedHere: guildsOfMember(ctx.db, user.discordUserId).includes(guildId),
      });
  }
  const candidates = inviteCandidates(party, members, requesterUserId);
  if (candidates.length === 0) {
    recordInvite(
      ctx.db,
      { ...base, senderUserId: null, outcome: "refused", detail: "nobody can invite" },
      now,
    );
    throw new UserError(NOBODY_CAN_INVITE);
  }

  const mirror = requireService(ctx.mirror, "mirror");
  await interaction.deferReply({ flags: MessageFlags.Ephemeral });

  const failures: string[] = [];
  for (const sender of candidates.filter((s) => s.mode === "auto")) {
    try {
      await sendInvite(mirror, sender.user, sessionId, requester.psnAccountId);
    } catch (err) {
      failures.push(explainFailure(err));
      ctx.log.warn({ err, sessionId, sender: sender.user.discordUserId }, "PSN invitation failed");
      recordInvite(
        ctx.db,
        { ...base, senderUserId: sender.user.discordUserId, outcome: "failed", detail: explainFailure(err) },
        ctx.now(),
      );
      continue;
    }
    recordInvite(ctx.db, { ...base, senderUserId: sender.user.discordUserId, outcome: "sent" }, ctx.now());
    const who = onlineIdOf(party, sender.user.psnAccountId, sender.user.psnOnlineId);
    await interaction.editReply({
      content: `Invitation sent by **${who}** to your PlayStation account (**${requester.psnOnlineId}**). Check your PlayStation notifications.`,
    });
    return;
  }

  for (const sender of candidates.filter((s) => s.mode === "approve")) {
    const invite = recordInvite(
      ctx.db,
      { ...base, senderUserId: sender.user.discordUserId, outcome: "pending" },
      ctx.now(),
    );
    try {
      await askApproval(
        interaction.client.users,
        sender.user.discordUserId,
        invite,
        party,
        interaction.user,
        requester,
        now,
      );
    } catch (err) {
      ctx.log.info(
        { err, sender: sender.user.discordUserId },
        "could not DM a member for an invite approval",
      );
      failures.push("could not reach the member by DM");
      decideInvite(ctx.db, invite.id, "failed", "approval DM not delivered", ctx.now());
      continue;
    }
    const who = onlineIdOf(party, sender.user.psnAccountId, sender.user.psnOnlineId);
    await interaction.editReply({
      content: `**${who}** approves invitations to this party themselves: I've asked them. You'll get a DM when they decide (the request expires in 10 minutes).`,
    });
    return;
  }

  await interaction.editReply({
    content: `Sorry, the invitation could not be sent (${[...new Set(failures)].join("; ")}). Try again in a few minutes.`,
  });
}

/** Pure: whether an earlier request stops this one (within the dedupe window, or an approval still open). */
export function blocksRepeat(recent: Pick<InviteRow, "outcome" | "createdAt">, now: Date): boolean {
  const age = now.getTime() - recent.createdAt.getTime();
  return age < REQUEST_DEDUPE_MS || (recent.outcome === "pending" && age < APPROVAL_TTL_MS);
}

function repeatMessage(recent: InviteRow): string {
  switch (recent.outcome) {
    case "pending":
      return "You already asked for an invite to this party; a member is deciding. You'll get a DM.";
    case "denied":
      return "You asked for an invite to this party a few minutes ago and it was declined. Try again later.";
    default:
      return "You already asked for an invite to this party in the last 5 minutes. Check your PlayStation notifications.";
  }
}

export async function sendInvite(
  mirror: MirrorServices,
  sender: UserRow,
  sessionId: string,
  toAccountId: string,
): Promise<void> {
  await mirror.psn.sendInvitation(mirror.tokens.provider(sender.psnAccountId), sessionId, toAccountId);
}

async function askApproval(
  users: ButtonInteraction["client"]["users"],
  senderUserId: string,
  invite: InviteRow,
  party: Party,
  requesterUser: User,
  requester: UserRow,
  now: Date,
): Promise<void> {
  const expires = Math.floor((now.getTime() + APPROVAL_TTL_MS) / 1000);
  const title = party.name?.trim() || `${party.host.onlineId}'s party`;
  await users.send(senderUserId, {
    content:
      `**${requesterUser.username}** (PSN **${requester.psnOnlineId}**) asks for an invitation to **${title}**.\n` +
      `Approve to have PSN send it from your account. This request expires <t:${expires}:R>.`,
    components: [approvalButtons(invite.id)],
  });
}
