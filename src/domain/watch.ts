/**
 * What the watcher remembers of each linked member between ticks (kept on the users
 * row). The schedule (src/jobs/schedule.ts) decides with it; the database stores it.
 */
export interface WatchState {
  accountId: string;
  /** null: never observed (freshly linked, or state lost). */
  online: boolean | null;
  /** Consecutive observations that found the member offline. */
  offlineStreak: number;
  /** Consecutive "unavailable" failures (5xx, network). */
  errorStreak: number;
  nextPollAt: Date;
  lastPresenceAt: Date | null;
  lastPartiesAt: Date | null;
  /** The last parties read found at least one party. */
  inParty: boolean;
  /** The last parties read came back empty right after finding a party: read presence next, the member may have gone offline. */
  recheckPresence: boolean;
  needsRelink: boolean;
  /** Announced in at least one server: nobody else would see the parties. */
  announcedSomewhere: boolean;
}
