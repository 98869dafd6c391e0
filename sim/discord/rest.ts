import type { IncomingMessage, ServerResponse } from "node:http";
import { z } from "zod";
import { parseBody, readBody, type UploadedFile } from "./body.js";
import { ApiErrors, DiscordApiError } from "./errors.js";
import type { FaultMatcher, Faults } from "./faults.js";
import type { InteractionRegistry } from "./interactions.js";
import { type MessageStore, parseMessageInput } from "./messages.js";
import {
  channelPayload,
  guildPayload,
  type Json,
  memberPayload,
  messagePayload,
  rolePayload,
  userPayload,
} from "./payloads.js";
import { has, Perm } from "./permissions.js";
import { newSnowflake } from "./snowflake.js";
import type { SimChannel, SimCommand, SimMessage, SimState } from "./state.js";

export interface RequestLogEntry {
  method: string;
  /** Route path after `/api/v10`, e.g. `/channels/123/messages`. */
  path: string;
  query: string;
  status: number;
  /** Parsed JSON body (or multipart `payload_json`), undefined when none. */
  body: unknown;
  /** The route pattern that answered, or null for an unknown route (a 404 a test should notice). */
  route: string | null;
  at: number;
}

interface Ctx {
  params: Record<string, string>;
  query: URLSearchParams;
  json: unknown;
  files: UploadedFile[];
}

interface Reply {
  status: number;
  body?: unknown;
}

interface Route {
  method: string;
  pattern: string;
  regex: RegExp;
  /** Interaction callbacks and webhooks carry no bot token on Discord either. */
  auth: boolean;
  handle: (ctx: Ctx) => Reply | Promise<Reply>;
}

export interface RestDeps {
  state: SimState;
  messages: MessageStore;
  interactions: InteractionRegistry;
  faults: Faults;
  botToken: string;
  gatewayUrl: () => string;
}

