import { type App, startApp } from "./app.js";
import { explainStartupFailure, StartupError } from "./composition/startupErrors.js";
import { type Config, ConfigError, loadConfig } from "./config.js";
import { createLogger, type Logger, scrubSecrets } from "./log.js";

/** Lets pending log lines flush, but never hangs on a handle someone forgot to close. */
function exitSoon(code: number): void {
  process.exitCode = code;
  setTimeout(() => process.exit(code), 3000).unref();
}

function readConfig(): Config | null {
  try {
    return loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`${err.message}\n\nSee .env.example and the README's "Configuration" section.`);
      process.exitCode = 1;
      return null;
    }
    throw err;
  }
}

/**
 * Past this, a stop that is still waiting (a PSN call in flight, a slow Discord) is
 * cut short: supervisors escalate to SIGKILL at 10 s (`docker stop`; systemd at 90 s),
 * and a kill loses the log lines saying why. With `exitSoon`'s own wait after a clean
 * stop, the process is gone within 9 s.
 */
const SHUTDOWN_DEADLINE_MS = 6000;
/**
 * Ctrl-C in a terminal signals the whole process group, and `npm start` forwards the
 * same signal again: two arrive within milliseconds. Only a second signal sent by a
 * person, later than this, means "exit now".
 */
const REPEAT_GRACE_MS = 1000;

function handleSignals(app: App, log: Logger): void {
  let stoppingSince: number | null = null;
  const shutdown = (signal: NodeJS.Signals) => {
    if (stoppingSince !== null) {
      if (Date.now() - stoppingSince < REPEAT_GRACE_MS) return;
      log.warn({ signal }, "second signal, exiting at once");
      process.exit(1);
    }
    stoppingSince = Date.now();
    log.info({ signal }, "shutting down");
    const deadline = setTimeout(() => {
      log.error({ deadlineMs: SHUTDOWN_DEADLINE_MS }, "shutdown did not finish in time, exiting");
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS).unref();
    app.stop().then(
      () => {
        clearTimeout(deadline);
        log.info("stopped");
        exitSoon(0);
      },
      (err: unknown) => {
        log.error({ err }, "shutdown failed");
        exitSoon(1);
      },
    );
  };
  process.on("SIGINT", shutdown);
  process.on("SIGTERM", shutdown);
}

async function main(): Promise<void> {
  const config = readConfig();
  if (!config) return;
  const log = createLogger({ level: config.logLevel, pretty: config.logFormat === "pretty" });
  process.on("unhandledRejection", (reason) => log.error({ err: reason }, "unhandled promise rejection"));

  let app: App;
  try {
    app = await startApp(config, { log });
  } catch (err) {
    const explained = explainStartupFailure(err);
    if (explained)
      log.fatal(err instanceof StartupError ? { step: err.where.step, code: err.code } : {}, explained);
    else log.fatal({ err }, "could not start");
    exitSoon(1);
    return;
  }
  handleSignals(app, log);
  log.info("psn-party-bridge is running");
}

main().catch((err: unknown) => {
  process.stderr.write(`Fatal: ${scrubSecrets(err instanceof Error ? err.message : String(err))}\n`);
  exitSoon(1);
});
