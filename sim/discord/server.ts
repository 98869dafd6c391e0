import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { urlHost } from "../host.js";
import { type FaultHandle, type FaultMatcher, type FaultSpec, Faults } from "./faults.js";
import { Gateway, Intent } from "./gateway.js";
import {
  InteractionHandle,
  InteractionRegistry,
  InteractionType,
  type SimInteraction,
} from "./interactions.js";
import { MessageStore } from "./messages.js";
import { type FriendlyOptions, leafOptions, OptionType, toWireOptions, type WireOption } from "./options.js";
import {
  channelPayload,
  guildCreatePayload,
  type Json,
  memberPayload,
  messagePayload,
  rolePayload,
  userPayload,
} from "./payloads.js";
import { DEFAULT_BOT_PERMISSIONS, DEFAULT_EVERYONE_PERMISSIONS } from "./permissions.js";
import { type RequestLogEntry, RestApi } from "./rest.js";
import { newInteractionToken, newSnowflake } from "./snowflake.js";
import type { SimChannel, SimCommand, SimGuild, SimMessage, SimRole, SimUser } from "./state.js";
import { SimState } from "./state.js";
import { DEFAULT_WAIT_MS, waitUntil } from "./wait.js";

export type { FaultHandle, FaultMatcher, FaultSpec } from "./faults.js";
export type { InteractionAnswer, InteractionHandle } from "./interactions.js";
export { NONCE_WINDOW_MS } from "./messages.js";
export type { RequestLogEntry } from "./rest.js";
export type { SimChannel, SimGuild, SimMessage, SimRole, SimUser } from "./state.js";
export { SimTimeoutError } from "./wait.js";

export interface DiscordSimOptions {
  botToken: string;
  applicationId?: string;
  botUserId?: string;
  botUsername?: string;
  /** The port; 0 (the default) picks a free one. */
  port?: number;
  /** The address it listens on (default 127.0.0.1), and the one its URLs name (see urlHost). */
  host?: string;
  /**
   * The clock Discord's deadlines run on (3 s to answer an interaction, 15 min for its
   * follow-ups); real time by default. A test moves a fake one instead of sleeping.
   */
  now?: () => number;
  /** The dice for faults with a `rate` (default Math.random). */
  random?: () => number;
  /**
   * The privileged intents the application may use (its developer-portal toggles);
   * IDENTIFY asking for others is closed with 4014. Default: Server Members only.
   */
  privilegedIntents?: number;
}

/** A REST request held at the simulator (see DiscordSim.hold). */
export interface DiscordHold {
  /** Resolves with the request's path once it has arrived and is waiting. */
  readonly arrived: Promise<{ method: string; path: string }>;
  /**
   * "handle": Discord carries it out (creates, edits) and answers, if anyone still listens.
   * "drop": Discord never saw it; the connection is cut.
   */
  release(outcome: "handle" | "drop"): void;
}

export interface CreatedGuild {
  id: string;
  name: string;
  ownerId: string;
  /** @everyone's role id (equals the guild id). */
  everyoneRoleId: string;
  /** The bot's managed role, or null when the guild was created without the bot. */
  botRoleId: string | null;
  /** The text channel every new guild starts with ("general"). */
  defaultChannelId: string;
}

export interface SlashCommandInput {
  guildId?: string;
  /** Defaults to the guild's default channel, or the user's DM channel when there is no guild. */
  channelId?: string;
  userId: string;
  name: string;
  /** Discord's nested options as is, or by name with `subcommand`/`subcommandGroup` (types from the registered definition). */
  options?: WireOption[] | Record<string, string | number | boolean>;
  subcommand?: string;
  subcommandGroup?: string;
  locale?: string;
}

export interface AutocompleteInput extends SlashCommandInput {
  /** The option being typed in (friendly form only). */
  focused: string;
}

export interface ClickButtonInput {
  channelId: string;
  messageId: string;
  customId: string;
  userId: string;
  guildId?: string;
  locale?: string;
}

export interface MessageView {
  id: string;
  channelId: string;
  guildId: string | null;
  authorId: string;
  content: string;
  embeds: unknown[];
  components: unknown[];
  attachments: { id: string; filename: string; size: number }[];
  allowedMentions: unknown;
  flags: number;
  ephemeral: boolean;
  editedTimestamp: string | null;
  timestamp: string;
  nonce: string | number | null;
  deleted: boolean;
  interactionId: string | null;
}

