/**
 * What a server's presence board needs now, from its setting, its row and what it
 * should show. Pure: the board writer does the Discord calls (writer.ts).
 */
import type { BoardRow } from "../../db/boards.js";

export type BoardStep =
  /** Nothing to do: up to date, paused, already written this tick, or no board wanted. */
  | { kind: "none" }
  /** No board yet in the wanted channel: write the row, then post. */
  | { kind: "post" }
  /** A row without a message id (crash or lost answer): resend on its nonce or look first. */
  | { kind: "settle" }
  /** What it shows changed. */
  | { kind: "edit" }
  /** Turned off, or moved: take the old message down (and, if moved, post in the new channel). */
  | { kind: "remove"; thenPost: boolean };

export interface BoardInput {
  /** The channel set with `/config board`; null when off. */
  wantedChannelId: string | null;
  row: Pick<BoardRow, "channelId" | "state" | "messageId" | "hash" | "updatedAt" | "pausedReason"> | null;
  /** The hash of the board as it should read now. */
  hash: string;
  now: Date;
}

export function decideBoard({ wantedChannelId, row, hash, now }: BoardInput): BoardStep {
  if (wantedChannelId === null) return row ? { kind: "remove", thenPost: false } : { kind: "none" };
  if (!row) return { kind: "post" };
  if (row.channelId !== wantedChannelId) return { kind: "remove", thenPost: true };
  // Discord refused the channel: nothing is tried until `/config board` is run again.
  if (row.pausedReason !== null) return { kind: "none" };
  if (row.state === "posting" || row.messageId === null) return { kind: "settle" };
  // A tick hands its parties over in two passes; a board written this tick waits for the next.
  if (row.updatedAt.getTime() === now.getTime()) return { kind: "none" };
  return row.hash === hash ? { kind: "none" } : { kind: "edit" };
}
