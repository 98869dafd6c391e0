import cron, { type ScheduledTask } from "node-cron";
import { purgeLinkTokens } from "../db/linkTokens.js";
import type { LinkingDeps } from "./linking.js";
import { sendRelinkReminders } from "./relinkReminders.js";

/** Spent and expired sign-in links are kept a day (to answer "already used"), then deleted. */
const LINK_TOKEN_RETENTION_MS = 86_400_000;

export interface RelinkJob {
  /** One run now (the app runs one at start); resolves when its DMs are sent. */
  runNow(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * Re-link reminders every hour (minute 17, away from the top of the hour), runs never
 * overlapping; each run also deletes old sign-in links.
 */
export function startRelinkReminderJob(deps: LinkingDeps, pattern = "17 * * * *"): RelinkJob {
  let running: Promise<number> | null = null;
  const runNow = () => {
    running ??= Promise.resolve()
      .then(async () => {
        await purgeLinkTokens(deps.db, new Date(deps.now().getTime() - LINK_TOKEN_RETENTION_MS));
        return sendRelinkReminders(deps);
      })
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
