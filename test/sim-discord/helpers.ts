import { once } from "node:events";
import { Client, Events, GatewayIntentBits, Partials } from "discord.js";
import { type DiscordSim, type DiscordSimOptions, startDiscordSim } from "../../sim/discord/server.js";

export const BOT_TOKEN = "sim-test-token.abcdef.0123456789";

export interface Harness {
  sim: DiscordSim;
  client: Client;
  guildId: string;
  channelId: string;
  owner: string;
  stop(): Promise<void>;
}

export function newClient(sim: DiscordSim): Client {
  return new Client({
    intents: [GatewayIntentBits.Guilds, GatewayIntentBits.DirectMessages],
    partials: [Partials.Channel],
    rest: { api: sim.apiUrl, version: "10", retries: 0, offset: 0 },
  });
}

/** A sim with one guild (the bot in it) and a logged-in real discord.js client. */
export async function startHarness(options: Omit<DiscordSimOptions, "botToken"> = {}): Promise<Harness> {
  const sim = await startDiscordSim({ ...options, botToken: BOT_TOKEN });
  const owner = sim.createUser({ username: "owner" });
  const guild = sim.createGuild({ name: "Test Server", ownerId: owner.id });
  const client = newClient(sim);
  const ready = once(client, Events.ClientReady);
  await client.login(BOT_TOKEN);
  await ready;
  return {
    sim,
    client,
    guildId: guild.id,
    channelId: guild.defaultChannelId,
    owner: owner.id,
    async stop() {
      await client.destroy();
      await sim.stop();
    },
  };
}
