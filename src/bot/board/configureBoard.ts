/**
 * `/config board channel <channel>` and `/config board off`: where the presence board
 * is kept. The board writer (src/jobs/board) posts, edits and takes it down at the
 * next poll; this only records the choice, after checking the bot can post there.
 */
import {
  ChannelType,
  type ChatInputCommandInteraction,
  type EmbedBuilder,
  MessageFlags,
  type SlashCommandSubcommandGroupBuilder,
} from "discord.js";
import { clearBoardPause } from "../../db/boards.js";
import { findGuild, updateGuild } from "../../db/guilds.js";
import type { BotContext } from "../context.js";
import { UserError } from "../errors.js";
import { fixPermissionText, missingPermissions } from "../permissions.js";

export const BOARD_GROUP = "board";

export function boardSubcommands(
  group: SlashCommandSubcommandGroupBuilder,
): SlashCommandSubcommandGroupBuilder {
  return group
    .setName(BOARD_GROUP)
    .setDescription("A message listing who is online now")
    .addSubcommand((s) =>
      s
        .setName("channel")
        .setDescription("Keep the presence board in this channel")
        .addChannelOption((o) =>
          o
            .setName("channel")
            .setDescription("A text or announcement channel")
            .setRequired(true)
            .addChannelTypes(ChannelType.GuildText, ChannelType.GuildAnnouncement),
        ),
    )
    .addSubcommand((s) => s.setName("off").setDescription("Take the presence board down"));
}

export async function configureBoard(
  interaction: ChatInputCommandInteraction<"cached">,
  ctx: BotContext,
): Promise<void> {
  const now = ctx.now();
  if (interaction.options.getSubcommand(true) === "off") {
    const had = (await findGuild(ctx.db, interaction.guildId))?.boardChannelId ?? null;
    await updateGuild(ctx.db, interaction.guildId, { boardChannelId: null }, now);
    await interaction.reply({
      content: had
        ? `The presence board in <#${had}> will be taken down at the next poll.`
        : "There is no presence board in this server.",
      flags: MessageFlags.Ephemeral,
    });
    return;
  }
  const picked = interaction.options.getChannel("channel", true, [
    ChannelType.GuildText,
    ChannelType.GuildAnnouncement,
  ]);
  const channel = interaction.guild.channels.cache.get(picked.id);
  const me = interaction.guild.members.me;
  const granted = channel && me ? (channel.permissionsFor(me)?.bitfield ?? null) : null;
  if (granted === null)
    throw new UserError(`The bot cannot see <#${picked.id}>, so it cannot keep a board there.`);
  const missing = missingPermissions(granted);
  if (missing.length > 0) {
    throw new UserError(
      `The bot cannot post the presence board in <#${picked.id}>:\n${missing
        .map((p) => fixPermissionText(p, picked.id))
        .join("\n")}\nThen run this command again.`,
    );
  }
  await updateGuild(ctx.db, interaction.guildId, { boardChannelId: picked.id }, now);
  // Run again after a refusal was fixed: the board is tried again.
  await clearBoardPause(ctx.db, interaction.guildId, now);
  await interaction.reply({
    content: `The presence board will be kept in <#${picked.id}>; it appears at the next poll.`,
    flags: MessageFlags.Ephemeral,
  });
}

/** `/config show`'s line for the board. */
export function withBoardSetting(embed: EmbedBuilder, boardChannelId: string | null): EmbedBuilder {
  return embed.addFields({
    name: "Presence board",
    value: boardChannelId ? `<#${boardChannelId}>` : "Off",
    inline: true,
  });
}
