import cron, { type ScheduledTask } from "node-cron";
import { type RelinkDeps, sendRelinkReminders } from "./relinkReminders.js";

export interface RelinkJob {
  /** One run now (the app runs one at start); resolves when its DMs are sent. */
  runNow(): Promise<number>;
  stop(): Promise<void>;
}

/** Re-link reminders every hour (minute 17, away from the top of the hour), runs never overlapping. */
export function startRelinkReminderJob(deps: RelinkDeps, pattern = "17 * * * *"): RelinkJob {
  let running: Promise<number> | null = null;
  const runNow = () => {
    running ??= sendRelinkReminders(deps)
      .catch((err: unknown) => {
        deps.log.error({ err }, "re-link reminders failed; next run in an hour");
        return 0;
      })
      .finally(() => {
        running = null;
      });
    return running;
  };
  const task: ScheduledTask = cron.schedule(pattern, () => void runNow(), { name: "relink-reminders" });
  return {
    runNow,
    async stop() {
      await task.destroy();
      await running;
    },
  };
}
