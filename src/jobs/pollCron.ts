/**
 * When the poller ticks: node-cron every poll interval. A firing while the tick it
 * started is still running is skipped, so a slow tick delays the next instead of
 * queueing ticks behind it.
 */
import cron from "node-cron";
import type { Logger } from "../log.js";

/** How node-cron fires: a pattern, and the minimum gap to enforce when the pattern fires more often. */
export function cronPlanFor(intervalSeconds: number): { pattern: string; gateMs: number } {
  if (intervalSeconds < 60 && 60 % intervalSeconds === 0)
    return { pattern: `*/${intervalSeconds} * * * * *`, gateMs: 0 };
  const minutes = intervalSeconds / 60;
  if (Number.isInteger(minutes) && minutes < 60 && 60 % minutes === 0)
    return { pattern: `0 */${minutes} * * * *`, gateMs: 0 };
  // Intervals that do not divide a minute or an hour: fire every second, tick once enough time passed.
  return { pattern: "* * * * * *", gateMs: intervalSeconds * 1000 };
}

export interface PollCron {
  /** No tick starts after this; one running is left to finish (the poller's stop waits for it). */
  stop(): Promise<void>;
}

export function startPollCron(options: {
  intervalSeconds: number;
  tick: () => Promise<unknown>;
  log: Logger;
}): PollCron {
  const log = options.log.child({ component: "poller" });
  const { pattern, gateMs } = cronPlanFor(options.intervalSeconds);
  let running: Promise<unknown> | null = null;
  let lastTickAt = 0;
  let stopped = false;
  const task = cron.schedule(
    pattern,
    () => {
      if (stopped) return;
      if (running) {
        log.debug("previous poll tick still running; this one is skipped");
        return;
      }
      const t = Date.now();
      if (gateMs > 0 && t - lastTickAt < gateMs - 500) return;
      lastTickAt = t;
      running = options
        .tick()
        .catch((err: unknown) => log.error({ err }, "poll tick failed"))
        .finally(() => {
          running = null;
        });
    },
    { name: "psn-poll" },
  );
  log.info({ pattern, intervalSeconds: options.intervalSeconds }, "poller started");
  return {
    async stop() {
      stopped = true;
      await task.destroy();
    },
  };
}
