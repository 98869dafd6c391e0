import {
  Client,
  Events,
  GatewayIntentBits,
  type Guild,
  Options,
  Partials,
  type RESTOptions,
} from "discord.js";
import type { Config } from "../config.js";
import { deleteGuild, ensureGuild } from "../db/guilds.js";
import type { Store } from "../db/store.js";
import type { Logger } from "../log.js";

export interface ClientOptions {
  /** Extra REST settings (tests shorten timeouts); the base URL always comes from config. */
  rest?: Partial<RESTOptions>;
}

/**
 * The fewest intents that work: Guilds brings servers, channels, roles and the
 * bot's own member (enough for permission checks and slash commands);
 * DirectMessages lets buttons in DMs reach us; GuildMessages tells us when
 * someone deletes a party card, so it comes back at the next poll (it is not
 * privileged, and no message content is read). Messages are never cached: the
 * Message partial lets a deletion arrive for a message the cache never held.
 * GuildMembers (privileged: the operator turns on "Server Members Intent" in the
 * developer portal) tells us when a member leaves, so they stop being announced there.
 */
export function createDiscordClient(config: Config, options: ClientOptions = {}): Client {
  return new Client({
    intents: [
      GatewayIntentBits.Guilds,
      GatewayIntentBits.DirectMessages,
      GatewayIntentBits.GuildMessages,
      GatewayIntentBits.GuildMembers,
    ],
    // GuildMember: a member who leaves is reported even when the cache never held them
    // (Discord sends a large server's member list to nobody unasked).
    partials: [Partials.Channel, Partials.Message, Partials.GuildMember],
    makeCache: Options.cacheWithLimits({ ...Options.DefaultMakeCacheSettings, MessageManager: 0 }),
    rest: { ...options.rest, api: config.discord.apiBaseUrl, version: "10" },
    // Cards and replies never ping anyone unless a call opts in explicitly.
    allowedMentions: { parse: [] },
  });
}

/** Keeps the guilds table in step with the servers the bot is in. */
export function attachGuildLifecycle(client: Client, deps: { db: Store; log: Logger }): () => void {
  // A listener that throws would take the process down with it; a failed write is logged instead.
  const guarded =
    <A extends unknown[]>(what: string, fn: (...args: A) => Promise<void>) =>
    (...args: A) => {
      fn(...args).catch((err: unknown) => deps.log.error({ err }, `could not record ${what}`));
    };
  const onReady = guarded("the servers at start-up", async (ready: Client<true>) => {
    for (const guild of ready.guilds.cache.values()) await ensureGuild(deps.db, guild.id);
  });
  const onCreate = guarded("a new server", async (guild: Guild) => {
    await ensureGuild(deps.db, guild.id);
    deps.log.info({ guildId: guild.id }, "joined a server");
  });
  // discord.js reports an outage as guildUnavailable, so guildDelete means the bot
  // was removed (kicked, or the server deleted): its data goes with it.
  const onDelete = guarded("a removed server", async (guild: Guild) => {
    await deleteGuild(deps.db, guild.id);
    deps.log.info({ guildId: guild.id }, "left a server, its settings and cards are deleted");
  });
  client.on(Events.ClientReady, onReady);
  client.on(Events.GuildCreate, onCreate);
  client.on(Events.GuildDelete, onDelete);
  return () => {
    client.off(Events.ClientReady, onReady);
    client.off(Events.GuildCreate, onCreate);
    client.off(Events.GuildDelete, onDelete);
  };
}

/**
 * Tells `onDeleted` about every message deleted in a server (one by one, or in
 * bulk); the party mirror decides whether it was a card. Messages are not cached,
 * so only ids arrive.
 */
export function attachMessageDeletions(
  client: Client,
  onDeleted: (messageId: string) => Promise<void>,
  log: Logger,
): () => void {
  const onDelete = (message: { id: string; guildId: string | null }) => {
    if (message.guildId === null) return;
    onDeleted(message.id).catch((err: unknown) =>
      log.error({ err, messageId: message.id }, "could not handle a deleted message"),
    );
  };
  const onBulkDelete = (messages: ReadonlyMap<string, { id: string; guildId: string | null }>) => {
    for (const message of messages.values()) onDelete(message);
  };
  client.on(Events.MessageDelete, onDelete);
  client.on(Events.MessageBulkDelete, onBulkDelete);
  return () => {
    client.off(Events.MessageDelete, onDelete);
    client.off(Events.MessageBulkDelete, onBulkDelete);
  };
}

/** Tells `onLeft` about every member who leaves (or is kicked or banned from) a server. */
export function attachMemberDepartures(
  client: Client,
  onLeft: (guildId: string, userId: string) => Promise<void>,
  log: Logger,
): () => void {
  const onRemove = (member: { guild: { id: string }; id: string }) => {
    onLeft(member.guild.id, member.id).catch((err: unknown) =>
      log.error({ err, guildId: member.guild.id }, "could not handle a member who left"),
    );
  };
  client.on(Events.GuildMemberRemove, onRemove);
  return () => {
    client.off(Events.GuildMemberRemove, onRemove);
  };
}
