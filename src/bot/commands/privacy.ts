/**
 * /privacy: what a linked member lets others do. `invites` says whether others may
 * have an invitation sent from their account (automatically, after their approval
 * by DM, or never); `announce` says whether their parties get cards in this server;
 * `board` says whether presence boards list them (every server).
 */
import {
  type ChatInputCommandInteraction,
  InteractionContextType,
  MessageFlags,
  SlashCommandBuilder,
} from "discord.js";
import { z } from "zod";
import { setOnBoard } from "../../db/boards.js";
import { optIn, optOut } from "../../db/guildMembers.js";
import { setInvitesMode } from "../../db/invites.js";
import { findUser } from "../../db/users.js";
import { pollSoon } from "../../db/watch.js";
import type { BotContext } from "../context.js";
import { UserError } from "../errors.js";

export const NOT_LINKED = "Link your PlayStation account first with `/link`.";

const INVITES_TEXT = {
  auto: "Members of servers that announce you can have an invitation sent from your account automatically.",
  approve: "You'll get a DM to approve or deny each invite request.",
  off: "Nobody can request an invitation from your account.",
} as const;

export const definition = new SlashCommandBuilder()
  .setName("privacy")
  .setDescription("Choose what others can see and request")
  .setContexts(InteractionContextType.Guild)
  .addSubcommand((s) =>
    s
      .setName("invites")
      .setDescription("Who may have an invitation sent from your PSN account")
      .addStringOption((o) =>
        o
          .setName("mode")
          .setDescription("auto, approve each request, or off")
          .setRequired(true)
          .addChoices(
            { name: "Send automatically", value: "auto" },
            { name: "Ask me first (DM)", value: "approve" },
            { name: "Off", value: "off" },
          ),
      ),
  )
  .addSubcommand((s) =>
    s
      .setName("announce")
      .setDescription("Whether your parties get cards in this server")
      .addStringOption((o) =>
        o
          .setName("state")
          .setDescription("on or off")
          .setRequired(true)
          .addChoices({ name: "On", value: "on" }, { name: "Off", value: "off" }),
      ),
  )
  .addSubcommand((s) =>
    s
      .setName("board")
      .setDescription("Whether presence boards list you when you are online")
      .addStringOption((o) =>
        o
          .setName("state")
          .setDescription("on or off")
          .setRequired(true)
          .addChoices({ name: "On", value: "on" }, { name: "Off", value: "off" }),
      ),
  );

const mode = z.enum(["auto", "approve", "off"]);
const onOff = z.enum(["on", "off"]);

export async function execute(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void> {
  if (!interaction.inGuild()) throw new UserError("Use this command in a server.");
  const userId = interaction.user.id;
  const user = await findUser(ctx.db, userId);
  if (!user) throw new UserError(NOT_LINKED);
  const now = ctx.now();

  if (interaction.options.getSubcommand(true) === "invites") {
    const chosen = mode.parse(interaction.options.getString("mode", true));
    await setInvitesMode(ctx.db, userId, chosen, now);
    await interaction.reply({
      content: `Invite requests: **${chosen}**. ${INVITES_TEXT[chosen]}`,
      flags: MessageFlags.Ephemeral,
    });
    return;
  }

  const state = onOff.parse(interaction.options.getString("state", true));
  if (interaction.options.getSubcommand(true) === "board") {
    await setOnBoard(ctx.db, userId, state === "on", now);
    await interaction.reply({
      content:
        state === "on"
          ? "Presence boards will list you when you are online."
          : "Presence boards will no longer list you, in any server.",
      flags: MessageFlags.Ephemeral,
    });
    return;
  }
  if (state === "on") {
    await optIn(ctx.db, interaction.guildId, userId);
    // Seen soon rather than at the end of an offline backoff.
    await pollSoon(ctx.db, userId, now);
    await interaction.reply({
      content: "Your parties will get cards in this server's party channel.",
      flags: MessageFlags.Ephemeral,
    });
    return;
  }
  await optOut(ctx.db, interaction.guildId, userId);
  await interaction.reply({
    content: "Your parties will no longer get cards in this server.",
    flags: MessageFlags.Ephemeral,
  });
}
