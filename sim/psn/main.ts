/**
 * `npm run sim:psn [-- --port <n>]`: the PSN simulator on its own, with the demo accounts
 * of `npm run sim` (the same people), for pointing a locally running bot at
 * (PSN_*_BASE_URL=<url>). PSN_SIM_PORT (or PORT, as before) also sets the port.
 */
import { createLogger } from "../../src/log.js";
import { DEMO_FRIENDS, DEMO_MEMBERS } from "../cast.js";
import { portOption } from "../portOption.js";
import { stopOnSignal } from "../stopOnSignal.js";
import { startPsnSim } from "./server.js";

const log = createLogger({ level: process.env.LOG_LEVEL ?? "info" });
const port = portOption(process.argv.slice(2), process.env.PSN_SIM_PORT ?? process.env.PORT, "PSN_SIM_PORT");

const sim = await startPsnSim({ port, log });
const accounts = [...DEMO_MEMBERS, ...DEMO_FRIENDS.map((f) => ({ ...f, online: true }))].map((p) => {
  const account = sim.createAccount({ onlineId: p.onlineId });
  sim.setPresence(account.accountId, {
    online: p.online,
    platform: "PS5",
    ...(p.online && p.game ? { game: { name: p.game } } : {}),
  });
  return account;
});

// A CLI tool: the demo NPSSOs are meant to be read and pasted by the person running it.
const lines = [
  `PSN simulator listening on ${sim.url}`,
  `  client id ${sim.clientId}, client secret ${sim.clientSecret}, redirect uri ${sim.redirectUri}`,
  ...accounts.map((a) => `  ${a.onlineId}: account ${a.accountId}, npsso ${a.npsso}`),
  `  control API: ${sim.url}/_sim/accounts, /_sim/parties, /_sim/faults, /_sim/requests`,
];
process.stdout.write(`${lines.join("\n")}\n`);

stopOnSignal(() => sim.close());