/** Stands in for Discord for a real discord.js client: HTTP API + gateway + an actor API for tests. */
export class DiscordSim {
  readonly state: SimState;
  readonly botToken: string;
  private readonly faults: Faults;
  private readonly gateway: Gateway;
  private readonly messagesStore: MessageStore;
  private readonly interactions: InteractionRegistry;
  private readonly rest: RestApi;
  private readonly server: Server;
  private port: number;
  private readonly host: string;

  constructor(options: DiscordSimOptions) {
    this.botToken = options.botToken;
    this.port = options.port ?? 0;
    this.host = options.host ?? "127.0.0.1";
    this.faults = new Faults(options.random);
    const botUserId = options.botUserId ?? newSnowflake();
    this.state = new SimState(botUserId, options.applicationId ?? botUserId);
    if (options.now) this.state.baseNow = options.now;
    this.state.users.set(botUserId, {
      id: botUserId,
      username: options.botUsername ?? "PartyBridge",
      bot: true,
      dmsClosed: true,
    });
    this.gateway = new Gateway(
      this.state,
      options.botToken,
      () => this.gatewayUrl,
      options.privilegedIntents ?? Intent.GuildMembers,
    );
    const dispatch = (t: string, d: Json, intent?: number): void =>
      this.gateway.broadcast({ t, d, ...(intent === undefined ? {} : { intent }) });
    this.messagesStore = new MessageStore(this.state, dispatch);
    this.interactions = new InteractionRegistry(this.state, this.messagesStore);
    this.rest = new RestApi({
      state: this.state,
      messages: this.messagesStore,
      interactions: this.interactions,
      faults: this.faults,
      botToken: options.botToken,
      gatewayUrl: () => this.gatewayUrl,
    });
    this.server = createServer((req, res) => {
      this.rest.handle(req, res).catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
        res.end(JSON.stringify({ code: 0, message: `500: ${String(error)}` }));
      });
    });
    this.server.on("upgrade", (req, socket, head) => {
      if ((req.url ?? "").startsWith("/gateway")) this.gateway.handleUpgrade(req, socket, head);
      else socket.destroy();
    });
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(this.port, this.host, () => resolve());
    });
    this.port = (this.server.address() as AddressInfo).port;
  }

  get apiUrl(): string {
    return `http://${urlHost(this.host)}:${this.port}/api`;
  }

  get gatewayUrl(): string {
    return `ws://${urlHost(this.host)}:${this.port}/gateway`;
  }

  get applicationId(): string {
    return this.state.applicationId;
  }

  get botUser(): SimUser {
    const bot = this.state.user(this.state.botUserId);
    if (!bot) throw new Error("Discord sim: bot user missing");
    return bot;
  }

  /** Identified gateway sessions right now. */
  get connectedClients(): number {
    return this.gateway.connectedSessions;
  }

  /** Resolves once no client holds an identified gateway session (e.g. after client.destroy()). */
  waitForNoClients(timeoutMs = DEFAULT_WAIT_MS): Promise<true> {
    return waitUntil(
      this.state,
      () => (this.connectedClients === 0 ? true : undefined),
      "all gateway clients to disconnect",
      timeoutMs,
    );
  }

  // ---- setup -------------------------------------------------------------------------------

  createUser(input: { username: string; bot?: boolean; id?: string }): SimUser {
    const user: SimUser = {
      id: input.id ?? newSnowflake(),
      username: input.username,
      bot: input.bot ?? false,
      dmsClosed: false,
    };
    this.state.users.set(user.id, user);
    this.state.touch();
    return user;
  }

  /**
   * A guild with @everyone, a "general" text channel and its owner as member. Unless `withBot: false`,
   * the bot joins with a managed role holding `botPermissions`, and connected clients get GUILD_CREATE.
   */
  createGuild(input: {
    name: string;
    ownerId?: string;
    withBot?: boolean;
    botPermissions?: bigint;
    everyonePermissions?: bigint;
  }): CreatedGuild {
    const ownerId = input.ownerId ?? this.createUser({ username: `${input.name}-owner` }).id;
    if (!this.state.user(ownerId)) throw new Error(`Discord sim: unknown owner ${ownerId}`);
    const id = newSnowflake();
    const now = new Date().toISOString();
    const guild: SimGuild = {
      id,
      name: input.name,
      ownerId,
      createdAt: now,
      members: new Map(),
      roleIds: [],
      channelIds: [],
    };
    this.state.guilds.set(id, guild);
    this.state.roles.set(id, {
      id,
      guildId: id,
      name: "@everyone",
      permissions: input.everyonePermissions ?? DEFAULT_EVERYONE_PERMISSIONS,
      position: 0,
      managed: false,
    });
    guild.roleIds.push(id);
    guild.members.set(ownerId, { userId: ownerId, roleIds: [], joinedAt: now, nick: null });
    const channelId = newSnowflake();
    this.state.channels.set(channelId, this.textChannel(channelId, id, "general", 0));
    guild.channelIds.push(channelId);
    let botRoleId: string | null = null;
    if (input.withBot ?? true)
      botRoleId = this.joinBot(guild, input.botPermissions ?? DEFAULT_BOT_PERMISSIONS);
    this.state.touch();
    return { id, name: guild.name, ownerId, everyoneRoleId: id, botRoleId, defaultChannelId: channelId };
  }

  /** The bot joins an existing guild (as after an invite): managed role, member, GUILD_CREATE. */
  addBotToGuild(guildId: string, botPermissions: bigint = DEFAULT_BOT_PERMISSIONS): string {
    return this.joinBot(this.guild(guildId), botPermissions);
  }

  createChannel(guildId: string, input: { name: string }): SimChannel {
    const guild = this.guild(guildId);
    const id = newSnowflake();
    const channel = this.textChannel(id, guildId, input.name, guild.channelIds.length);
    this.state.channels.set(id, channel);
    guild.channelIds.push(id);
    this.dispatchIfBotIn(guild, "CHANNEL_CREATE", channelPayload(this.state, channel));
    return channel;
  }

  createRole(guildId: string, input: { name: string; permissions: bigint }): SimRole {
    const guild = this.guild(guildId);
    const role: SimRole = {
      id: newSnowflake(),
      guildId,
      name: input.name,
      permissions: input.permissions,
      position: guild.roleIds.length,
      managed: false,
    };
    this.state.roles.set(role.id, role);
    guild.roleIds.push(role.id);
    this.dispatchIfBotIn(guild, "GUILD_ROLE_CREATE", { guild_id: guildId, role: rolePayload(role) });
    return role;
  }

  /** Changes a role's permissions (the @everyone role's id is the guild id); sends GUILD_ROLE_UPDATE. */
  setRolePermissions(guildId: string, roleId: string, permissions: bigint): void {
    const guild = this.guild(guildId);
    const role = this.state.roles.get(roleId);
    if (!role || role.guildId !== guildId) throw new Error(`Discord sim: unknown role ${roleId}`);
    role.permissions = permissions;
    this.dispatchIfBotIn(guild, "GUILD_ROLE_UPDATE", { guild_id: guildId, role: rolePayload(role) });
  }

  /** Adds a member, or replaces an existing member's roles (GUILD_MEMBER_UPDATE for the bot itself). */
  addMember(guildId: string, userId: string, input: { roleIds?: string[] } = {}): void {
    const guild = this.guild(guildId);
    if (!this.state.user(userId)) throw new Error(`Discord sim: unknown user ${userId}`);
    const roleIds = input.roleIds ?? [];
    for (const r of roleIds)
      if (!guild.roleIds.includes(r)) throw new Error(`Discord sim: role ${r} not in guild`);
    const existing = guild.members.get(userId);
    const member = existing ?? { userId, roleIds: [], joinedAt: new Date().toISOString(), nick: null };
    member.roleIds = [...roleIds];
    guild.members.set(userId, member);
    const payload = { guild_id: guildId, ...memberPayload(this.state, member) };
    if (existing) {
      const intent = userId === this.state.botUserId ? undefined : Intent.GuildMembers;
      this.dispatchIfBotIn(guild, "GUILD_MEMBER_UPDATE", payload, intent);
    } else {
      this.dispatchIfBotIn(guild, "GUILD_MEMBER_ADD", payload, Intent.GuildMembers);
    }
  }

  /** A member leaves the server (or is kicked): GUILD_MEMBER_REMOVE to clients with the GuildMembers intent. */
  removeMember(guildId: string, userId: string): void {
    const guild = this.guild(guildId);
    const user = this.state.user(userId);
    if (!user || !guild.members.delete(userId)) throw new Error(`Discord sim: ${userId} is not a member`);
    this.dispatchIfBotIn(
      guild,
      "GUILD_MEMBER_REMOVE",
      { guild_id: guildId, user: userPayload(user) },
      Intent.GuildMembers,
    );
  }

  /** Sets (or replaces) one permission overwrite on a channel and sends CHANNEL_UPDATE. */
  setChannelOverwrite(
    channelId: string,
    input: { id: string; type: "role" | "member"; allow?: bigint; deny?: bigint },
  ): void {
    const channel = this.state.channels.get(channelId);
    if (channel?.type !== 0) throw new Error(`Discord sim: unknown guild channel ${channelId}`);
    const type = input.type === "role" ? 0 : 1;
    channel.overwrites = channel.overwrites.filter((o) => !(o.id === input.id && o.type === type));
    channel.overwrites.push({ id: input.id, type, allow: input.allow ?? 0n, deny: input.deny ?? 0n });
    const guild = this.state.guildOf(channel);
    if (guild) this.dispatchIfBotIn(guild, "CHANNEL_UPDATE", channelPayload(this.state, channel));
  }

  setDmsClosed(userId: string, closed: boolean): void {
    const user = this.state.user(userId);
    if (!user) throw new Error(`Discord sim: unknown user ${userId}`);
    user.dmsClosed = closed;
    this.state.touch();
  }

  /** The guild goes away for the bot (kicked or deleted): GUILD_DELETE without `unavailable`. */
  removeGuild(guildId: string): void {
    const guild = this.guild(guildId);
    const botWasIn = guild.members.has(this.state.botUserId);
    this.state.guilds.delete(guildId);
    for (const id of guild.channelIds) this.state.channels.delete(id);
    for (const id of guild.roleIds) this.state.roles.delete(id);
    this.state.guildCommands.delete(guildId);
    if (botWasIn) this.gateway.broadcast({ t: "GUILD_DELETE", d: { id: guildId }, intent: Intent.Guilds });
    this.state.touch();
  }

  /** A user's permissions in a channel, computed as Discord does. */
  permissionsOf(userId: string, channelId: string): bigint {
    return this.state.permissionsIn(channelId, userId);
  }

  // ---- actors ------------------------------------------------------------------------------

  runSlashCommand(input: SlashCommandInput): InteractionHandle {
    return this.runCommandLike(InteractionType.Command, input);
  }

  runAutocomplete(input: AutocompleteInput): InteractionHandle {
    return this.runCommandLike(InteractionType.Autocomplete, input);
  }

  clickButton(input: ClickButtonInput): InteractionHandle {
    const message = this.state.messages.get(input.messageId);
    if (!message || message.deleted || message.channelId !== input.channelId) {
      throw new Error(`Discord sim: no message ${input.messageId} in channel ${input.channelId}`);
    }
    const button = findButton(message.components, input.customId);
    if (!button) throw new Error(`Discord sim: message ${message.id} has no button "${input.customId}"`);
    if (button.disabled) throw new Error(`Discord sim: button "${input.customId}" is disabled`);
    const channel = this.state.channels.get(message.channelId);
    if (!channel) throw new Error(`Discord sim: unknown channel ${message.channelId}`);
    const record = this.newInteraction(InteractionType.Component, channel, input.userId, null);
    record.originalMessageId = message.id;
    const data = { custom_id: input.customId, component_type: 2 };
    this.sendInteraction(
      record,
      channel,
      { data, message: messagePayload(this.state, message) },
      input.locale,
    );
    return new InteractionHandle(this.state, record);
  }

  // ---- readers -----------------------------------------------------------------------------

  channelMessages(channelId: string): MessageView[] {
    return this.state.visibleMessages(channelId).map(view);
  }

  dmChannelId(userId: string): string | undefined {
    return this.state.dmChannelByUser.get(userId);
  }

  dmMessages(userId: string): MessageView[] {
    const id = this.dmChannelId(userId);
    return id ? this.channelMessages(id) : [];
  }

  /** Any message by id (ephemeral and deleted ones included), or undefined. */
  message(channelId: string, messageId: string): MessageView | undefined {
    const m = this.state.messages.get(messageId);
    return m && m.channelId === channelId ? view(m) : undefined;
  }

  waitForMessage(
    channelId: string,
    predicate: (m: MessageView) => boolean = () => true,
    timeoutMs = DEFAULT_WAIT_MS,
  ): Promise<MessageView> {
    return waitUntil(
      this.state,
      () => this.channelMessages(channelId).find(predicate),
      `a matching message in channel ${channelId}`,
      timeoutMs,
    );
  }

  waitForDm(
    userId: string,
    predicate: (m: MessageView) => boolean = () => true,
    timeoutMs = DEFAULT_WAIT_MS,
  ): Promise<MessageView> {
    return waitUntil(
      this.state,
      () => this.dmMessages(userId).find(predicate),
      `a matching DM to user ${userId}`,
      timeoutMs,
    );
  }

  /** Resolves once the message has been edited (at least once more than now) and matches. */
  waitForMessageEdit(
    channelId: string,
    messageId: string,
    predicate: (m: MessageView) => boolean = () => true,
    timeoutMs = DEFAULT_WAIT_MS,
  ): Promise<MessageView> {
    const before = this.state.messages.get(messageId)?.editCount ?? 0;
    return waitUntil(
      this.state,
      () => {
        const m = this.state.messages.get(messageId);
        if (!m || m.channelId !== channelId || m.editCount <= before) return undefined;
        const v = view(m);
        return predicate(v) ? v : undefined;
      },
      `an edit of message ${messageId} in channel ${channelId}`,
      timeoutMs,
    );
  }

  waitForMessageDelete(channelId: string, messageId: string, timeoutMs = DEFAULT_WAIT_MS): Promise<true> {
    return waitUntil(
      this.state,
      () => {
        const m = this.state.messages.get(messageId);
        return m && m.channelId === channelId && m.deleted ? true : undefined;
      },
      `deletion of message ${messageId}`,
      timeoutMs,
    );
  }

  /** A person (not the bot) deletes a message; MESSAGE_DELETE goes to clients with the message intent. */
  deleteMessageByHand(channelId: string, messageId: string): void {
    const m = this.state.messages.get(messageId);
    if (!m || m.deleted || m.channelId !== channelId) throw new Error(`Discord sim: no message ${messageId}`);
    this.messagesStore.delete(m);
  }

  /** A person posts in a channel (MESSAGE_CREATE for clients with the intent). */
  postMessageAs(userId: string, channelId: string, content: string): MessageView {
    const channel = this.state.channels.get(channelId);
    if (!channel) throw new Error(`Discord sim: unknown channel ${channelId}`);
    return view(this.messagesStore.create({ channel, authorId: userId, input: { content }, files: [] }));
  }

  requests(): readonly RequestLogEntry[] {
    return [...this.rest.log];
  }

  /** Requests that hit no route: each is a 404 the bot would not get from real Discord for a valid call. */
  unknownRequests(): readonly RequestLogEntry[] {
    return this.rest.log.filter((r) => r.route === null);
  }

  waitForRequest(
    predicate: (r: RequestLogEntry) => boolean,
    timeoutMs = DEFAULT_WAIT_MS,
    what = "a matching request",
  ): Promise<RequestLogEntry> {
    return waitUntil(
      this.state,
      () => this.rest.log.find((r) => r.status !== 0 && predicate(r)),
      what,
      timeoutMs,
    );
  }

  /** Registered commands as Discord would list them: global ones, or one guild's. */
  commands(input: { guildId?: string } = {}): Json[] {
    const list = input.guildId
      ? (this.state.guildCommands.get(input.guildId) ?? [])
      : this.state.globalCommands;
    return list.map((c) => ({ ...c.raw, id: c.id, name: c.name, type: c.type }));
  }

  waitForCommands(input: { guildId?: string } = {}, timeoutMs = DEFAULT_WAIT_MS): Promise<Json[]> {
    return waitUntil(
      this.state,
      () => {
        const list = this.commands(input);
        return list.length > 0 ? list : undefined;
      },
      input.guildId ? `commands registered in guild ${input.guildId}` : "global commands",
      timeoutMs,
    );
  }

  /** Gateway dispatches sent so far (event name and payload), for checking what clients were told. */
  dispatched(): readonly { t: string; d: Json }[] {
    return [...this.gateway.dispatched];
  }

  // ---- time --------------------------------------------------------------------------------

  /** The sim's clock (ms): message timestamps, snowflakes and the nonce window follow it. */
  now(): number {
    return this.state.now();
  }

  /** Moves the sim's clock forward, e.g. past the nonce window, without sleeping. */
  advanceClock(ms: number): void {
    this.state.advanceClock(ms);
  }

  // ---- faults ------------------------------------------------------------------------------

  /** Arms a fault; the handle lifts it alone (clearFault) while the others stay armed. */
  fault(matcher: FaultMatcher, spec: FaultSpec): FaultHandle {
    return this.faults.add(matcher, spec);
  }

  clearFault(handle: FaultHandle): void {
    this.faults.remove(handle);
  }

  /**
   * Edits of this message are refused with 400 30046, as Discord refuses them once a
   * message older than an hour has used up its edits; deleting it still works. Until
   * `acceptEdits` (or `clearFaults`).
   */
  refuseEdits(messageId: string): void {
    this.state.editsRefused.add(messageId);
  }

  /** Edits of this message go through again (Discord's edit limit has passed). */
  acceptEdits(messageId: string): void {
    this.state.editsRefused.delete(messageId);
  }

  clearFaults(): void {
    this.faults.clear();
    this.state.editsRefused.clear();
    this.gateway.limitedMemberRequests.clear();
  }

  /**
   * Holds the next REST request matching `matcher` before Discord acts on it, so a test can
   * act at that exact moment (kill the bot) and then decide whether Discord carries it out.
   */
  hold(matcher: FaultMatcher): DiscordHold {
    return this.rest.hold(matcher);
  }

  /**
   * Member requests (gateway op 8) for this server are answered with RATE_LIMITED, as
   * Discord answers a bot that asks too often, until `clearFaults()`.
   */
  limitMemberRequests(guildId: string, retryAfterSeconds = 30): void {
    this.gateway.limitedMemberRequests.set(guildId, retryAfterSeconds);
  }

  /** Cuts every gateway connection at once, as a Discord gateway restart does; clients reconnect. */
  dropGateway(): void {
    this.gateway.dropAll();
  }

  /** Every message ever posted in a channel, deleted ones included (with `deleted: true`). */
  allChannelMessages(channelId: string): MessageView[] {
    return [...this.state.messages.values()]
      .filter((m) => m.channelId === channelId && (m.flags & 64) === 0)
      .sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1))
      .map(view);
  }

  async stop(): Promise<void> {
    await this.gateway.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ---- internals ---------------------------------------------------------------------------

  private guild(id: string): SimGuild {
    const g = this.state.guilds.get(id);
    if (!g) throw new Error(`Discord sim: unknown guild ${id}`);
    return g;
  }

  private textChannel(id: string, guildId: string, name: string, position: number): SimChannel {
    return { id, type: 0, guildId, name, position, overwrites: [], recipientId: null, lastMessageId: null };
  }

  private joinBot(guild: SimGuild, permissions: bigint): string {
    if (guild.members.has(this.state.botUserId))
      throw new Error("Discord sim: the bot is already in that guild");
    const role: SimRole = {
      id: newSnowflake(),
      guildId: guild.id,
      name: this.botUser.username,
      permissions,
      position: guild.roleIds.length,
      managed: true,
      botId: this.state.botUserId,
    };
    this.state.roles.set(role.id, role);
    guild.roleIds.push(role.id);
    guild.members.set(this.state.botUserId, {
      userId: this.state.botUserId,
      roleIds: [role.id],
      joinedAt: new Date().toISOString(),
      nick: null,
    });
    this.gateway.broadcast({
      t: "GUILD_CREATE",
      d: guildCreatePayload(this.state, guild),
      intent: Intent.Guilds,
    });
    return role.id;
  }

  private dispatchIfBotIn(
    guild: SimGuild,
    t: string,
    d: Json,
    intent: number | undefined = Intent.Guilds,
  ): void {
    if (guild.members.has(this.state.botUserId)) {
      this.gateway.broadcast({ t, d, ...(intent === undefined ? {} : { intent }) });
    } else {
      this.state.touch();
    }
  }

  private findCommand(name: string, guildId: string | undefined): SimCommand {
    const inGuild = guildId ? (this.state.guildCommands.get(guildId) ?? []) : [];
    const cmd = [...inGuild, ...this.state.globalCommands].find((c) => c.name === name && c.type === 1);
    if (!cmd)
      throw new Error(`Discord sim: /${name} is not registered${guildId ? ` in guild ${guildId}` : ""}`);
    return cmd;
  }

  private dmChannelFor(userId: string): SimChannel {
    let id = this.state.dmChannelByUser.get(userId);
    if (!id) {
      id = newSnowflake();
      this.state.channels.set(id, {
        id,
        type: 1,
        guildId: null,
        name: "",
        position: 0,
        overwrites: [],
        recipientId: userId,
        lastMessageId: null,
      });
      this.state.dmChannelByUser.set(userId, id);
    }
    const channel = this.state.channels.get(id);
    if (!channel) throw new Error("Discord sim: DM channel vanished");
    return channel;
  }

  private runCommandLike(type: number, input: SlashCommandInput & { focused?: string }): InteractionHandle {
    if (!this.state.user(input.userId)) throw new Error(`Discord sim: unknown user ${input.userId}`);
    let channel: SimChannel;
    if (input.guildId) {
      const guild = this.guild(input.guildId);
      if (!guild.members.has(input.userId))
        throw new Error(`Discord sim: user ${input.userId} is not in the guild`);
      const channelId = input.channelId ?? guild.channelIds[0];
      const c = channelId ? this.state.channels.get(channelId) : undefined;
      if (!c || c.guildId !== guild.id) throw new Error(`Discord sim: unknown channel ${channelId} in guild`);
      channel = c;
    } else {
      channel = input.channelId
        ? (this.state.channels.get(input.channelId) ?? this.dmChannelFor(input.userId))
        : this.dmChannelFor(input.userId);
    }
    const cmd = this.findCommand(input.name, input.guildId);
    let options: WireOption[];
    if (Array.isArray(input.options)) {
      options = input.options;
    } else {
      const friendly: FriendlyOptions = {
        ...(input.subcommand ? { subcommand: input.subcommand } : {}),
        ...(input.subcommandGroup ? { subcommandGroup: input.subcommandGroup } : {}),
        ...(input.options ? { options: input.options } : {}),
        ...(input.focused ? { focused: input.focused } : {}),
      };
      options = toWireOptions(cmd.raw, friendly, cmd.name);
    }
    const record = this.newInteraction(type, channel, input.userId, cmd.name);
    const resolved = this.resolvedFor(options, channel);
    const data = {
      id: cmd.id,
      name: cmd.name,
      type: 1,
      ...(cmd.guildId ? { guild_id: cmd.guildId } : {}),
      ...(options.length > 0 ? { options } : {}),
      ...(resolved ? { resolved } : {}),
    };
    this.sendInteraction(record, channel, { data }, input.locale);
    return new InteractionHandle(this.state, record);
  }

  private newInteraction(
    type: number,
    channel: SimChannel,
    userId: string,
    name: string | null,
  ): SimInteraction {
    const record: SimInteraction = {
      id: newSnowflake(),
      token: newInteractionToken(),
      type,
      name,
      channelId: channel.id,
      guildId: channel.guildId,
      userId,
      createdAt: this.state.now(),
      callbacks: [],
      originalMessageId: null,
      deferredPending: false,
      answers: [],
      autocompleteChoices: null,
      modal: null,
    };
    this.interactions.add(record);
    return record;
  }

  private sendInteraction(record: SimInteraction, channel: SimChannel, extra: Json, locale = "en-US"): void {
    const user = this.state.user(record.userId);
    if (!user) throw new Error(`Discord sim: unknown user ${record.userId}`);
    const guild = this.state.guildOf(channel);
    const memberPerms = this.state.permissionsIn(channel.id, record.userId);
    const appPerms = this.state.permissionsIn(channel.id, this.state.botUserId);
    const member = guild?.members.get(record.userId);
    const d: Json = {
      id: record.id,
      application_id: this.state.applicationId,
      type: record.type,
      token: record.token,
      version: 1,
      channel: {
        ...channelPayload(this.state, channel),
        ...(guild ? { permissions: memberPerms.toString() } : {}),
      },
      channel_id: channel.id,
      app_permissions: appPerms.toString(),
      locale,
      entitlements: [],
      authorizing_integration_owners: guild ? { "0": guild.id } : { "1": record.userId },
      context: guild ? 0 : 1,
      attachment_size_limit: 10_485_760,
      ...(guild && member
        ? {
            guild_id: guild.id,
            guild: { id: guild.id, locale: "en-US", features: [] },
            guild_locale: "en-US",
            member: { ...memberPayload(this.state, member), permissions: memberPerms.toString() },
          }
        : { user: userPayload(user) }),
      ...extra,
    };
    this.gateway.broadcast({ t: "INTERACTION_CREATE", d });
  }

  private resolvedFor(options: readonly WireOption[], channel: SimChannel): Json | undefined {
    const guild = this.state.guildOf(channel);
    const users: Json = {};
    const members: Json = {};
    const roles: Json = {};
    const channels: Json = {};
    const addUser = (id: string): boolean => {
      const u = this.state.user(id);
      if (!u) return false;
      users[id] = userPayload(u);
      const m = guild?.members.get(id);
      if (guild && m) {
        members[id] = {
          ...memberPayload(this.state, m, false),
          permissions: this.state.permissionsIn(channel.id, id).toString(),
        };
      }
      return true;
    };
    const addRole = (id: string): boolean => {
      const r = this.state.roles.get(id);
      if (!r) return false;
      roles[id] = rolePayload(r);
      return true;
    };
    for (const o of leafOptions(options)) {
      const id = String(o.value ?? "");
      if (o.type === OptionType.User) addUser(id);
      else if (o.type === OptionType.Role) addRole(id);
      else if (o.type === OptionType.Mentionable) addUser(id) || addRole(id);
      else if (o.type === OptionType.Channel) {
        const c = this.state.channels.get(id);
        if (c) {
          channels[id] = {
            ...channelPayload(this.state, c),
            permissions: this.state.permissionsIn(c.id, this.state.botUserId).toString(),
          };
        }
      }
    }
    const resolved: Json = {};
    if (Object.keys(users).length > 0) resolved.users = users;
    if (Object.keys(members).length > 0) resolved.members = members;
    if (Object.keys(roles).length > 0) resolved.roles = roles;
    if (Object.keys(channels).length > 0) resolved.channels = channels;
    return Object.keys(resolved).length > 0 ? resolved : undefined;
  }
}

