import {
  ApplicationCommandOptionType,
  type ChatInputCommandInteraction,
  EmbedBuilder,
  InteractionContextType,
  MessageFlags,
  PermissionFlagsBits,
  SlashCommandBuilder,
} from "discord.js";
import type { BotContext } from "../context.js";
import { COLOR_INFO } from "../embeds/settings.js";
import type { CommandJson } from "../registration.js";

export const definition = new SlashCommandBuilder()
  .setName("help")
  .setDescription("What this bot does and its commands")
  .setContexts(InteractionContextType.Guild, InteractionContextType.BotDM);

export const ABOUT =
  "I bring PlayStation Network parties into this server. Link your PSN account once with `/link`; " +
  "while you are in a party, a live card in the server's party channel shows it, with a button " +
  "to join on PlayStation and one to ask for an invitation.";

function commandLine(command: CommandJson): string {
  const subcommands = (command.options ?? []).flatMap((o) => {
    if (o.type === ApplicationCommandOptionType.Subcommand) return [`\`${o.name}\``];
    // A group (`/config board channel`) lists each of its subcommands under its name.
    if (o.type === ApplicationCommandOptionType.SubcommandGroup)
      return (o.options ?? []).map((sub) => `\`${o.name} ${sub.name}\``);
    return [];
  });
  const adminOnly =
    command.default_member_permissions !== undefined &&
    command.default_member_permissions !== null &&
    (BigInt(command.default_member_permissions) & PermissionFlagsBits.ManageGuild) !== 0n;
  const head = `**/${command.name}**: ${command.description}${adminOnly ? " (Manage Server)" : ""}`;
  return subcommands.length > 0 ? `${head}\n  ${subcommands.join(" · ")}` : head;
}

/** The help text, built from the registered definitions so it never drifts from them. */
export function helpEmbed(commands: readonly CommandJson[]): EmbedBuilder {
  const lines = [...commands].sort((a, b) => a.name.localeCompare(b.name)).map(commandLine);
  return new EmbedBuilder()
    .setTitle("PSN Party Bridge")
    .setColor(COLOR_INFO)
    .setDescription(ABOUT)
    .addFields({ name: "Commands", value: lines.join("\n") });
}

export async function execute(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void> {
  await interaction.reply({
    embeds: [helpEmbed(ctx.commands)],
    flags: MessageFlags.Ephemeral,
  });
}
