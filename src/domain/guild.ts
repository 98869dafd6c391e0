import type { PauseReason } from "./pauseReason.js";

/** Which parties a server's channel shows: joinable ones (open or request-to-join), or every one. */
export type ShowFilter = "joinable" | "all";

export interface GuildSettings {
  guildId: string;
  channelId: string | null;
  mentionRoleId: string | null;
  show: ShowFilter;
  enabled: boolean;
  /** Set when Discord refused access (50001/50013); cleared by `/config check`. */
  pausedReason: PauseReason | null;
  /** `/config template`: the text above a new card; null or absent, the role mention. */
  template?: string | null;
}

/** Whether cards may be posted or edited in this server at all. */
export function canPostCards(settings: GuildSettings): settings is GuildSettings & { channelId: string } {
  return settings.enabled && settings.channelId !== null && settings.pausedReason === null;
}
