/**
 * The sandbox view's own small HTTP server (on the world's host): the page, its live regions
 * (JSON, polled), and the control panel's actions. Form input is read through zod;
 * members act through the Discord simulator's interaction path (see sandbox.ts).
 */
import { createHash, randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { z } from "zod";
import type { SimChannel, SimMessage, SimRole } from "../../sim/discord/server.js";
import { urlHost } from "../../sim/host.js";
import { DEMO_GAMES, type DemoWorld, namesOf } from "../world.js";
import { SCRIPT, STYLE } from "./assets.js";
import {
  activityHtml,
  type ChannelModel,
  type CommandModel,
  type CommandVariant,
  channelsHtml,
  clockHtml,
  commandsHtml,
  inboxHtml,
  type MessageModel,
  type OptionModel,
  type PageModel,
  pageHtml,
  psnHtml,
} from "./render.js";

/**
 * What the view shows and drives: the demo world, and the clock when the bot runs in this
 * process (the sandbox). Under `npm run sim` the bot is another process on real time.
 */
export type ViewWorld = DemoWorld & { passTime?: (ms: number) => Promise<void> };

const EPHEMERAL = 64;
const LOADING = 128;
const MAX_BODY_BYTES = 64 * 1024;

// ---- the model: what the simulators hold, as the renderer wants it --------------------------

const optionDefSchema: z.ZodType<OptionDef> = z.lazy(() =>
  z.object({
    type: z.number().int(),
    name: z.string(),
    description: z.string().default(""),
    required: z.boolean().optional(),
    choices: z.array(z.object({ name: z.string(), value: z.union([z.string(), z.number()]) })).optional(),
    options: z.array(optionDefSchema).optional(),
  }),
);
interface OptionDef {
  type: number;
  name: string;
  description: string;
  required?: boolean | undefined;
  choices?: { name: string; value: string | number }[] | undefined;
  options?: OptionDef[] | undefined;
}
const commandDefSchema = z.object({
  name: z.string(),
  type: z.number().int().optional(),
  description: z.string().default(""),
  default_member_permissions: z.string().nullable().optional(),
  options: z.array(optionDefSchema).optional(),
});

const SUBCOMMAND = 1;
const SUBCOMMAND_GROUP = 2;

function leafOptions(options: readonly OptionDef[] | undefined): OptionModel[] {
  return (options ?? []).map((o) => ({
    name: o.name,
    description: o.description,
    type: o.type,
    required: o.required ?? false,
    choices: o.choices ?? [],
  }));
}

/** Every runnable form of a command: itself, or each subcommand (in its group). */
function variantsOf(def: z.infer<typeof commandDefSchema>): CommandVariant[] {
  const options = def.options ?? [];
  const subs = options.filter((o) => o.type === SUBCOMMAND || o.type === SUBCOMMAND_GROUP);
  if (subs.length === 0) {
    return [{ group: null, subcommand: null, description: def.description, options: leafOptions(options) }];
  }
  return subs.flatMap((s): CommandVariant[] =>
    s.type === SUBCOMMAND
      ? [{ group: null, subcommand: s.name, description: s.description, options: leafOptions(s.options) }]
      : (s.options ?? [])
          .filter((leaf) => leaf.type === SUBCOMMAND)
          .map((leaf) => ({
            group: s.name,
            subcommand: leaf.name,
            description: leaf.description,
            options: leafOptions(leaf.options),
          })),
  );
}

/** The chat-input commands the bot registered (globally and in the demo server), as Discord would list them. */
export function registeredCommands(sandbox: ViewWorld): CommandModel[] {
  return commandModels([
    ...sandbox.discord.commands(),
    ...sandbox.discord.commands({ guildId: sandbox.guild.id }),
  ]);
}

/** Registered command definitions (Discord's JSON) as the panel's forms; a later one replaces an earlier one of the same name. */
export function commandModels(raw: readonly unknown[]): CommandModel[] {
  const byName = new Map<string, CommandModel>();
  for (const r of raw) {
    const parsed = commandDefSchema.safeParse(r);
    if (!parsed.success || (parsed.data.type ?? 1) !== 1) continue;
    const def = parsed.data;
    byName.set(def.name, {
      name: def.name,
      description: def.description,
      adminOnly: def.default_member_permissions !== undefined && def.default_member_permissions !== null,
      variants: variantsOf(def),
    });
  }
  return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
}

function latestId(box: { dms: { id: string }[]; privateReplies: { id: string }[] }): string {
  const ids = [...box.dms, ...box.privateReplies].map((m) => m.id).sort((a, b) => byId({ id: a }, { id: b }));
  return ids.at(-1) ?? "0";
}

function byId(a: { id: string }, b: { id: string }): number {
  const x = BigInt(a.id);
  const y = BigInt(b.id);
  return x < y ? -1 : x > y ? 1 : 0;
}

export function buildModel(sandbox: ViewWorld): PageModel {
  const { state } = sandbox.discord;
  const guild = state.guilds.get(sandbox.guild.id);
  const userName = (id: string) => state.user(id)?.username ?? "unknown-user";
  const messageModel = (m: SimMessage): MessageModel => ({
    id: m.id,
    channelId: m.channelId,
    authorName: userName(m.authorId),
    authorIsBot: state.user(m.authorId)?.bot ?? false,
    content: m.content,
    embeds: m.embeds,
    components: m.components,
    timestamp: m.timestamp,
    editedTimestamp: m.editedTimestamp,
    ephemeral: (m.flags & EPHEMERAL) !== 0,
    loading: (m.flags & LOADING) !== 0,
    interaction: m.interaction
      ? { userName: userName(m.interaction.userId), commandName: m.interaction.name }
      : null,
  });
  const textChannels = (guild?.channelIds ?? [])
    .map((id) => state.channels.get(id))
    .filter((c): c is SimChannel => c !== undefined && c.type === 0)
    .sort((a, b) => Number(b.id === sandbox.partyChannel.id) - Number(a.id === sandbox.partyChannel.id));
  const channels: ChannelModel[] = textChannels.map((c) => ({
    id: c.id,
    name: c.name,
    partyChannel: c.id === sandbox.partyChannel.id,
    messages: state.visibleMessages(c.id).map(messageModel),
  }));
  const adminIds = new Set(sandbox.members.filter((m) => m.admin).map((m) => m.user.id));
  const actors = sandbox.members.map((m) => ({
    userId: m.user.id,
    username: m.user.username,
    admin: m.admin,
  }));
  const allMessages = [...state.messages.values()].filter((m) => !m.deleted);
  const inbox = actors
    .map((a) => {
      const dmChannel = state.dmChannelByUser.get(a.userId);
      return {
        userId: a.userId,
        username: a.username,
        admin: adminIds.has(a.userId),
        dms: dmChannel ? state.visibleMessages(dmChannel).map(messageModel) : [],
        privateReplies: allMessages
          .filter((m) => (m.flags & EPHEMERAL) !== 0 && m.interaction?.userId === a.userId)
          .sort(byId)
          .map(messageModel),
      };
    })
    // Whoever heard from the bot last comes first: what just happened is at the top.
    .sort((a, b) => byId({ id: latestId(b) }, { id: latestId(a) }));
  const accounts = [
    ...sandbox.members.map((m) => ({ psn: m.psn, who: `@${m.user.username}` })),
    ...sandbox.friends.map((f) => ({ psn: f.psn, who: "PSN friend (not in Discord)" })),
  ].map(({ psn, who }) => {
    const presence = sandbox.presence(psn.accountId);
    return { ...psn, who, online: presence.online, game: presence.game };
  });
  return {
    guildName: sandbox.guild.name,
    botInProcess: sandbox.passTime !== undefined,
    now: sandbox.now(),
    actors,
    commands: registeredCommands(sandbox),
    channels,
    textChannels: textChannels.map((c) => ({ id: c.id, name: c.name })),
    commandChannelId: sandbox.generalChannelId,
    roles: (guild?.roleIds ?? [])
      .map((id) => state.roles.get(id))
      .filter((r): r is SimRole => r !== undefined && !r.managed && r.id !== sandbox.guild.id)
      .map((r) => ({ id: r.id, name: r.name })),
    inbox,
    psn: {
      accounts,
      parties: sandbox.parties().map((p) => ({
        sessionId: p.sessionId,
        host: sandbox.nameOfAccount(p.hostAccountId),
        members: p.members.map((id) => ({ accountId: id, onlineId: sandbox.nameOfAccount(id) })),
        joinability: p.joinability,
        maxMembers: p.maxMembers,
      })),
      failing: sandbox.psnFailing(),
      games: DEMO_GAMES,
    },
    activity: [...sandbox.activity()],
    names: namesOf(sandbox),
  };
}

export function liveRegions(model: PageModel): Record<string, string> {
  return {
    clock: clockHtml(model).value,
    channels: channelsHtml(model).value,
    inbox: inboxHtml(model).value,
    psn: psnHtml(model).value,
    activity: activityHtml(model).value,
    commands: commandsHtml(model).value,
  };
}

function versionOf(regions: Record<string, string>): string {
  return createHash("sha256").update(JSON.stringify(regions)).digest("hex").slice(0, 16);
}

// ---- actions ---------------------------------------------------------------------------------

class ActionError extends Error {}

const snowflake = z.string().regex(/^\d{15,21}$/, "expected a Discord id");
const joinability = z.enum(["open", "request", "invite"]);
const account = z.string().min(1);
const session = z.string().min(1);

const clickForm = z.object({
  as: snowflake,
  channelId: snowflake,
  messageId: snowflake,
  customId: z.string().min(1),
});
const slashForm = z.object({
  as: snowflake,
  channel: snowflake.optional(),
  name: z.string().min(1),
  group: z.string().min(1).optional(),
  sub: z.string().min(1).optional(),
});
const presenceForm = z.object({
  account,
  online: z.enum(["true", "false"]),
  game: z.union([z.enum(DEMO_GAMES), z.literal("")]),
});

/** A form's value for an option, typed as the registered definition says. */
export function optionValue(o: OptionModel, raw: string): string | number | boolean {
  switch (o.type) {
    case 4: {
      const n = Number(raw);
      if (!Number.isInteger(n)) throw new ActionError(`${o.name}: expected a whole number`);
      return n;
    }
    case 10: {
      const n = Number(raw);
      if (!Number.isFinite(n)) throw new ActionError(`${o.name}: expected a number`);
      return n;
    }
    case 5:
      return raw === "true";
    default:
      return raw;
  }
}

async function answered(
  handle: { acknowledged(ms?: number): Promise<number> },
  what: string,
): Promise<string> {
  try {
    await handle.acknowledged(5_000);
    return `${what}: the bot answered.`;
  } catch {
    return `${what}: the bot has not answered (yet).`;
  }
}

async function runAction(sandbox: ViewWorld, action: string, form: URLSearchParams): Promise<string> {
  // Without the bot in this process, nothing waits for it: it sees PSN at its next poll.
  const later = sandbox.passTime ? "" : " The bot sees it at its next poll.";
  const fields = Object.fromEntries([...form].filter(([k]) => !k.startsWith("opt.")));
  const actor = (id: string) => {
    const m = sandbox.members.find((x) => x.user.id === id);
    if (!m) throw new ActionError("Pick a member of the demo server to act as.");
    return m;
  };
  switch (action) {
    case "slash": {
      const input = slashForm.parse(fields);
      const who = actor(input.as);
      const command = registeredCommands(sandbox).find((c) => c.name === input.name);
      const variant = command?.variants.find(
        (v) => v.group === (input.group ?? null) && v.subcommand === (input.sub ?? null),
      );
      if (!command || !variant) throw new ActionError(`The bot has no /${input.name} command registered.`);
      const options: Record<string, string | number | boolean> = {};
      for (const o of variant.options) {
        const raw = form.get(`opt.${o.name}`)?.trim() ?? "";
        if (raw === "") {
          if (o.required) throw new ActionError(`${o.name} is required.`);
          continue;
        }
        options[o.name] = optionValue(o, raw);
      }
      const handle = sandbox.slash(who.user.id, {
        name: input.name,
        ...(input.group ? { subcommandGroup: input.group } : {}),
        ...(input.sub ? { subcommand: input.sub } : {}),
        ...(input.channel ? { channelId: input.channel } : {}),
        options,
      });
      const path = [input.name, input.group, input.sub].filter(Boolean).join(" ");
      return answered(handle, `@${who.user.username} ran /${path}`);
    }
    case "click": {
      const input = clickForm.parse(fields);
      const who = actor(input.as);
      const handle = sandbox.click(who.user.id, input);
      return answered(handle, `@${who.user.username} pressed a button`);
    }
    case "presence": {
      const input = presenceForm.parse(fields);
      await sandbox.setPresence(input.account, { online: input.online === "true", game: input.game || null });
      return `${sandbox.nameOfAccount(input.account)} is ${input.online === "true" ? "online" : "offline"}.${later}`;
    }
    case "party/start": {
      const input = z.object({ account, joinability }).parse(fields);
      await sandbox.startParty(input.account, input.joinability);
      return `${sandbox.nameOfAccount(input.account)} started a party.${later}`;
    }
    case "party/join": {
      const input = z.object({ session, account }).parse(fields);
      await sandbox.joinParty(input.session, input.account);
      return `${sandbox.nameOfAccount(input.account)} joined the party.${later}`;
    }
    case "party/leave": {
      const input = z.object({ session, account }).parse(fields);
      await sandbox.leaveParty(input.session, input.account);
      return `${sandbox.nameOfAccount(input.account)} left the party.${later}`;
    }
    case "party/end": {
      const input = z.object({ session }).parse(fields);
      await sandbox.endParty(input.session);
      return `The party ended on PSN.${later}`;
    }
    case "party/joinability": {
      const input = z.object({ session, joinability }).parse(fields);
      await sandbox.setJoinability(input.session, input.joinability);
      return `The party is now ${input.joinability}.${later}`;
    }
    case "psn-failing": {
      const input = z.object({ failing: z.enum(["true", "false"]) }).parse(fields);
      await sandbox.setPsnFailing(input.failing === "true");
      return input.failing === "true" ? "PSN now answers 503 to everything." : "PSN answers normally again.";
    }
    case "time": {
      const input = z.object({ seconds: z.coerce.number().int().min(1).max(86_400) }).parse(fields);
      if (!sandbox.passTime)
        throw new ActionError("Time runs on its own here: the bot is a process of its own.");
      await sandbox.passTime(input.seconds * 1000);
      return `${input.seconds} s passed.`;
    }
    default:
      throw new ActionError(`Unknown action ${action}.`);
  }
}

function explain(err: unknown): string {
  if (err instanceof z.ZodError)
    return err.issues.map((i) => `${i.path.join(".") || "form"}: ${i.message}`).join("; ");
  return err instanceof Error ? err.message : String(err);
}

// ---- HTTP ------------------------------------------------------------------------------------

async function readBody(req: IncomingMessage): Promise<string> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > MAX_BODY_BYTES) throw new ActionError("The form is too large.");
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function send(res: ServerResponse, status: number, type: string, body: string, headers = {}): void {
  res.writeHead(status, {
    "content-type": type,
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
    ...headers,
  });
  res.end(body);
}

