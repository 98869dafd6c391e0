/**
 * The Discord side of accounts' MemberNotifier: a DM is plain text plus, at most,
 * a link button and the "new sign-in link" button. Slash commands and buttons that
 * answer with a sign-in link use the same components, so every link looks alike.
 */
import { ActionRowBuilder, ButtonBuilder, ButtonStyle, type Client } from "discord.js";
import type { DmMessage, MemberNotifier } from "../accounts/memberNotifier.js";
import { customId } from "./handlers.js";

/** The button family of "Get a new sign-in link" (src/bot/components/relink.ts). */
export const RELINK_PREFIX = "relink";

/** The message components of a DM: a link button and/or the "new sign-in link" button. */
export function dmComponents(message: Omit<DmMessage, "content">): ActionRowBuilder<ButtonBuilder>[] {
  const buttons: ButtonBuilder[] = [];
  if (message.link) {
    buttons.push(
      new ButtonBuilder().setStyle(ButtonStyle.Link).setLabel(message.link.label).setURL(message.link.url),
    );
  }
  if (message.relinkButton) {
    buttons.push(
      new ButtonBuilder()
        .setStyle(ButtonStyle.Secondary)
        .setLabel("Get a new sign-in link")
        .setCustomId(customId(RELINK_PREFIX, "new")),
    );
  }
  return buttons.length > 0 ? [new ActionRowBuilder<ButtonBuilder>().addComponents(buttons)] : [];
}

export function createDiscordNotifier(client: Client): MemberNotifier {
  return {
    async dm(discordUserId, message) {
      const user = await client.users.fetch(discordUserId);
      await user.send({ content: message.content, components: dmComponents(message) });
    },
  };
}
