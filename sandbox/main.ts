/**
 * `npm run sandbox`: the real bot against the Discord and PSN simulators with a demo
 * server, and a local page showing it as Discord would, with a control panel. Nothing
 * to configure: keys, database and ports are generated and thrown away on exit.
 *
 * `npm run sandbox -- --scene`: plays a scripted story without a browser, prints the
 * transcript and exits. `--port <n>` (or SANDBOX_PORT) fixes the page's port; `--host
 * <address>` is where the page, the simulators and the bot's sign-in pages listen, and the
 * address their links name (default 127.0.0.1).
 */
import { parseArgs } from "node:util";
import { portOption } from "../sim/portOption.js";
import { stopOnSignal } from "../sim/stopOnSignal.js";
import { createLogger } from "../src/log.js";
import { startSandbox } from "./sandbox.js";
import { runScene } from "./scene.js";
import { startView } from "./view/server.js";

const argv = process.argv.slice(2);
const { values } = parseArgs({
  args: argv,
  options: {
    scene: { type: "boolean" },
    port: { type: "string" },
    host: { type: "string" },
    verbose: { type: "boolean" },
  },
  strict: true,
});

if (values.scene) {
  await runScene((text) => process.stdout.write(text));
  process.exit(0);
}

const port = portOption(
  values.port === undefined ? [] : ["--port", values.port],
  process.env.SANDBOX_PORT,
  "SANDBOX_PORT",
);
// The bot's own log lines would bury the URL: warnings only, unless asked.
const log = createLogger({ level: values.verbose ? "debug" : "warn", pretty: true });
const sandbox = await startSandbox({ log, ...(values.host ? { host: values.host } : {}) });
const view = await startView(sandbox, { port });
process.stdout.write(
  [
    "Sandbox running: the real bot, the Discord and PSN simulators, a demo server.",
    `Open ${view.url}`,
    `Sign-in page (the bot's own, where /link leads): ${sandbox.webUrl}/`,
    "Ctrl-C to stop (everything is thrown away).",
    "",
  ].join("\n"),
);

stopOnSignal(async () => {
  await view.close();
  await sandbox.stop();
}, "Sandbox stopped.\n");