const dmSchema = z.looseObject({ recipient_id: z.string() });
const commandSchema = z.looseObject({
  name: z.string(),
  type: z.number().optional(),
  description: z.string().optional(),
});
/** Discord's rule for chat input command names: 1-32 characters, lower case where a letter has case. */
const CHAT_INPUT_NAME = /^[-_'\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u;
/** Discord refuses a bulk overwrite of more commands than it allows per scope. */
const MAX_COMMANDS = 100;

interface PendingHold {
  matcher: FaultMatcher;
  taken: boolean;
  arrive: (request: { method: string; path: string }) => void;
  outcome: Promise<"handle" | "drop">;
}

export class RestApi {
  readonly log: RequestLogEntry[] = [];
  private readonly routes: Route[] = [];
  private holds: PendingHold[] = [];

  hold(matcher: FaultMatcher): {
    arrived: Promise<{ method: string; path: string }>;
    release(outcome: "handle" | "drop"): void;
  } {
    let arrive!: PendingHold["arrive"];
    let release!: (outcome: "handle" | "drop") => void;
    const arrived = new Promise<{ method: string; path: string }>((r) => {
      arrive = r;
    });
    const outcome = new Promise<"handle" | "drop">((r) => {
      release = r;
    });
    this.holds.push({ matcher, taken: false, arrive, outcome });
    return { arrived, release };
  }

  constructor(private readonly d: RestDeps) {
    this.defineRoutes();
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const method = (req.method ?? "GET").toUpperCase();
    const prefix = "/api/v10";
    const path = url.pathname.startsWith(prefix) ? url.pathname.slice(prefix.length) : url.pathname;
    const raw = await readBody(req);
    const { json, files } = parseBody(req.headers["content-type"], raw);
    const entry: RequestLogEntry = {
      method,
      path,
      query: url.search,
      status: 0,
      body: json,
      route: null,
      at: Date.now(),
    };
    this.log.push(entry);
    const send = (status: number, body: unknown, headers: Record<string, string> = {}): void => {
      entry.status = status;
      const base = { "x-ratelimit-scope": "user", ...headers };
      if (body === undefined) {
        res.writeHead(status, base).end();
      } else {
        res.writeHead(status, { ...base, "content-type": "application/json" }).end(JSON.stringify(body));
      }
      this.d.state.touch();
    };

    const route = url.pathname.startsWith(prefix)
      ? this.routes.find((r) => r.method === method && r.regex.test(path))
      : undefined;
    if (!route) {
      send(404, { code: 0, message: "404: Not Found" });
      return;
    }
    entry.route = route.pattern;
    if (route.auth && req.headers.authorization !== `Bot ${this.d.botToken}`) {
      send(401, { code: 0, message: "401: Unauthorized" });
      return;
    }
    const hold = this.holds.find(
      (h) =>
        !h.taken &&
        (!h.matcher.method || h.matcher.method.toUpperCase() === method) &&
        (typeof h.matcher.path === "string" ? h.matcher.path === path : h.matcher.path.test(path)),
    );
    if (hold) {
      hold.taken = true;
      this.holds = this.holds.filter((h) => h !== hold);
      hold.arrive({ method, path });
      if ((await hold.outcome) === "drop") {
        entry.status = -1;
        res.socket?.destroy();
        return;
      }
    }
    const fault = this.d.faults.take(method, path);
    if (fault) {
      if (fault.body.code === 10008) this.deleteFaultedMessage(path);
      send(fault.status, fault.body, fault.headers);
      return;
    }
    // discord.js percent-encodes path segments ("@original" arrives as "%40original").
    const params = Object.fromEntries(
      Object.entries(route.regex.exec(path)?.groups ?? {}).map(([k, v]) => [k, decodeURIComponent(v)]),
    );
    try {
      const reply = await route.handle({ params, query: url.searchParams, json, files });
      const lost = reply.status < 300 ? this.d.faults.take(method, path, true) : undefined;
      if (lost) {
        send(lost.status, lost.body, lost.headers);
        return;
      }
      send(reply.status, reply.body);
    } catch (error) {
      if (error instanceof DiscordApiError) {
        send(error.status, error.body());
      } else {
        send(500, { code: 0, message: `500: Internal Server Error (${String(error)})` });
      }
    }
  }

  /**
   * Discord answers Unknown Message only for a message that does not exist, so an injected
   * 10008 on a live message stands for a deletion that just happened (by a moderator, say):
   * the message goes, with its MESSAGE_DELETE, before the answer. Otherwise the bot would
   * see a message both gone and still in the channel, which real Discord never shows.
   */
  private deleteFaultedMessage(path: string): void {
    const { messages, interactions } = this.d;
    const inChannel = /^\/channels\/(\d+)\/messages\/(\d+)$/.exec(path);
    const viaWebhook = /^\/webhooks\/([^/]+)\/([^/]+)\/messages\/([^/]+)$/.exec(path);
    try {
      let target: SimMessage | undefined;
      if (inChannel) target = messages.get(inChannel[1] ?? "", inChannel[2] ?? "");
      else if (viaWebhook) {
        const i = interactions.byWebhook(viaWebhook[1] ?? "", viaWebhook[2] ?? "");
        target = interactions.webhookMessage(i, decodeURIComponent(viaWebhook[3] ?? ""));
      }
      if (target && !target.deleted) messages.delete(target);
    } catch {
      // Already gone or never there: the 10008 is simply true.
    }
  }

  private on(method: string, pattern: string, handle: Route["handle"], auth = true): void {
    const source = pattern.replace(/\{(\w+)\}/g, (_m, name: string) => `(?<${name}>[^/]+)`);
    this.routes.push({ method, pattern, regex: new RegExp(`^${source}$`), auth, handle });
  }

  private channel(id: string): SimChannel {
    const c = this.d.state.channels.get(id);
    if (!c) throw ApiErrors.unknownChannel();
    return c;
  }

  /** What reading a channel needs: it exists, and (in a guild) the bot may see it. */
  private readableChannel(id: string): SimChannel {
    const c = this.channel(id);
    if (c.type === 0 && !has(this.d.state.permissionsIn(c.id, this.d.state.botUserId), Perm.ViewChannel)) {
      throw ApiErrors.missingAccess();
    }
    return c;
  }

  private defineRoutes(): void {
    const { state, messages, interactions } = this.d;
    const msg = (m: Parameters<typeof messagePayload>[1]): Json => messagePayload(state, m);

    this.on("GET", "/gateway/bot", () => ({
      status: 200,
      body: {
        url: this.d.gatewayUrl(),
        shards: 1,
        session_start_limit: { total: 1000, remaining: 999, reset_after: 86_400_000, max_concurrency: 1 },
      },
    }));
    this.on("GET", "/gateway", () => ({ status: 200, body: { url: this.d.gatewayUrl() } }), false);

    this.on("GET", "/users/@me", () => {
      const bot = state.user(state.botUserId);
      if (!bot) throw ApiErrors.unknownUser();
      return { status: 200, body: { ...userPayload(bot), verified: true, mfa_enabled: false } };
    });
    this.on("GET", "/users/{userId}", ({ params }) => {
      const u = state.user(params.userId ?? "");
      if (!u) throw ApiErrors.unknownUser();
      return { status: 200, body: userPayload(u) };
    });
    this.on("GET", "/applications/@me", () => ({
      status: 200,
      body: {
        id: state.applicationId,
        name: state.user(state.botUserId)?.username ?? "bot",
        icon: null,
        description: "",
        bot_public: true,
        bot_require_code_grant: false,
        verify_key: "0".repeat(64),
        flags: 0,
        team: null,
      },
    }));

    this.on("POST", "/users/@me/channels", ({ json }) => {
      const parsed = dmSchema.safeParse(json);
      if (!parsed.success) throw ApiErrors.invalidForm("recipient_id");
      const user = state.user(parsed.data.recipient_id);
      if (!user) throw ApiErrors.unknownUser();
      let channelId = state.dmChannelByUser.get(user.id);
      if (!channelId) {
        channelId = newSnowflake();
        state.channels.set(channelId, {
          id: channelId,
          type: 1,
          guildId: null,
          name: "",
          position: 0,
          overwrites: [],
          recipientId: user.id,
          lastMessageId: null,
        });
        state.dmChannelByUser.set(user.id, channelId);
      }
      return { status: 200, body: channelPayload(state, this.channel(channelId)) };
    });

    this.on("GET", "/guilds/{guildId}", ({ params }) => {
      const g = state.guilds.get(params.guildId ?? "");
      if (!g?.members.has(state.botUserId)) throw ApiErrors.unknownGuild();
      return { status: 200, body: guildPayload(state, g) };
    });
    this.on("GET", "/guilds/{guildId}/channels", ({ params }) => {
      const g = state.guilds.get(params.guildId ?? "");
      if (!g?.members.has(state.botUserId)) throw ApiErrors.unknownGuild();
      return {
        status: 200,
        body: g.channelIds.flatMap((id) => {
          const c = state.channels.get(id);
          return c ? [channelPayload(state, c)] : [];
        }),
      };
    });
    this.on("GET", "/guilds/{guildId}/roles", ({ params }) => {
      const g = state.guilds.get(params.guildId ?? "");
      if (!g?.members.has(state.botUserId)) throw ApiErrors.unknownGuild();
      return {
        status: 200,
        body: g.roleIds.flatMap((id) => {
          const r = state.roles.get(id);
          return r ? [rolePayload(r)] : [];
        }),
      };
    });
    this.on("GET", "/guilds/{guildId}/members/{userId}", ({ params }) => {
      const g = state.guilds.get(params.guildId ?? "");
      if (!g?.members.has(state.botUserId)) throw ApiErrors.unknownGuild();
      const m = g.members.get(params.userId ?? "");
      if (!m) throw ApiErrors.unknownMember();
      return { status: 200, body: memberPayload(state, m) };
    });

    this.on("GET", "/channels/{channelId}", ({ params }) => ({
      status: 200,
      body: channelPayload(state, this.readableChannel(params.channelId ?? "")),
    }));

    this.on("GET", "/channels/{channelId}/messages", ({ params, query }) => {
      const c = this.readableChannel(params.channelId ?? "");
      const limit = listLimit(query.get("limit"));
      const before = snowflakeParam(query.get("before"), "before");
      const after = snowflakeParam(query.get("after"), "after");
      // As documented: without Read Message History the list is empty, not an error.
      if (c.type === 0 && !has(state.permissionsIn(c.id, state.botUserId), Perm.ReadMessageHistory)) {
        return { status: 200, body: [] };
      }
      let list = state.visibleMessages(c.id);
      if (before !== null) list = list.filter((m) => BigInt(m.id) < before);
      else if (after !== null) list = list.filter((m) => BigInt(m.id) > after);
      // Discord lists newest first; with `after`, the page holds the messages right after that id.
      const newestFirst = list.reverse();
      const page =
        after !== null && before === null ? newestFirst.slice(-limit) : newestFirst.slice(0, limit);
      return { status: 200, body: page.map((m) => withoutNonce(msg(m))) };
    });

    this.on("GET", "/channels/{channelId}/messages/{messageId}", ({ params }) => {
      const c = this.readableChannel(params.channelId ?? "");
      if (c.type === 0 && !has(state.permissionsIn(c.id, state.botUserId), Perm.ReadMessageHistory)) {
        throw ApiErrors.missingAccess();
      }
      const m = messages.get(c.id, params.messageId ?? "");
      if ((m.flags & 64) !== 0) throw ApiErrors.unknownMessage();
      return { status: 200, body: withoutNonce(msg(m)) };
    });

    this.on("POST", "/channels/{channelId}/messages", ({ params, json, files }) => {
      const c = this.channel(params.channelId ?? "");
      const input = parseMessageInput(json);
      messages.assertCanPost(c, input, files);
      const again = messages.findByNonce(c.id, state.botUserId, input, state.now());
      if (again) return { status: 200, body: msg(again) };
      const created = messages.create({ channel: c, authorId: state.botUserId, input, files });
      return { status: 200, body: msg(created) };
    });

    this.on("PATCH", "/channels/{channelId}/messages/{messageId}", ({ params, json, files }) => {
      const c = this.readableChannel(params.channelId ?? "");
      const m = messages.get(c.id, params.messageId ?? "");
      if (m.authorId !== state.botUserId || m.webhookId) throw ApiErrors.cannotEditOthers();
      if (state.editsRefused.has(m.id)) throw ApiErrors.tooManyEdits();
      const input = parseMessageInput(json);
      if (c.type === 0 && (input.embeds?.length ?? 0) > 0) {
        if (!has(state.permissionsIn(c.id, state.botUserId), Perm.EmbedLinks))
          throw ApiErrors.missingPermissions();
      }
      return { status: 200, body: msg(messages.edit(m, input, files)) };
    });

    this.on("DELETE", "/channels/{channelId}/messages/{messageId}", ({ params }) => {
      const c = this.readableChannel(params.channelId ?? "");
      const m = messages.get(c.id, params.messageId ?? "");
      if (m.authorId !== state.botUserId && c.type === 0) {
        if (!has(state.permissionsIn(c.id, state.botUserId), Perm.ManageMessages)) {
          throw ApiErrors.missingPermissions();
        }
      }
      messages.delete(m);
      return { status: 204 };
    });

    // Interactions: no bot token, the interaction token is the credential.
    this.on(
      "POST",
      "/interactions/{id}/{token}/callback",
      ({ params, json, files, query }) => {
        const body = interactions.callback(
          params.id ?? "",
          params.token ?? "",
          json,
          files,
          query.get("with_response") === "true",
        );
        return body === undefined ? { status: 204 } : { status: 200, body };
      },
      false,
    );
    this.on(
      "GET",
      "/webhooks/{appId}/{token}/messages/{messageId}",
      ({ params }) => {
        const i = interactions.byWebhook(params.appId ?? "", params.token ?? "");
        return { status: 200, body: msg(interactions.webhookMessage(i, params.messageId ?? "")) };
      },
      false,
    );
    this.on(
      "PATCH",
      "/webhooks/{appId}/{token}/messages/{messageId}",
      ({ params, json, files }) => {
        const i = interactions.byWebhook(params.appId ?? "", params.token ?? "");
        return {
          status: 200,
          body: msg(interactions.editViaWebhook(i, params.messageId ?? "", json, files)),
        };
      },
      false,
    );
    this.on(
      "DELETE",
      "/webhooks/{appId}/{token}/messages/{messageId}",
      ({ params }) => {
        const i = interactions.byWebhook(params.appId ?? "", params.token ?? "");
        messages.delete(interactions.webhookMessage(i, params.messageId ?? ""));
        return { status: 204 };
      },
      false,
    );
    this.on(
      "POST",
      "/webhooks/{appId}/{token}",
      ({ params, json, files, query }) => {
        const i = interactions.byWebhook(params.appId ?? "", params.token ?? "");
        const m = interactions.followUp(i, json, files);
        return query.get("wait") === "true" ? { status: 200, body: msg(m) } : { status: 204 };
      },
      false,
    );

    // Application commands.
    const appCheck = (appId: string | undefined): void => {
      if (appId !== state.applicationId) throw ApiErrors.missingAccess();
    };
    const guildCheck = (guildId: string | undefined): string => {
      const g = state.guilds.get(guildId ?? "");
      if (!g?.members.has(state.botUserId)) throw ApiErrors.missingAccess();
      return g.id;
    };
    this.on("GET", "/applications/{appId}/commands", ({ params }) => {
      appCheck(params.appId);
      return { status: 200, body: state.globalCommands.map(commandPayload) };
    });
    this.on("PUT", "/applications/{appId}/commands", ({ params, json }) => {
      appCheck(params.appId);
      const next = overwriteCommands(state, state.globalCommands, json, null);
      state.globalCommands.splice(0, state.globalCommands.length, ...next);
      state.touch();
      return { status: 200, body: next.map(commandPayload) };
    });
    this.on("POST", "/applications/{appId}/commands", ({ params, json }) => {
      appCheck(params.appId);
      const next = upsertCommand(state, state.globalCommands, json, null);
      return { status: 201, body: commandPayload(next) };
    });
    this.on("DELETE", "/applications/{appId}/commands/{commandId}", ({ params }) => {
      appCheck(params.appId);
      removeCommand(state.globalCommands, params.commandId ?? "");
      state.touch();
      return { status: 204 };
    });
    this.on("GET", "/applications/{appId}/guilds/{guildId}/commands", ({ params }) => {
      appCheck(params.appId);
      const gid = guildCheck(params.guildId);
      return { status: 200, body: (state.guildCommands.get(gid) ?? []).map(commandPayload) };
    });
    this.on("PUT", "/applications/{appId}/guilds/{guildId}/commands", ({ params, json }) => {
      appCheck(params.appId);
      const gid = guildCheck(params.guildId);
      const next = overwriteCommands(state, state.guildCommands.get(gid) ?? [], json, gid);
      state.guildCommands.set(gid, next);
      state.touch();
      return { status: 200, body: next.map(commandPayload) };
    });
    this.on("POST", "/applications/{appId}/guilds/{guildId}/commands", ({ params, json }) => {
      appCheck(params.appId);
      const gid = guildCheck(params.guildId);
      const list = state.guildCommands.get(gid) ?? [];
      state.guildCommands.set(gid, list);
      return { status: 201, body: commandPayload(upsertCommand(state, list, json, gid)) };
    });
    this.on("DELETE", "/applications/{appId}/guilds/{guildId}/commands/{commandId}", ({ params }) => {
      appCheck(params.appId);
      const gid = guildCheck(params.guildId);
      removeCommand(state.guildCommands.get(gid) ?? [], params.commandId ?? "");
      state.touch();
      return { status: 204 };
    });
  }
}

/** Discord's `limit`: 1 to 100, 50 when absent; anything else is an invalid form. */
function listLimit(raw: string | null): number {
  if (raw === null) return 50;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 100)
    throw ApiErrors.invalidForm("limit: must be between 1 and 100");
  return n;
}

