/**
 * `/config ended <keep|delete-after> [minutes]`: what happens to a card when its party
 * ends. Kept (grey, buttons off: the default), or deleted that many minutes after it
 * ended (jobs/cards/endedDeletion.ts does it, from the time kept on the card row).
 */
import {
  type ChatInputCommandInteraction,
  EmbedBuilder,
  MessageFlags,
  type SlashCommandSubcommandBuilder,
} from "discord.js";
import { z } from "zod";
import { keepEndedCards } from "../../db/cards.js";
import { updateGuild } from "../../db/guilds.js";
import type { BotContext } from "../context.js";
import { COLOR_OK } from "../embeds/settings.js";
import { UserError } from "../errors.js";

/** From a minute (a busy channel) to a day (a card stays as a record of the evening). */
export const DELETE_AFTER_MINUTES = { min: 1, max: 1440 } as const;

export const MINUTES_OUT_OF_RANGE = `Choose between ${DELETE_AFTER_MINUTES.min} and ${DELETE_AFTER_MINUTES.max} minutes (a day).`;
export const MINUTES_MISSING = `Say after how many minutes: \`/config ended delete-after minutes:30\` (${DELETE_AFTER_MINUTES.min} to ${DELETE_AFTER_MINUTES.max}).`;

export function endedSubcommand(s: SlashCommandSubcommandBuilder): SlashCommandSubcommandBuilder {
  return s
    .setName("ended")
    .setDescription("What happens to a card when its party ends")
    .addStringOption((o) =>
      o
        .setName("mode")
        .setDescription("Keep ended cards, or delete them after some minutes")
        .setRequired(true)
        .addChoices({ name: "Keep them", value: "keep" }, { name: "Delete after…", value: "delete-after" }),
    )
    .addIntegerOption((o) =>
      o
        .setName("minutes")
        .setDescription(
          `With delete-after: how many minutes after the end (${DELETE_AFTER_MINUTES.min}-${DELETE_AFTER_MINUTES.max})`,
        ),
    );
}

const mode = z.enum(["keep", "delete-after"]);
const minutes = z.number().int().min(DELETE_AFTER_MINUTES.min).max(DELETE_AFTER_MINUTES.max);

export async function setEnded(
  interaction: ChatInputCommandInteraction<"cached">,
  ctx: BotContext,
): Promise<void> {
  const parsed = mode.safeParse(interaction.options.getString("mode", true));
  if (!parsed.success) throw new UserError("Choose keep or delete-after.");
  const guildId = interaction.guildId;
  let text: string;
  if (parsed.data === "keep") {
    // Together: a setting of "keep" with deletions still pending would surprise.
    const called = await keepEndedCards(ctx.db, guildId, ctx.now());
    text = `Ended cards stay in the channel, grey with their buttons off.${called > 0 ? ` ${called} card${called === 1 ? "" : "s"} waiting to be deleted will stay.` : ""}`;
  } else {
    const given = interaction.options.getInteger("minutes");
    if (given === null) throw new UserError(MINUTES_MISSING);
    const checked = minutes.safeParse(given);
    if (!checked.success) throw new UserError(MINUTES_OUT_OF_RANGE);
    await updateGuild(ctx.db, guildId, { endedDeleteAfterMinutes: checked.data }, ctx.now());
    const unit = checked.data === 1 ? "minute" : "minutes";
    text = `Ended cards will be deleted ${checked.data} ${unit} after their party ends. Cards that ended before stay.`;
  }
  await interaction.reply({
    embeds: [new EmbedBuilder().setColor(COLOR_OK).setDescription(text)],
    flags: MessageFlags.Ephemeral,
  });
}
