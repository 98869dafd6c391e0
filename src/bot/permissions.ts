import { PermissionFlagsBits } from "discord.js";
import type { PauseReason } from "../domain/pauseReason.js";
import { pauseReasonText } from "./pauseReason.js";

/**
 * Permission decisions, free of discord.js objects so they are tested as tables.
 * Callers pass bitfields Discord (or discord.js's cache) already resolved,
 * overwrites included.
 */

export function hasPermission(granted: bigint, flag: bigint): boolean {
  if ((granted & PermissionFlagsBits.Administrator) !== 0n) return true;
  return (granted & flag) === flag;
}

/** May this member change the server's party card settings? */
export function canManageGuild(granted: bigint | null | undefined): boolean {
  return granted !== null && granted !== undefined && hasPermission(granted, PermissionFlagsBits.ManageGuild);
}

export interface RequiredPermission {
  flag: bigint;
  /** As Discord's settings screens spell it, so an admin can find the toggle. */
  name: string;
}

/** What the bot needs in the party channel to post, show and later edit its cards. */
export const PARTY_CHANNEL_PERMISSIONS: readonly RequiredPermission[] = [
  { flag: PermissionFlagsBits.ViewChannel, name: "View Channel" },
  { flag: PermissionFlagsBits.SendMessages, name: "Send Messages" },
  { flag: PermissionFlagsBits.EmbedLinks, name: "Embed Links" },
  { flag: PermissionFlagsBits.ReadMessageHistory, name: "Read Message History" },
];

export function missingPermissions(
  granted: bigint,
  required: readonly RequiredPermission[] = PARTY_CHANNEL_PERMISSIONS,
): RequiredPermission[] {
  return required.filter((p) => !hasPermission(granted, p.flag));
}

export interface CheckInput {
  enabled: boolean;
  pausedReason: PauseReason | null;
  channelId: string | null;
  /** False when the configured channel is gone or invisible to the bot. */
  channelFound: boolean;
  /** The bot's permissions in the channel; null when they cannot be computed. */
  botPermissions: bigint | null;
}

export interface CheckReport {
  problems: string[];
  notes: string[];
  /** The channel is usable: a pause for lost access can be lifted. */
  channelReady: boolean;
  clearPause: boolean;
}

export function fixPermissionText(permission: RequiredPermission, channelId: string): string {
  return (
    `Give the bot's role **${permission.name}** in <#${channelId}>: ` +
    `Channel settings → Permissions → the bot's role → allow ${permission.name}.`
  );
}

/** What `/config check` reports for a server, given what the cache says. */
export function evaluateCheck(input: CheckInput): CheckReport {
  const problems: string[] = [];
  const notes: string[] = [];
  let channelReady = false;

  if (input.channelId === null) {
    problems.push("No party channel is set. Choose one with `/config channel`.");
  } else if (!input.channelFound) {
    problems.push(
      "The party channel no longer exists, or the bot cannot see it. Choose one with `/config channel`.",
    );
  } else if (input.botPermissions === null) {
    problems.push(
      `The bot could not work out its permissions in <#${input.channelId}>. Try again in a minute.`,
    );
  } else {
    const missing = missingPermissions(input.botPermissions);
    for (const permission of missing) problems.push(fixPermissionText(permission, input.channelId));
    channelReady = missing.length === 0;
  }

  if (!input.enabled) problems.push("Party cards are turned off. Turn them on with `/config enable`.");

  const paused = input.pausedReason === null ? null : pauseReasonText(input.pausedReason);
  const clearPause = paused !== null && channelReady;
  if (clearPause) {
    notes.push(`Cards were paused (${paused}). The channel looks right now, so they are resumed.`);
  } else if (paused !== null) {
    problems.push(
      `Cards are paused: ${paused}. Fix the problems above, then run \`/config check\` again to resume.`,
    );
  }

  return { problems, notes, channelReady, clearPause };
}

export interface BoardCheckInput {
  /** null: no presence board in this server (nothing to report). */
  boardChannelId: string | null;
  channelFound: boolean;
  botPermissions: bigint | null;
  /** Why the board writer stopped, if it did. */
  pausedReason: PauseReason | null;
}

/** What `/config check` adds for the presence board: its channel, and a pause it can lift. */
export function evaluateBoardCheck(input: BoardCheckInput): Omit<CheckReport, "channelReady"> {
  const problems: string[] = [];
  const notes: string[] = [];
  const id = input.boardChannelId;
  if (id === null) return { problems, notes, clearPause: false };
  let ready = false;
  if (!input.channelFound) {
    problems.push(
      "The presence board's channel no longer exists, or the bot cannot see it. Choose one with `/config board channel`, or `/config board off`.",
    );
  } else if (input.botPermissions === null) {
    problems.push(`The bot could not work out its permissions in <#${id}>. Try again in a minute.`);
  } else {
    const missing = missingPermissions(input.botPermissions);
    for (const permission of missing) problems.push(fixPermissionText(permission, id));
    ready = missing.length === 0;
  }
  const paused = input.pausedReason === null ? null : pauseReasonText(input.pausedReason);
  const clearPause = paused !== null && ready;
  if (clearPause)
    notes.push(
      `The presence board was paused (${paused}). Its channel looks right now, so it is posted again at the next poll.`,
    );
  else if (paused !== null)
    problems.push(
      `The presence board is paused: ${paused}. Fix the problems above, then run \`/config check\` again to resume it.`,
    );
  return { problems, notes, clearPause };
}

/** Everything the bot asks for when invited: what the party channel needs, nothing more. */
export function invitePermissions(
  required: readonly RequiredPermission[] = PARTY_CHANNEL_PERMISSIONS,
): bigint {
  return required.reduce((all, p) => all | p.flag, 0n);
}

/** The link that adds the bot to a server, with its slash commands and those permissions. */
export function botInviteUrl(applicationId: string): string {
  const query = `client_id=${applicationId}&scope=bot+applications.commands&permissions=${invitePermissions()}`;
  return `https://discord.com/oauth2/authorize?${query}`;
}
