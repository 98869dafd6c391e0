/** The IPC protocol between bench/soakRun.ts and the bot's process (bench/soakBot.ts). */
import { CommandChild } from "./commandChild.js";

export type BotCommand =
  | { op: "start"; env: Record<string, string>; clock: number }
  | { op: "clock"; clock: number }
  | { op: "tick"; clock: number }
  | { op: "channel"; guildId: string; channelId: string }
  | { op: "optIn"; guildId: string; userId: string }
  | { op: "optOut"; guildId: string; userId: string }
  | { op: "memory" }
  | { op: "takeUnhandled" }
  | { op: "stop" };

/** The bot's process, seen from the soak. */
export type BotProcess = CommandChild<BotCommand>;

export function forkBot(): BotProcess {
  return CommandChild.fork<BotCommand>(import.meta.url, "soakBot", { name: "the bot's process" });
}
