import { type ButtonInteraction, MessageFlags } from "discord.js";
import { issueLink } from "../../accounts/linking.js";
import { findUser } from "../../db/users.js";
import { linkMessage } from "../commands/link.js";
import type { BotContext } from "../context.js";
import { dmComponents, RELINK_PREFIX } from "../directMessages.js";

/** `relink:new`, on re-link reminders and notices: a fresh sign-in link, whenever the member gets to it. */
export const prefix = RELINK_PREFIX;

export async function execute(interaction: ButtonInteraction, _id: string, ctx: BotContext): Promise<void> {
  const userId = interaction.user.id;
  const link = await issueLink(ctx.linking, userId, null);
  await interaction.reply({
    content: linkMessage((await findUser(ctx.db, userId))?.psnOnlineId ?? null, link.expiresAt),
    components: dmComponents({ link: { label: "Open sign-in page", url: link.url } }),
    flags: MessageFlags.Ephemeral,
  });
}
