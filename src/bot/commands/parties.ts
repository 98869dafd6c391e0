/**
 * /parties: the live parties with a card in this server, one line each with a link
 * to its card; only the one who asked sees the list. From the cards table: no PSN call.
 */
import {
  type ChatInputCommandInteraction,
  EmbedBuilder,
  InteractionContextType,
  MessageFlags,
  SlashCommandBuilder,
} from "discord.js";
import { findLiveCards } from "../../db/cards.js";
import { partyFromJson } from "../../domain/storedParty.js";
import type { BotContext } from "../context.js";
import { type ListedCard, partiesDescription } from "../embeds/partiesList.js";
import { COLOR_INFO } from "../embeds/settings.js";
import { UserError } from "../errors.js";

export const definition = new SlashCommandBuilder()
  .setName("parties")
  .setDescription("The live parties announced in this server, with a link to each card")
  .setContexts(InteractionContextType.Guild);

export async function execute(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void> {
  if (!interaction.inGuild()) throw new UserError("Use this command in a server.");
  const guildId = interaction.guildId;
  const listed: ListedCard[] = (await findLiveCards(ctx.db, guildId)).flatMap((row) => {
    const party = partyFromJson(row.partyJson);
    return party && row.messageId
      ? [{ party, guildId, channelId: row.channelId, messageId: row.messageId }]
      : [];
  });
  const embed = new EmbedBuilder()
    .setTitle(listed.length > 0 ? `Live parties (${listed.length})` : "Live parties")
    .setColor(COLOR_INFO)
    .setDescription(partiesDescription(listed));
  await interaction.reply({ embeds: [embed], allowedMentions: { parse: [] }, flags: MessageFlags.Ephemeral });
}
