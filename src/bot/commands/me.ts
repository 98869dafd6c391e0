import {
  type ChatInputCommandInteraction,
  EmbedBuilder,
  InteractionContextType,
  MessageFlags,
  SlashCommandBuilder,
} from "discord.js";
import { guildsOfMember } from "../../db/guildMembers.js";
import { findUser, type UserRow } from "../../db/users.js";
import { discordTimestamp } from "../../domain/timestamps.js";
import type { Presence } from "../../psn/types.js";
import type { BotContext } from "../context.js";
import { fitPsnText, psnName } from "../embeds/limits.js";
import { COLOR_INFO, COLOR_WARN } from "../embeds/settings.js";
import { UserError } from "../errors.js";

export const definition = new SlashCommandBuilder()
  .setName("me")
  .setDescription("Your PlayStation link: account, health, presence and where you are announced")
  .setContexts(InteractionContextType.Guild, InteractionContextType.BotDM);

const INVITES_TEXT: Record<UserRow["invitesMode"], string> = {
  auto: "Automatic: members who ask get an invitation from your account",
  approve: "After your approval by DM",
  off: "Off: nobody can ask you for invitations",
};

export type PresenceView = { kind: "ok"; presence: Presence } | { kind: "unavailable" } | { kind: "paused" };

export function presenceText(view: PresenceView): string {
  if (view.kind === "paused") return "Not watched until you sign in again";
  if (view.kind === "unavailable") return "Presence unavailable right now";
  const p = view.presence;
  if (!p.online) return "Offline";
  const where = p.platform ? `Online on ${fitPsnText(p.platform, 64)}` : "Online";
  if (!p.game) return where;
  // PSN's texts: escaped and cut so that the field stays within Discord's 1024.
  const status = p.game.status ? ` (${fitPsnText(p.game.status, 400)})` : "";
  return `${where}, playing **${fitPsnText(p.game.name, 400)}**${status}`;
}

/** The /me embed; pure (names of servers and presence are passed in). */
export function meEmbed(user: UserRow, presence: PresenceView, servers: string[]): EmbedBuilder {
  const healthy = user.linkState === "active";
  return new EmbedBuilder()
    .setTitle(`Linked as ${psnName(user.psnOnlineId)}`)
    .setColor(healthy ? COLOR_INFO : COLOR_WARN)
    .addFields(
      {
        name: "Link",
        value: healthy
          ? "Active"
          : "Needs a new sign-in: PlayStation stopped accepting it. Run /link to sign in again.",
      },
      {
        name: "Sign in again by",
        value: `${discordTimestamp(user.refreshTokenExpiresAt, "D")} (${discordTimestamp(user.refreshTokenExpiresAt, "R")}); PSN asks for a new sign-in about every 60 days`,
      },
      { name: "Presence", value: presenceText(presence) },
      {
        name: "Announced in",
        value:
          servers.length > 0 ? servers.join("\n").slice(0, 1024) : "No server yet: run /link in a server",
      },
      { name: "Invitations", value: INVITES_TEXT[user.invitesMode] },
    );
}

export async function execute(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void> {
  const user = await findUser(ctx.db, interaction.user.id);
  if (!user) throw new UserError("You have no PlayStation account linked. Run /link to link one.");
  await interaction.deferReply({ flags: MessageFlags.Ephemeral });
  const presence = await readPresence(user, ctx);
  const servers = (await guildsOfMember(ctx.db, user.discordUserId)).map(
    (id) => ctx.client.guilds.cache.get(id)?.name ?? `Server ${id}`,
  );
  await interaction.editReply({ embeds: [meEmbed(user, presence, servers)] });
}

async function readPresence(user: UserRow, ctx: BotContext): Promise<PresenceView> {
  if (user.linkState !== "active") return { kind: "paused" };
  try {
    return { kind: "ok", presence: await ctx.psn.getPresence(ctx.tokens.provider(user.psnAccountId), "me") };
  } catch (err) {
    ctx.log.warn({ err, userId: user.discordUserId }, "/me could not read presence");
    return { kind: "unavailable" };
  }
}
