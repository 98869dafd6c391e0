/**
 * `/config template <text>`: the text posted above each new card, with placeholders;
 * `/config template reset` goes back to the bare role mention. Checked when set
 * (bot/embeds/cardTemplate.ts), so a card never fails on it later.
 */
import {
  type ChatInputCommandInteraction,
  EmbedBuilder,
  MessageFlags,
  type SlashCommandSubcommandBuilder,
} from "discord.js";
import { z } from "zod";
import { updateGuild } from "../../db/guilds.js";
import type { BotContext } from "../context.js";
import { checkTemplate, expandTemplate, PLACEHOLDERS, type TemplateValues } from "../embeds/cardTemplate.js";
import { truncate } from "../embeds/limits.js";
import { COLOR_OK, COLOR_WARN } from "../embeds/settings.js";
import { UserError } from "../errors.js";

/** Typed as the text, it resets the template. */
export const RESET = "reset";

export function templateSubcommand(s: SlashCommandSubcommandBuilder): SlashCommandSubcommandBuilder {
  return s
    .setName("template")
    .setDescription("The text posted with a new card; `reset` for the default (the role mention)")
    .addStringOption((o) =>
      o
        .setName("text")
        .setDescription(`Placeholders: ${PLACEHOLDERS.map((p) => `{${p}}`).join(" ")}; or: reset`)
        .setRequired(true),
    );
}

/** What the preview fills in: a made-up party, so the admin sees the text as members will. */
function exampleValues(roleId: string | null): TemplateValues {
  return {
    host: "Kratos_PS",
    game: "Helldivers 2",
    members: "Kratos_PS, Aloy_PS",
    slots: "2/16",
    party: "Kratos\\_PS's party",
    role: roleId !== null ? `<@&${roleId}>` : "",
  };
}

const text = z.string();

export async function setTemplate(
  interaction: ChatInputCommandInteraction<"cached">,
  ctx: BotContext,
): Promise<void> {
  const raw = text.parse(interaction.options.getString("text", true));
  const guildId = interaction.guildId;
  if (raw.trim().toLowerCase() === RESET) {
    await updateGuild(ctx.db, guildId, { cardTemplate: null }, ctx.now());
    await interaction.reply({
      embeds: [
        new EmbedBuilder()
          .setColor(COLOR_OK)
          .setDescription(
            "New cards are posted with the default text: the role from `/config role`, if any.",
          ),
      ],
      flags: MessageFlags.Ephemeral,
    });
    return;
  }
  const checked = checkTemplate(raw);
  if (!checked.ok) throw new UserError(checked.problem);
  const row = await updateGuild(ctx.db, guildId, { cardTemplate: checked.template }, ctx.now());
  const preview = expandTemplate(checked.template, exampleValues(row.mentionRoleId));
  const noRole = checked.template.includes("{role}") && row.mentionRoleId === null;
  const lines = [
    "New cards will be posted with this text. With a made-up party it reads:",
    "",
    truncate(preview, 3000),
    ...(noRole
      ? ["", "⚠️ No role is set: `{role}` stays empty until you choose one with `/config role`."]
      : []),
  ];
  await interaction.reply({
    embeds: [new EmbedBuilder().setColor(noRole ? COLOR_WARN : COLOR_OK).setDescription(lines.join("\n"))],
    flags: MessageFlags.Ephemeral,
  });
}
