import type { PauseReason } from "./pauseReason.js";

/** Which parties a server's channel shows: joinable ones (open or request-to-join), or every one. */
export type ShowFilter = "joinable" | "all";

/** A server's party card settings: what the card writer, `/config show`, `/party` and `/parties` read. */
export interface GuildSettings {
  guildId: string;
  channelId: string | null;
  mentionRoleId: string | null;
  show: ShowFilter;
  enabled: boolean;
  /** Set when Discord refused access (50001/50013); cleared by `/config check`. */
  pausedReason: PauseReason | null;
  /** `/config template`: the text above a new card; null, the role mention. */
  template: string | null;
  /** `/config ended`: minutes after its party ends that a card is deleted; null, kept. */
  endedDeleteAfterMinutes: number | null;
}

/** The stored server row's settings columns, as src/db/guilds.ts reads them. */
export interface StoredGuildSettings {
  guildId: string;
  channelId: string | null;
  mentionRoleId: string | null;
  show: ShowFilter;
  enabled: boolean;
  pausedReason: PauseReason | null;
  cardTemplate: string | null;
  endedDeleteAfterMinutes: number | null;
}

/** The one mapping from the stored row to the settings. */
export function guildSettingsOf(row: StoredGuildSettings): GuildSettings {
  return {
    guildId: row.guildId,
    channelId: row.channelId,
    mentionRoleId: row.mentionRoleId,
    show: row.show,
    enabled: row.enabled,
    pausedReason: row.pausedReason,
    template: row.cardTemplate,
    endedDeleteAfterMinutes: row.endedDeleteAfterMinutes,
  };
}

/** Whether cards may be posted or edited in this server at all. */
export function canPostCards(settings: GuildSettings): settings is GuildSettings & { channelId: string } {
  return settings.enabled && settings.channelId !== null && settings.pausedReason === null;
}
