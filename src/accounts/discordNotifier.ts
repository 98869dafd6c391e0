import { ActionRowBuilder, ButtonBuilder, ButtonStyle, type Client } from "discord.js";
import type { DmMessage, MemberNotifier } from "./notify.js";

export const RELINK_CUSTOM_ID = "relink:new";

/** The message components of a DM: a link button and/or the "new sign-in link" button. */
export function dmComponents(message: DmMessage): ActionRowBuilder<ButtonBuilder>[] {
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
        .setCustomId(RELINK_CUSTOM_ID),
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