function snowflakeParam(raw: string | null, name: string): bigint | null {
  if (raw === null) return null;
  if (!/^\d{1,20}$/.test(raw)) throw ApiErrors.invalidForm(`${name}: Value "${raw}" is not snowflake.`);
  return BigInt(raw);
}

/** A message's `nonce` comes back only on its create (and MESSAGE_CREATE), never when read later. */
function withoutNonce(body: Json): Json {
  const { nonce: _nonce, ...rest } = body;
  return rest;
}

function commandPayload(c: SimCommand): Json {
  return {
    default_member_permissions: null,
    dm_permission: true,
    nsfw: false,
    contexts: null,
    integration_types: [0],
    description: "",
    options: [],
    ...c.raw,
    id: c.id,
    application_id: c.applicationId,
    ...(c.guildId ? { guild_id: c.guildId } : {}),
    name: c.name,
    type: c.type,
    version: c.version,
  };
}

function toCommand(
  state: SimState,
  raw: unknown,
  existing: readonly SimCommand[],
  guildId: string | null,
): SimCommand {
  const parsed = commandSchema.safeParse(raw);
  if (!parsed.success) throw ApiErrors.invalidForm("command name");
  const type = parsed.data.type ?? 1;
  if (type === 1) {
    const { name, description = "" } = parsed.data;
    if (!CHAT_INPUT_NAME.test(name) || name !== name.toLowerCase()) {
      throw ApiErrors.invalidForm(`name: Command name is invalid (${name})`);
    }
    if (description.length < 1 || description.length > 100) {
      throw ApiErrors.invalidForm("description: Must be between 1 and 100 in length.");
    }
  }
  // Discord keeps a command's id when it is re-registered under the same name and type.
  const same = existing.find((c) => c.name === parsed.data.name && c.type === type);
  return {
    id: same?.id ?? newSnowflake(),
    applicationId: state.applicationId,
    guildId,
    name: parsed.data.name,
    type,
    version: newSnowflake(),
    raw: parsed.data,
  };
}

function overwriteCommands(
  state: SimState,
  existing: readonly SimCommand[],
  json: unknown,
  guildId: string | null,
) {
  if (!Array.isArray(json)) throw ApiErrors.invalidForm("expected an array of commands");
  if (json.length > MAX_COMMANDS) throw ApiErrors.tooManyCommands();
  const next = json.map((raw) => toCommand(state, raw, existing, guildId));
  const keys = next.map((c) => `${c.type}:${c.name}`);
  if (new Set(keys).size !== keys.length) {
    throw ApiErrors.invalidForm(
      "APPLICATION_COMMANDS_DUPLICATE_NAME: Application command names must be unique",
    );
  }
  return next;
}

function upsertCommand(
  state: SimState,
  list: SimCommand[],
  json: unknown,
  guildId: string | null,
): SimCommand {
  const cmd = toCommand(state, json, list, guildId);
  const at = list.findIndex((c) => c.id === cmd.id);
  if (at >= 0) list[at] = cmd;
  else list.push(cmd);
  state.touch();
  return cmd;
}

function removeCommand(list: SimCommand[], id: string): void {
  const at = list.findIndex((c) => c.id === id);
  if (at < 0) throw ApiErrors.unknownCommand();
  list.splice(at, 1);
}
