/**
 * The bot of the fault soak in its own process, so the soak's memory figures are the
 * bot's alone: the simulators in the parent keep every request and message they saw,
 * which is what the counts are made from, and would otherwise be measured as the bot's
 * growth. Driven over IPC by bench/soakRun.ts (`{ id, cmd }` answered `{ id, ok, value }`).
 * It runs the real app (startApp) on the soak's accelerated clock.
 */
import { type App, startApp } from "../src/app.js";
import { parseConfig } from "../src/config.js";
import { optIn, optOut } from "../src/db/guildMembers.js";
import { updateGuild } from "../src/db/guilds.js";
import { silentLogger } from "../src/log.js";
import { serveCommands } from "./commandChild.js";
import type { BotCommand } from "./soakBotCommands.js";

let clock = Date.now();
let app: App | null = null;
let unhandled: string[] = [];

const onUnhandled = (err: unknown) => {
  unhandled.push(String(err));
};
process.on("unhandledRejection", onUnhandled);
process.on("uncaughtException", onUnhandled);

function running(): App {
  if (!app) throw new Error("the bot is not started");
  return app;
}

async function run(cmd: BotCommand): Promise<unknown> {
  switch (cmd.op) {
    case "start":
      clock = cmd.clock;
      app = await startApp(parseConfig(cmd.env), {
        log: silentLogger(),
        rest: { retries: 0, offset: 0 },
        schedulePolls: false,
        now: () => new Date(clock),
        psnClock: () => clock,
      });
      return null;
    case "clock":
      clock = cmd.clock;
      return null;
    case "tick":
      clock = cmd.clock;
      await running().poller.tick();
      return null;
    case "channel":
      await updateGuild(running().ctx.db, cmd.guildId, { channelId: cmd.channelId });
      return null;
    case "optIn":
      await optIn(running().ctx.db, cmd.guildId, cmd.userId);
      return null;
    case "optOut":
      await optOut(running().ctx.db, cmd.guildId, cmd.userId);
      return null;
    case "memory": {
      // Collected first when the process was started with --expose-gc: live memory, not garbage.
      (globalThis as { gc?: () => void }).gc?.();
      return process.memoryUsage();
    }
    case "takeUnhandled": {
      const out = unhandled;
      unhandled = [];
      return out;
    }
    case "stop":
      await app?.stop();
      app = null;
      return null;
  }
}

serveCommands(run, async () => {
  await app?.stop();
});
