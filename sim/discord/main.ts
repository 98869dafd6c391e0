import { portOption } from "../portOption.js";
import { startDiscordSim } from "./server.js";

/**
 * `npm run sim:discord [-- --port <n>]`: a standalone sim with a demo guild, for poking
 * at the bot by hand. DISCORD_SIM_PORT also sets the port.
 */
// Long enough to pass the configuration's check of DISCORD_TOKEN, so the printed value goes into .env as is.
const botToken = process.env.DISCORD_SIM_TOKEN ?? "sim-bot-token.local-simulator.0123456789";
// Fixed, like the token and (given one) the port, so a .env pointed here survives a restart.
const applicationId = "1300000000000000001";
const port = portOption(process.argv.slice(2), process.env.DISCORD_SIM_PORT, "DISCORD_SIM_PORT");
const sim = await startDiscordSim({ botToken, applicationId, botUserId: applicationId, port });
const alice = sim.createUser({ username: "alice" });
const guild = sim.createGuild({ name: "Demo Server", ownerId: alice.id });
const parties = sim.createChannel(guild.id, { name: "parties" });

const lines = [
  "Discord simulator running",
  `  API URL        ${sim.apiUrl}   (rest: { api: <this>, version: "10" })`,
  `  Gateway        ${sim.gatewayUrl}`,
  `  Bot token      ${botToken}   (override with DISCORD_SIM_TOKEN)`,
  `  Application id ${sim.applicationId}`,
  `  Guild          ${guild.name} ${guild.id}`,
  `  Channels       #general ${guild.defaultChannelId}, #parties ${parties.id}`,
  `  Owner          alice ${alice.id}`,
  "Ctrl-C to stop.",
];
process.stdout.write(`${lines.join("\n")}\n`);

const shutdown = (): void => {
  void sim.stop().then(() => process.exit(0));
};
process.on("SIGINT", shutdown);
process.on("SIGTERM", shutdown);