export interface ViewServer {
  url: string;
  close(): Promise<void>;
}

export async function startView(
  sandbox: ViewWorld,
  options: { port?: number; host?: string } = {},
): Promise<ViewServer> {
  const host = options.host ?? sandbox.host;
  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) send(res, 500, "text/plain; charset=utf-8", `Sandbox error: ${explain(err)}`);
      else res.end();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    if (req.method === "GET" && url.pathname === "/") {
      const nonce = randomBytes(16).toString("base64");
      const model = buildModel(sandbox);
      const page = pageHtml(model, nonce, SCRIPT, STYLE).value.replace(
        "<body>",
        `<body data-version="${versionOf(liveRegions(model))}">`,
      );
      send(res, 200, "text/html; charset=utf-8", page, {
        "content-security-policy": [
          "default-src 'none'",
          `script-src 'nonce-${nonce}'`,
          `style-src-elem 'nonce-${nonce}'`,
          // Embed colour bars are style attributes; their values are six hex digits from a number.
          "style-src-attr 'unsafe-inline'",
          "img-src 'self' http: https: data:",
          "connect-src 'self'",
          "form-action 'self'",
          "base-uri 'none'",
          "frame-ancestors 'none'",
        ].join("; "),
        "referrer-policy": "no-referrer",
      });
      return;
    }
    if (req.method === "GET" && url.pathname === "/live") {
      const regions = liveRegions(buildModel(sandbox));
      const version = versionOf(regions);
      if (url.searchParams.get("v") === version) return send(res, 204, "text/plain", "");
      return send(res, 200, "application/json", JSON.stringify({ version, regions }));
    }
    if (req.method === "POST" && url.pathname.startsWith("/act/")) {
      const fromScript = req.headers["x-sandbox"] === "fetch";
      let ok = true;
      let message: string;
      try {
        const form = new URLSearchParams(await readBody(req));
        message = await runAction(sandbox, url.pathname.slice("/act/".length), form);
      } catch (err) {
        ok = false;
        message = explain(err);
      }
      if (fromScript) return send(res, ok ? 200 : 400, "application/json", JSON.stringify({ ok, message }));
      // Without the script (a plain form post): back to the page.
      res.writeHead(303, { location: "/" });
      res.end();
      return;
    }
    send(res, 404, "text/plain; charset=utf-8", "Not found");
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${urlHost(host)}:${port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
