/**
 * `npm run sim`: both simulators over one demo world (the same members on Discord and on
 * PSN), the sandbox's view and control panel for it, and a `.env.sim` holding everything
 * `npm start` needs to run the real bot against them, in a process of its own. Nothing of
 * the bot runs here: the view shows what the operator's `npm start` does.
 *
 * Options: --port <n> (or SIM_PORT) the view's port; --host <address> where everything
 * listens and what its links name (default 127.0.0.1); --env-out <path> where to write the settings (default .env.sim);
 * --poll-interval <seconds> the bot's POLL_INTERVAL (default 10).
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import { startView } from "../sandbox/view/server.js";
import { startWorld } from "../sandbox/world.js";
import { DEFAULT_HOST } from "./host.js";
import { portOption } from "./portOption.js";
import { stopOnSignal } from "./stopOnSignal.js";

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: {
    port: { type: "string" },
    host: { type: "string" },
    "env-out": { type: "string" },
    "poll-interval": { type: "string" },
  },
  strict: true,
});
const port = portOption(
  values.port === undefined ? [] : ["--port", values.port],
  process.env.SIM_PORT,
  "SIM_PORT",
);
const host = values.host ?? DEFAULT_HOST;
const envPath = resolve(values["env-out"] ?? ".env.sim");
const pollInterval = values["poll-interval"] ?? "10";
if (!/^\d+$/.test(pollInterval) || Number(pollInterval) < 5) {
  throw new Error(`expected --poll-interval in whole seconds, at least 5, got ${pollInterval}`);
}

const dir = mkdtempSync(join(tmpdir(), "ppb-sim-"));
const world = await startWorld({ host });
const view = await startView(world, { port });

/**
 * The bot's settings for this world. Values are single-quoted, which the shell, Node's
 * --env-file and the bot's own .env reader all take as-is. The empty ones blank settings a
 * real bot's `.env` may hold (a dev server id, OAuth sign-in, a metrics port): in the
 * environment an empty value wins over `.env` and means "not set".
 */
function simEnvFile(settings: Record<string, string>, blanks: readonly string[]): string {
  return [
    "# Written by `npm run sim`: the real bot against the simulators, for this run only.",
    "# Run it:  set -a; . ./.env.sim; set +a; npm start",
    "#    or:   node --env-file=.env.sim scripts/start.mjs",
    ...Object.entries(settings).map(([k, v]) => `${k}='${v}'`),
    ...blanks.map((k) => `${k}=`),
    "",
  ].join("\n");
}

writeFileSync(
  envPath,
  simEnvFile(
    {
      NODE_ENV: "development",
      LOG_LEVEL: "info",
      LOG_FORMAT: "pretty",
      ...world.botEnv(),
      TOKEN_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
      DATABASE_PATH: join(dir, "bot.sqlite"),
      POLL_INTERVAL: pollInterval,
    },
    [
      "DISCORD_DEV_GUILD_ID",
      "PSN_SIGNIN_MODE",
      "METRICS_PORT",
      "TOKEN_ENCRYPTION_KEY_OLD",
      "TOKEN_ENCRYPTION_KEY_LOST",
    ],
  ),
  { mode: 0o600 },
);

const shownEnv = relative(process.cwd(), envPath).startsWith("..")
  ? envPath
  : `./${relative(process.cwd(), envPath)}`;
const people = world.members.map((m) => `${m.key}${m.admin ? " (admin)" : ""}`).join(", ");
process.stdout.write(
  [
    `Simulators running: Discord and PSN, the demo server "${world.guild.name}" (${people}).`,
    `  View and control panel  ${view.url}`,
    `  Bot's sign-in page      ${world.webUrl}/  (served by the bot once it runs)`,
    `  Bot's settings          ${shownEnv}`,
    "Run the bot in another terminal, from this directory:",
    `  set -a; . ${shownEnv}; set +a; npm start`,
    "Then open the view: act as ada and run /config channel, act as alice and run /link.",
    "Ctrl-C to stop (the bot's database is thrown away; stop the bot too).",
    "",
  ].join("\n"),
);

stopOnSignal(async () => {
  await view.close();
  await world.stop();
  rmSync(dir, { recursive: true, force: true });
}, "Simulators stopped.\n");
