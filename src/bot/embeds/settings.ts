import { EmbedBuilder } from "discord.js";
import type { GuildRow } from "../../db/guilds.js";
import type { CheckReport } from "../permissions.js";

export const COLOR_OK = 0x2ecc71;
export const COLOR_WARN = 0xf1c40f;
export const COLOR_INFO = 0x5865f2;

export type GuildSettings = Pick<
  GuildRow,
  "channelId" | "mentionRoleId" | "show" | "enabled" | "pausedReason"
>;

export function statusText(settings: GuildSettings): string {
  if (!settings.enabled) return "Off";
  if (settings.pausedReason) return `Paused: ${settings.pausedReason}`;
  if (!settings.channelId) return "On, waiting for a channel";
  return "On";
}

export const SHOW_TEXT: Record<GuildSettings["show"], string> = {
  joinable: "Joinable parties only",
  all: "All parties",
};

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
