import { PermissionFlagsBits } from "discord.js";
import { DEMO_GUILD_NAME, DEMO_MEMBERS, DEMO_OWNER } from "../cast.js";
import { portOption } from "../portOption.js";
import { stopOnSignal } from "../stopOnSignal.js";
import { startDiscordSim } from "./server.js";

/**
 * `npm run sim:discord [-- --port <n>]`: the Discord simulator alone, with the demo server
 * of `npm run sim` (the same members), for a bot or a tool that drives Discord's API
 * itself. To drive the bot from a browser, `npm run sim` serves a view. DISCORD_SIM_PORT
 * also sets the port.
 */
// Long enough to pass the configuration's check of DISCORD_TOKEN, so the printed value goes into .env as is.
const botToken = process.env.DISCORD_SIM_TOKEN ?? "sim-bot-token.local-simulator.0123456789";
// Fixed, like the token and (given one) the port, so a .env pointed here survives a restart.
const applicationId = "1300000000000000001";
const port = portOption(process.argv.slice(2), process.env.DISCORD_SIM_PORT, "DISCORD_SIM_PORT");
const sim = await startDiscordSim({ botToken, applicationId, botUserId: applicationId, port });
const owner = sim.createUser({ username: DEMO_OWNER });
const guild = sim.createGuild({ name: DEMO_GUILD_NAME, ownerId: owner.id });
const admins = sim.createRole(guild.id, { name: "Admins", permissions: PermissionFlagsBits.ManageGuild });
const parties = sim.createChannel(guild.id, { name: "parties" });
const members = DEMO_MEMBERS.map((m) => {
  const user = sim.createUser({ username: m.key });
  sim.addMember(guild.id, user.id, m.admin ? { roleIds: [admins.id] } : {});
  return `${m.key}${m.admin ? " (admin)" : ""} ${user.id}`;
});

const lines = [
  "Discord simulator running",
  `  API URL        ${sim.apiUrl}   (rest: { api: <this>, version: "10" })`,
  `  Gateway        ${sim.gatewayUrl}`,
  `  Bot token      ${botToken}   (override with DISCORD_SIM_TOKEN)`,
  `  Application id ${sim.applicationId}`,
  `  Guild          ${guild.name} ${guild.id}`,
  `  Channels       #general ${guild.defaultChannelId}, #parties ${parties.id}`,
  `  Owner          ${owner.username} ${owner.id}`,
  `  Members        ${members.join(", ")}`,
  "Ctrl-C to stop.",
];
process.stdout.write(`${lines.join("\n")}\n`);

stopOnSignal(() => sim.stop());
