import type { ButtonInteraction } from "discord.js";
import { unlinkMember } from "../../accounts/unlink.js";
import type { BotContext } from "../context.js";
import { UserError } from "../errors.js";

export const prefix = "unlink";

export type UnlinkButton =
  | { action: "confirm"; userId: string; expiresAt: Date }
  | { action: "cancel"; userId: string };

export function parseUnlinkId(id: string): UnlinkButton | null {
  const confirm = /^confirm:(\d{1,20}):(\d{1,12})$/.exec(id);
  if (confirm) {
    return {
      action: "confirm",
      userId: confirm[1] as string,
      expiresAt: new Date(Number(confirm[2]) * 1000),
    };
  }
  const cancel = /^cancel:(\d{1,20})$/.exec(id);
  return cancel ? { action: "cancel", userId: cancel[1] as string } : null;
}

export async function execute(interaction: ButtonInteraction, id: string, ctx: BotContext): Promise<void> {
  const button = parseUnlinkId(id);
  if (!button) throw new UserError("This button no longer works. Run /unlink again.");
  if (button.userId !== interaction.user.id)
    throw new UserError("Only the member who ran /unlink can confirm it.");
  if (button.action === "cancel") {
    await interaction.update({ content: "Cancelled: your link stays as it is.", components: [] });
    return;
  }
  if (button.expiresAt.getTime() <= ctx.now().getTime()) {
    await interaction.update({ content: "This confirmation expired. Run /unlink again.", components: [] });
    return;
  }
  const userId = interaction.user.id;
  // Ending cards edits messages through Discord's rate limits, which can outlast the
  // 3 seconds an interaction has to be acknowledged.
  await interaction.deferUpdate();
  // Cards first: the card writer finds them through the opt-ins that unlinking deletes.
  await ctx.cards
    .endCardsOfUser(userId)
    .catch((err: unknown) => ctx.log.warn({ err, userId }, "could not end the member's party cards"));
  const removed = await unlinkMember(ctx.db, userId);
  ctx.log.info({ userId }, "member unlinked");
  if (!removed.onlineId) {
    await interaction.editReply({
      content: "You have no PlayStation account linked any more.",
      components: [],
    });
    return;
  }
  const servers = removed.guildIds.length;
  await interaction.editReply({
    content:
      `Unlinked **${removed.onlineId}**. Removed: your stored PSN sign-in (tokens), your settings, ` +
      `your announcements in ${servers === 1 ? "1 server" : `${servers} servers`}` +
      (removed.linkTokens > 0 ? ", your pending sign-in links" : "") +
      (removed.invites > 0 ? ", your invitation history" : "") +
      ". Run /link any time to link again.",
    components: [],
  });
}
