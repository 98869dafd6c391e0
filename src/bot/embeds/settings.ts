import { EmbedBuilder } from "discord.js";
import type { GuildSettings } from "../../domain/guild.js";
import { pauseReasonText } from "../pauseReason.js";
import type { CheckReport } from "../permissions.js";
import { EMBED_LIMITS, truncate } from "./limits.js";

export const COLOR_OK = 0x2ecc71;
export const COLOR_WARN = 0xf1c40f;
export const COLOR_INFO = 0x5865f2;

export function statusText(settings: GuildSettings): string {
  if (!settings.enabled) return "Off";
  if (settings.pausedReason) return `Paused: ${pauseReasonText(settings.pausedReason)}`;
  if (!settings.channelId) return "On, waiting for a channel";
  return "On";
}

export const SHOW_TEXT: Record<GuildSettings["show"], string> = {
  joinable: "Joinable parties only",
  all: "All parties",
};

/** Pure: "Deleted 30 minutes after the party ends" / "Kept". */
export function endedText(deleteAfterMinutes: number | null): string {
  if (deleteAfterMinutes === null) return "Kept (grey, buttons off)";
  const unit = deleteAfterMinutes === 1 ? "minute" : "minutes";
  return `Deleted ${deleteAfterMinutes} ${unit} after the party ends`;
}

/** The template as typed, quoted (an embed never pings), within a field's 1024. */
export function templateText(template: string | null): string {
  if (template === null) return "Default: the mention role";
  return truncate(template, EMBED_LIMITS.fieldValue);
}

export function settingsEmbed(settings: GuildSettings): EmbedBuilder {
  return new EmbedBuilder()
    .setTitle("Party card settings")
    .setColor(settings.enabled && !settings.pausedReason ? COLOR_INFO : COLOR_WARN)
    .addFields(
      { name: "Status", value: statusText(settings) },
      { name: "Channel", value: settings.channelId ? `<#${settings.channelId}>` : "Not set", inline: true },
      {
        name: "Mention role",
        value: settings.mentionRoleId ? `<@&${settings.mentionRoleId}>` : "None",
        inline: true,
      },
      { name: "Parties shown", value: SHOW_TEXT[settings.show], inline: true },
      { name: "Card text", value: templateText(settings.template) },
      { name: "Ended cards", value: endedText(settings.endedDeleteAfterMinutes) },
    );
}

export function checkEmbed(report: CheckReport): EmbedBuilder {
  const healthy = report.problems.length === 0;
  const lines = [
    ...report.problems.map((p) => `⚠️ ${p}`),
    ...report.notes.map((n) => `✅ ${n}`),
    ...(healthy ? ["✅ Everything is in place: party cards can be posted."] : []),
  ];
  return new EmbedBuilder()
    .setTitle(healthy ? "Party cards are ready" : "Party cards need attention")
    .setColor(healthy ? COLOR_OK : COLOR_WARN)
    .setDescription(lines.join("\n"));
}
