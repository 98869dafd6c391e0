import type { Party } from "./party.js";

/** A party the tracker saw end. */
export interface EndedParty {
  sessionId: string;
  endedAt: Date;
  /** null when the party was known only from an open card and never seen again. */
  party: Party | null;
}

/** What the poller hands over after each pass of a tick: the parties as they stand now. */
export interface PartyUpdate {
  /** Every live party, whoever saw it and whenever. */
  live: Party[];
  /** Parties that ended recently (reported until forgotten, so a paused server catches up). */
  ended: EndedParty[];
  now: Date;
}

/** Where the parties go: the card writer, the board writer, or a recorder in the benchmark and tests. */
export interface PartySink {
  apply(update: PartyUpdate): Promise<void>;
}
