import {
  ChannelType,
  type ChatInputCommandInteraction,
  EmbedBuilder,
  type GuildBasedChannel,
  InteractionContextType,
  MessageFlags,
  PermissionFlagsBits,
  SlashCommandBuilder,
} from "discord.js";
import { z } from "zod";
import { clearBoardPause, findBoard } from "../../db/boards.js";
import { ensureGuild, type GuildRow, updateGuild } from "../../db/guilds.js";
import { guildSettingsOf } from "../../domain/guild.js";
import { BOARD_GROUP, boardSubcommands, configureBoard, withBoardSetting } from "../board/configureBoard.js";
import { endedSubcommand, setEnded } from "../config/ended.js";
import { setTemplate, templateSubcommand } from "../config/template.js";
import type { BotContext } from "../context.js";
import { COLOR_OK, COLOR_WARN, checkEmbed, SHOW_TEXT, settingsEmbed } from "../embeds/settings.js";
import { UserError } from "../errors.js";
import {
  canManageGuild,
  evaluateBoardCheck,
  evaluateCheck,
  fixPermissionText,
  missingPermissions,
} from "../permissions.js";

export const NEED_MANAGE_GUILD = "You need the Manage Server permission to change party card settings.";

export const definition = new SlashCommandBuilder()
  .setName("config")
  .setDescription("Configure party cards for this server")
  .setDefaultMemberPermissions(PermissionFlagsBits.ManageGuild)
  .setContexts(InteractionContextType.Guild)
  .addSubcommand((s) =>
    s
      .setName("channel")
      .setDescription("Choose the channel where party cards are posted")
      .addChannelOption((o) =>
        o
          .setName("channel")
          .setDescription("A text or announcement channel")
          .setRequired(true)
          .addChannelTypes(ChannelType.GuildText, ChannelType.GuildAnnouncement),
      ),
  )
  .addSubcommand((s) =>
    s
      .setName("role")
      .setDescription("Choose a role to mention when a party starts (leave empty for none)")
      .addRoleOption((o) =>
        o.setName("role").setDescription("The role to mention; leave empty to mention nobody"),
      ),
  )
  .addSubcommand((s) =>
    s
      .setName("parties")
      .setDescription("Choose which parties get a card")
      .addStringOption((o) =>
        o
          .setName("which")
          .setDescription("Joinable parties only, or every party")
          .setRequired(true)
          .addChoices(
            { name: "Joinable parties only", value: "joinable" },
            { name: "All parties", value: "all" },
          ),
      ),
  )
  .addSubcommand((s) => s.setName("enable").setDescription("Turn party cards on"))
  .addSubcommand((s) => s.setName("disable").setDescription("Turn party cards off"))
  .addSubcommand((s) => s.setName("show").setDescription("Show the current settings"))
  .addSubcommand(templateSubcommand)
  .addSubcommand(endedSubcommand)
  .addSubcommand((s) => s.setName("check").setDescription("Check that the bot can post in the party channel"))
  .addSubcommandGroup(boardSubcommands);

type GuildInteraction = ChatInputCommandInteraction<"cached">;

const showOption = z.enum(["joinable", "all"]);

