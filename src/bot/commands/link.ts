import {
  type ChatInputCommandInteraction,
  DiscordAPIError,
  InteractionContextType,
  MessageFlags,
  RESTJSONErrorCodes,
  SlashCommandBuilder,
} from "discord.js";
import { issueLink } from "../../accounts/linking.js";
import { findUser } from "../../db/users.js";
import { discordTimestamp } from "../../domain/timestamps.js";
import type { BotContext } from "../context.js";
import { dmComponents } from "../directMessages.js";

export const definition = new SlashCommandBuilder()
  .setName("link")
  .setDescription("Link your PlayStation account (sends you a private sign-in link)")
  .setContexts(InteractionContextType.Guild, InteractionContextType.BotDM);

/** The DM text; pure so the wording is tested without Discord. */
export function linkMessage(linkedAs: string | null, expiresAt: Date): string {
  const expiry = discordTimestamp(expiresAt, "R");
  const head = linkedAs
    ? `You are linked as **${linkedAs}**. Signing in below links another PlayStation account instead, replacing **${linkedAs}**.`
    : "Link your PlayStation account: open the button below and follow the steps.";
  return `${head}\nThe link is for you only, works once and expires ${expiry}. Never share it.`;
}

export async function execute(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void> {
  await interaction.deferReply({ flags: MessageFlags.Ephemeral });
  const userId = interaction.user.id;
  const linkedAs = (await findUser(ctx.db, userId))?.psnOnlineId ?? null;
  const link = await issueLink(ctx.linking, userId, interaction.guildId);
  const message = {
    content: linkMessage(linkedAs, link.expiresAt),
    components: dmComponents({ link: { label: "Open sign-in page", url: link.url } }),
  };

  // In a DM with the bot, the answer already is the private message.
  if (!interaction.inGuild()) {
    await interaction.editReply(message);
    return;
  }
  try {
    await interaction.user.send(message);
  } catch (err) {
    if (err instanceof DiscordAPIError && err.code === RESTJSONErrorCodes.CannotSendMessagesToThisUser) {
      await interaction.editReply({
        ...message,
        content: `I could not DM you (your direct messages are closed for this server), so here is your link; only you can see it.\n${message.content}`,
      });
      return;
    }
    throw err;
  }
  await interaction.editReply({
    content: linkedAs
      ? `Check your DMs: I sent you a sign-in link. You are linked as **${linkedAs}**; signing in again replaces it.`
      : "Check your DMs: I sent you a sign-in link.",
  });
}
