/**
 * `npm run sim:psn [-- --port <n>]`: the PSN simulator on its own, with two demo
 * accounts, for pointing a locally running bot at (PSN_*_BASE_URL=<url>).
 * PSN_SIM_PORT (or PORT, as before) also sets the port.
 */
import { createLogger } from "../../src/log.js";
import { portOption } from "../portOption.js";
import { startPsnSim } from "./server.js";

const log = createLogger({ level: process.env.LOG_LEVEL ?? "info" });
const port = portOption(process.argv.slice(2), process.env.PSN_SIM_PORT ?? process.env.PORT, "PSN_SIM_PORT");

const sim = await startPsnSim({ port, log });
const alice = sim.createAccount({ onlineId: "alice_ps" });
const bob = sim.createAccount({ onlineId: "bob_ps" });
sim.setPresence(alice.accountId, {
  online: true,
  platform: "PS5",
  game: { name: "Helldivers 2", titleId: "PPSA03016_00" },
});
sim.setPresence(bob.accountId, { online: true, platform: "PS5" });
const sessionId = sim.startParty(alice.accountId, { joinability: "open", name: "Helldivers squad" });
sim.joinParty(sessionId, bob.accountId);

// A CLI tool: the demo NPSSOs are meant to be read and pasted by the person running it.
const lines = [
  `PSN simulator listening on ${sim.url}`,
  `  client id ${sim.clientId}, client secret ${sim.clientSecret}, redirect uri ${sim.redirectUri}`,
  `  ${alice.onlineId}: account ${alice.accountId}, npsso ${alice.npsso}`,
  `  ${bob.onlineId}: account ${bob.accountId}, npsso ${bob.npsso}`,
  `  demo party ${sessionId}: ${sim.shareUrl(sessionId)}`,
  `  control API: ${sim.url}/_sim/accounts, /_sim/parties, /_sim/faults, /_sim/requests`,
];
process.stdout.write(`${lines.join("\n")}\n`);

const stop = () => {
  void sim.close().then(() => process.exit(0));
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
