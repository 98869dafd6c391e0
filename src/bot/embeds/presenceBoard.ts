/**
 * The presence board: one message per server listing who is online now, grouped by
 * game, with platform and since when. Plain Discord JSON plus a hash of what it shows,
 * so the board writer edits only when that changes. Pure.
 *
 * "Since" is a Discord timestamp (`<t:…:R>`): each reader's client counts the time, so
 * the message does not change (and is not edited) as minutes pass.
 */
import { createHash } from "node:crypto";
import type { APIEmbed } from "discord.js";
import { codePointLength, EMBED_LIMITS, fitEmbed, fitPsnText, psnName } from "./limits.js";

export interface BoardEntry {
  discordUserId: string;
  onlineId: string;
  /** The game's name; null when online without a game. */
  game: string | null;
  platform: string | null;
  /** Since when they show this; null when not known yet (online before the bot counted). */
  since: Date | null;
}

export interface RenderedBoard {
  embeds: APIEmbed[];
  hash: string;
}

/** The footer the bot finds its own board by when it reads a channel back. */
export const BOARD_FOOTER = "Presence board · /privacy board to hide yourself";
export const BOARD_TITLE = "Online now";
export const NOBODY_ONLINE = "Nobody is online.";
export const NO_GAME = "Online, not in a game";
export const BOARD_COLOR = 0x0070d1;

/** Room kept for the "…and N more" line when the list is cut. */
const MORE_LINE_ROOM = 40;
/** PSN game names are not ours to trust: one must not crowd out the list. */
const GAME_NAME_MAX = 100;

function line(e: BoardEntry): string {
  const parts = [`<@${e.discordUserId}>`, psnName(e.onlineId)];
  if (e.platform) parts.push(fitPsnText(e.platform, 16));
  if (e.since) parts.push(`since <t:${Math.floor(e.since.getTime() / 1000)}:R>`);
  return `• ${parts.join(" · ")}`;
}

/** Games with the most members first, then by name; "not in a game" last. */
export function groupByGame(
  entries: readonly BoardEntry[],
): { game: string | null; members: BoardEntry[] }[] {
  const groups = new Map<string | null, BoardEntry[]>();
  for (const e of entries) groups.set(e.game, [...(groups.get(e.game) ?? []), e]);
  const bySince = (a: BoardEntry, b: BoardEntry) =>
    (a.since?.getTime() ?? 0) - (b.since?.getTime() ?? 0) ||
    a.onlineId.localeCompare(b.onlineId) ||
    a.discordUserId.localeCompare(b.discordUserId);
  return [...groups]
    .map(([game, members]) => ({ game, members: members.sort(bySince) }))
    .sort((a, b) => {
      if (a.game === null || b.game === null) return a.game === null ? (b.game === null ? 0 : 1) : -1;
      return b.members.length - a.members.length || a.game.localeCompare(b.game);
    });
}

export function renderBoard(entries: readonly BoardEntry[]): RenderedBoard {
  const lines: string[] = [];
  const budget = EMBED_LIMITS.description - MORE_LINE_ROOM;
  let used = 0;
  let shown = 0;
  const push = (text: string): boolean => {
    const cost = codePointLength(text) + (lines.length > 0 ? 1 : 0);
    if (used + cost > budget) return false;
    lines.push(text);
    used += cost;
    return true;
  };
  outer: for (const group of groupByGame(entries)) {
    const name = group.game === null ? NO_GAME : fitPsnText(group.game, GAME_NAME_MAX);
    if (!push(`${lines.length > 0 ? "\n" : ""}**${name}** (${group.members.length})`)) break;
    for (const member of group.members) {
      if (!push(line(member))) break outer;
      shown++;
    }
  }
  if (shown < entries.length) lines.push(`…and ${entries.length - shown} more online`);
  const embed = fitEmbed({
    title: BOARD_TITLE,
    color: BOARD_COLOR,
    description: entries.length === 0 ? NOBODY_ONLINE : lines.join("\n"),
    footer: { text: BOARD_FOOTER },
  });
  const embeds = [embed];
  return { embeds, hash: createHash("sha256").update(JSON.stringify(embeds)).digest("hex") };
}

/** Whether a message read back (by its footers) is a presence board. */
export function isBoardFooter(footers: readonly string[] | undefined): boolean {
  return footers?.includes(BOARD_FOOTER) ?? false;
}