interface ButtonLike {
  custom_id?: unknown;
  disabled?: unknown;
  components?: unknown;
}

function findButton(components: unknown[], customId: string): { disabled: boolean } | undefined {
  for (const c of components) {
    if (typeof c !== "object" || c === null) continue;
    const b = c as ButtonLike;
    if (b.custom_id === customId) return { disabled: b.disabled === true };
    if (Array.isArray(b.components)) {
      const inner = findButton(b.components, customId);
      if (inner) return inner;
    }
  }
  return undefined;
}

function view(m: SimMessage): MessageView {
  return {
    id: m.id,
    channelId: m.channelId,
    guildId: m.guildId,
    authorId: m.authorId,
    content: m.content,
    embeds: structuredClone(m.embeds),
    components: structuredClone(m.components),
    attachments: m.attachments.map((a) => ({ ...a })),
    allowedMentions: m.allowedMentions,
    flags: m.flags,
    ephemeral: (m.flags & 64) !== 0,
    editedTimestamp: m.editedTimestamp,
    timestamp: m.timestamp,
    nonce: m.nonce,
    deleted: m.deleted,
    interactionId: m.interaction?.id ?? null,
  };
}

export async function startDiscordSim(options: DiscordSimOptions): Promise<DiscordSim> {
  const sim = new DiscordSim(options);
  await sim.listen();
  return sim;
}