export async function execute(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void> {
  if (!interaction.inCachedGuild()) throw new UserError("Use this command in a server.");
  // Discord hides the command from members without Manage Server, but a server can
  // override that per role or channel; the setting itself stays an admin decision.
  if (!canManageGuild(interaction.memberPermissions.bitfield)) throw new UserError(NEED_MANAGE_GUILD);

  const row = await ensureGuild(ctx.db, interaction.guildId);
  if (interaction.options.getSubcommandGroup() === BOARD_GROUP) return configureBoard(interaction, ctx);
  switch (interaction.options.getSubcommand(true)) {
    case "channel":
      return setChannel(interaction, ctx);
    case "role":
      return setRole(interaction, ctx);
    case "parties":
      return setParties(interaction, ctx);
    case "enable":
      return setEnabled(interaction, ctx, row, true);
    case "disable":
      return setEnabled(interaction, ctx, row, false);
    case "show":
      return reply(interaction, withBoardSetting(settingsEmbed(guildSettingsOf(row)), row.boardChannelId));
    case "check":
      return check(interaction, ctx, row);
    case "template":
      return setTemplate(interaction, ctx);
    case "ended":
      return setEnded(interaction, ctx);
    default:
      throw new UserError("This setting is not available any more. Try `/config show`.");
  }
}

async function reply(interaction: GuildInteraction, embed: EmbedBuilder): Promise<void> {
  await interaction.reply({ embeds: [embed], flags: MessageFlags.Ephemeral });
}

function confirm(text: string, warning?: string): EmbedBuilder {
  return new EmbedBuilder()
    .setColor(warning ? COLOR_WARN : COLOR_OK)
    .setDescription(warning ? `${text}\n\n⚠️ ${warning}` : text);
}

/** The bot's permissions in a channel, from the cache (kept current by CHANNEL_UPDATE events). */
function botPermissionsIn(
  interaction: GuildInteraction,
  channel: GuildBasedChannel | undefined,
): bigint | null {
  const me = interaction.guild.members.me;
  if (!channel || !me) return null;
  return channel.permissionsFor(me)?.bitfield ?? null;
}

async function setChannel(interaction: GuildInteraction, ctx: BotContext): Promise<void> {
  const picked = interaction.options.getChannel("channel", true, [
    ChannelType.GuildText,
    ChannelType.GuildAnnouncement,
  ]);
  // A new channel is a fresh start: a pause was about the old one.
  await updateGuild(ctx.db, interaction.guildId, { channelId: picked.id, pausedReason: null }, ctx.now());
  const granted = botPermissionsIn(interaction, interaction.guild.channels.cache.get(picked.id));
  const missing = granted === null ? [] : missingPermissions(granted);
  const warning =
    missing.length > 0 ? missing.map((p) => fixPermissionText(p, picked.id)).join("\n") : undefined;
  await reply(interaction, confirm(`Party cards will be posted in <#${picked.id}>.`, warning));
}

async function setRole(interaction: GuildInteraction, ctx: BotContext): Promise<void> {
  const role = interaction.options.getRole("role");
  if (role && role.id === interaction.guildId) {
    throw new UserError("Cards cannot mention @everyone. Pick a role, or leave the option empty for none.");
  }
  await updateGuild(ctx.db, interaction.guildId, { mentionRoleId: role?.id ?? null }, ctx.now());
  await reply(
    interaction,
    confirm(role ? `New party cards will mention <@&${role.id}>.` : "Party cards will not mention any role."),
  );
}

async function setParties(interaction: GuildInteraction, ctx: BotContext): Promise<void> {
  const parsed = showOption.safeParse(interaction.options.getString("which", true));
  if (!parsed.success) throw new UserError("Choose joinable or all.");
  await updateGuild(ctx.db, interaction.guildId, { show: parsed.data }, ctx.now());
  await reply(interaction, confirm(`Cards will be posted for: ${SHOW_TEXT[parsed.data].toLowerCase()}.`));
}

async function setEnabled(
  interaction: GuildInteraction,
  ctx: BotContext,
  row: GuildRow,
  enabled: boolean,
): Promise<void> {
  await updateGuild(ctx.db, interaction.guildId, { enabled }, ctx.now());
  if (!enabled)
    return reply(
      interaction,
      confirm("Party cards are off. Open cards end at the next poll; `/config enable` brings them back."),
    );
  const warning = row.channelId ? undefined : "No channel is set yet: choose one with `/config channel`.";
  await reply(interaction, confirm("Party cards are on.", warning));
}

async function check(interaction: GuildInteraction, ctx: BotContext, row: GuildRow): Promise<void> {
  const channel = row.channelId ? interaction.guild.channels.cache.get(row.channelId) : undefined;
  const report = evaluateCheck({
    enabled: row.enabled,
    pausedReason: row.pausedReason,
    channelId: row.channelId,
    channelFound: channel !== undefined,
    botPermissions: botPermissionsIn(interaction, channel),
  });
  const boardChannel = row.boardChannelId
    ? interaction.guild.channels.cache.get(row.boardChannelId)
    : undefined;
  const board = evaluateBoardCheck({
    boardChannelId: row.boardChannelId,
    channelFound: boardChannel !== undefined,
    botPermissions: botPermissionsIn(interaction, boardChannel),
    pausedReason: (await findBoard(ctx.db, interaction.guildId))?.pausedReason ?? null,
  });
  const now = ctx.now();
  if (report.clearPause) {
    await updateGuild(ctx.db, interaction.guildId, { pausedReason: null }, now);
    ctx.log.info({ guildId: interaction.guildId }, "party cards resumed after /config check");
  }
  if (board.clearPause) {
    await clearBoardPause(ctx.db, interaction.guildId, now);
    ctx.log.info({ guildId: interaction.guildId }, "presence board resumed after /config check");
  }
  // The board in the party channel would repeat the same permission lines.
  const unique = (lines: string[]) => [...new Set(lines)];
  await reply(
    interaction,
    checkEmbed({
      ...report,
      problems: unique([...report.problems, ...board.problems]),
      notes: unique([...report.notes, ...board.notes]),
    }),
  );
}
