import {
  ActionRowBuilder,
  ButtonBuilder,
  ButtonStyle,
  type ChatInputCommandInteraction,
  InteractionContextType,
  MessageFlags,
  SlashCommandBuilder,
} from "discord.js";
import { guildsOfMember } from "../../db/guildMembers.js";
import { findUser } from "../../db/users.js";
import { discordTimestamp } from "../../domain/timestamps.js";
import type { BotContext } from "../context.js";
import { UserError } from "../errors.js";
import { customId } from "../handlers.js";

export const definition = new SlashCommandBuilder()
  .setName("unlink")
  .setDescription("Remove your PlayStation link and everything the bot keeps about you")
  .setContexts(InteractionContextType.Guild, InteractionContextType.BotDM);

/** How long the confirm button works. */
export const CONFIRM_TTL_MS = 5 * 60_000;

/** custom_id of the confirm button: who may press it and until when (epoch seconds). */
export function confirmId(userId: string, expiresAt: Date): string {
  return customId("unlink", `confirm:${userId}:${Math.floor(expiresAt.getTime() / 1000)}`);
}

export function cancelId(userId: string): string {
  return customId("unlink", `cancel:${userId}`);
}

export async function execute(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void> {
  const userId = interaction.user.id;
  const user = await findUser(ctx.db, userId);
  if (!user) throw new UserError("You have no PlayStation account linked. Nothing to remove.");
  const servers = (await guildsOfMember(ctx.db, userId)).length;
  const expiresAt = new Date(ctx.now().getTime() + CONFIRM_TTL_MS);
  const row = new ActionRowBuilder<ButtonBuilder>().addComponents(
    new ButtonBuilder()
      .setStyle(ButtonStyle.Danger)
      .setLabel("Unlink")
      .setCustomId(confirmId(userId, expiresAt)),
    new ButtonBuilder().setStyle(ButtonStyle.Secondary).setLabel("Cancel").setCustomId(cancelId(userId)),
  );
  await interaction.reply({
    content:
      `This removes your link to **${user.psnOnlineId}**: your stored PSN sign-in, your settings, ` +
      `your announcements in ${servers === 1 ? "1 server" : `${servers} servers`} and your live party cards. ` +
      `Confirm ${discordTimestamp(expiresAt, "R")}.`,
    components: [row],
    flags: MessageFlags.Ephemeral,
  });
}
