/**
 * The sandbox: the Discord and PSN simulators, the real bot (startApp, what `npm start`
 * runs) wired to them with a generated configuration, and a small demo server. Both the
 * view (`npm run sandbox`) and the scripted scene (`--scene`) drive it through here:
 * members act through the Discord simulator's real interaction path, PSN changes go
 * through the PSN simulator's control methods, and time passes for all three at once.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PermissionFlagsBits } from "discord.js";
import { freePort, linkButtonUrl, psnEnv } from "../sim/botEnv.js";
import {
  type CreatedGuild,
  type DiscordSim,
  type InteractionHandle,
  type SimChannel,
  type SimUser,
  startDiscordSim,
} from "../sim/discord/server.js";
import { type PsnSim, type SimEndpoint, type SimJoinability, startPsnSim } from "../sim/psn/server.js";
import { type App, startApp } from "../src/app.js";
import { type Config, parseConfig } from "../src/config.js";
import { findUserByAccountId, type UserRow } from "../src/db/users.js";
import { defaultTrackerOptions } from "../src/jobs/partyTracker.js";
import { type Logger, silentLogger } from "../src/log.js";
import type { Names } from "./discordJson.js";

const BOT_TOKEN = "sandbox-bot-token.local-simulator.0123456789";

/** Who lives in the demo server. `psn` is the PSN account they may link (none is linked at first). */
export interface DemoMember {
  key: string;
  user: SimUser;
  /** Has Manage Server (the "Admins" role). */
  admin: boolean;
  psn: { accountId: string; onlineId: string; npsso: string };
}

/** A PSN player without a Discord account in the server: a friend who joins parties. */
export interface PsnFriend {
  key: string;
  psn: { accountId: string; onlineId: string; npsso: string };
}

export interface PresenceState {
  online: boolean;
  game: string | null;
}

/** What the sandbox knows of a PSN party (it is the only one that changes parties). */
export interface SandboxParty {
  sessionId: string;
  hostAccountId: string;
  members: string[];
  joinability: SimJoinability;
  maxMembers: number;
}

export interface SlashRequest {
  name: string;
  subcommandGroup?: string;
  subcommand?: string;
  options?: Record<string, string | number | boolean>;
  /** Defaults to #general. */
  channelId?: string;
}

export interface ActivityEntry {
  at: number;
  text: string;
}

export const DEMO_GAMES = [
  "Helldivers 2",
  "Gran Turismo 7",
  "Astro Bot",
  "Ratchet & Clank: Rift Apart",
] as const;

/** Every endpoint the poller and the invite button use: what "PSN is failing" breaks. */
const FAILING_ENDPOINTS: readonly SimEndpoint[] = ["presence", "parties", "partyInfo", "share", "invite"];

/** What the bot must have read before a PSN change counts as seen (see settle). */
interface Needs {
  presence: boolean;
  partyReads: number;
}
/** The bot reads an online member's presence every 5 minutes: settle may skip that far, and a tick more. */
const SETTLE_MAX_SKIP_MS = 6 * 60_000;
const SETTLE_MAX_ROUNDS = 16;

export interface SandboxOptions {
  /** The bot's logger (silent by default). */
  log?: Logger;
  /** true: the bot's poller runs on its own schedule, as with `npm start`. false: only `poll()`/`settle()`. */
  schedulePolls?: boolean;
}

export interface Sandbox {
  discord: DiscordSim;
  psn: PsnSim;
  app: App;
  config: Config;
  guild: CreatedGuild;
  partyChannel: SimChannel;
  generalChannelId: string;
  partyRoleId: string;
  members: DemoMember[];
  friends: PsnFriend[];
  /** The bot's sign-in pages (PUBLIC_BASE_URL). */
  webUrl: string;
  /** The shared clock (ms) of the bot and both simulators. */
  now(): number;
  activity(): readonly ActivityEntry[];
  parties(): readonly SandboxParty[];
  presence(accountId: string): PresenceState;
  psnFailing(): boolean;
  /** A Discord member, a PSN friend, or null: who holds this PSN account. */
  nameOfAccount(accountId: string): string;
  member(key: string): DemoMember;
  /** Runs a slash command as `userId` in the demo server, through the simulator's interaction path. */
  slash(userId: string, request: SlashRequest): InteractionHandle;
  /** Presses a button as `userId` (a card's, a DM's, a private reply's). */
  click(userId: string, input: { channelId: string; messageId: string; customId: string }): InteractionHandle;
  /** /link, then the DM's link into the bot's sign-in page, then the NPSSO form, all over HTTP. */
  link(key: string): Promise<string>;
  setPresence(accountId: string, presence: PresenceState): Promise<void>;
  startParty(hostAccountId: string, joinability: SimJoinability): Promise<string>;
  joinParty(sessionId: string, accountId: string): Promise<void>;
  leaveParty(sessionId: string, accountId: string): Promise<void>;
  endParty(sessionId: string): Promise<void>;
  setJoinability(sessionId: string, joinability: SimJoinability): Promise<void>;
  setPsnFailing(failing: boolean): Promise<void>;
  /** Moves the shared clock forward and runs one poll, as if that much time had passed. */
  passTime(ms: number): Promise<void>;
  /** One poll now. */
  poll(): Promise<void>;
  stop(): Promise<void>;
}

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const cleanup: Array<() => unknown> = [];
  const runCleanup = async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  };
  try {
    // One clock for the bot and both simulators: real time, plus whatever `passTime` added.
    let offsetMs = 0;
    const now = () => Date.now() + offsetMs;

    const dir = mkdtempSync(join(tmpdir(), "ppb-sandbox-"));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));

    const discord = await startDiscordSim({ botToken: BOT_TOKEN, botUsername: "PartyBridge", now });
    cleanup.push(() => discord.stop());
    const psn = await startPsnSim({ now });
    cleanup.push(() => psn.close());

    // The demo server exists before the bot logs in, so it arrives with READY.
    const owner = discord.createUser({ username: "olivia" });
    const guild = discord.createGuild({ name: "PlayStation Friends", ownerId: owner.id });
    const adminRole = discord.createRole(guild.id, {
      name: "Admins",
      permissions: PermissionFlagsBits.ManageGuild,
    });
    const partyRole = discord.createRole(guild.id, { name: "Party people", permissions: 0n });
    const partyChannel = discord.createChannel(guild.id, { name: "parties" });

    const people: Array<{ key: string; onlineId: string; admin: boolean; game: string | null }> = [
      { key: "ada", onlineId: "Ada_Admin", admin: true, game: null },
      { key: "alice", onlineId: "Alice_PS", admin: false, game: DEMO_GAMES[0] },
      { key: "bob", onlineId: "Bob-Plays", admin: false, game: DEMO_GAMES[1] },
      { key: "carol", onlineId: "carol_99", admin: false, game: null },
    ];
    const presences = new Map<string, PresenceState>();
    const members: DemoMember[] = people.map((p) => {
      const user = discord.createUser({ username: p.key });
      discord.addMember(guild.id, user.id, p.admin ? { roleIds: [adminRole.id] } : {});
      const account = psn.createAccount({ onlineId: p.onlineId });
      return { key: p.key, user, admin: p.admin, psn: account };
    });
    const friends: PsnFriend[] = [{ key: "dave", psn: psn.createAccount({ onlineId: "Dave_Friend" }) }];
    const setSimPresence = (accountId: string, state: PresenceState) => {
      presences.set(accountId, state);
      psn.setPresence(accountId, {
        online: state.online,
        platform: "PS5",
        game: state.online && state.game ? { name: state.game } : null,
      });
    };
    for (const [i, m] of members.entries()) {
      setSimPresence(m.psn.accountId, { online: m.key !== "ada", game: people[i]?.game ?? null });
    }
    for (const f of friends) setSimPresence(f.psn.accountId, { online: true, game: DEMO_GAMES[0] });

    // Generated: nothing to configure. The web port is chosen first, as it goes into links.
    const webPort = await freePort();
    const webUrl = `http://127.0.0.1:${webPort}`;
    const config = parseConfig({
      NODE_ENV: "development",
      LOG_LEVEL: "info",
      DISCORD_TOKEN: BOT_TOKEN,
      DISCORD_APPLICATION_ID: discord.applicationId,
      DISCORD_API_BASE_URL: discord.apiUrl,
      PUBLIC_BASE_URL: webUrl,
      WEB_HOST: "127.0.0.1",
      WEB_PORT: String(webPort),
      TOKEN_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
      DATABASE_PATH: join(dir, "bot.sqlite"),
      ...psnEnv(psn),
    });
    const app = await startApp(config, {
      log: options.log ?? silentLogger(),
      now: () => new Date(now()),
      psnClock: now,
      schedulePolls: options.schedulePolls ?? true,
    });
    cleanup.push(() => app.stop());

    const parties = new Map<string, SandboxParty>();
    const activity: ActivityEntry[] = [];
    let failing = false;
    const note = (text: string) => {
      activity.push({ at: now(), text });
      if (activity.length > 200) activity.shift();
      discord.state.touch();
    };
    const nameOfAccount = (accountId: string) => {
      const m = members.find((x) => x.psn.accountId === accountId);
      if (m) return m.psn.onlineId;
      return friends.find((f) => f.psn.accountId === accountId)?.psn.onlineId ?? accountId;
    };
    const member = (key: string) => {
      const m = members.find((x) => x.key === key);
      if (!m) throw new Error(`no demo member ${key}`);
      return m;
    };
    const userName = (userId: string) => discord.state.user(userId)?.username ?? userId;

    /**
     * Lets the bot see a PSN change now instead of on its schedule: time skips to the moment
     * the poller next looks at one of these accounts (never backwards) and one poll runs,
     * until the bot has read what the change needs (the presence, or the parties that many
     * times), by its own record in the database. Bounded, and never while PSN is failing.
     */
    const settle = async (accountIds: readonly string[], needs: Needs) => {
      const rows = async () =>
        (await Promise.all(accountIds.map((id) => findUserByAccountId(app.ctx.db, id)))).filter(
          (r): r is UserRow => r !== undefined && r.linkState === "active",
        );
      const since = now();
      let partyReads = 0;
      let lastPartiesAt = Math.max(0, ...(await rows()).map((r) => r.lastPartiesAt?.getTime() ?? 0));
      for (let round = 0; round < SETTLE_MAX_ROUNDS; round++) {
        const due = (await rows()).map((r) => r.nextPollAt.getTime());
        const wait = due.length > 0 && !failing ? Math.min(...due) - now() : 0;
        const tooFar = now() + wait - since > SETTLE_MAX_SKIP_MS;
        if (wait > 0 && !tooFar) advance(wait);
        await app.poller.tick();
        if (tooFar) return;
        const after = await rows();
        const partiesAt = Math.max(0, ...after.map((r) => r.lastPartiesAt?.getTime() ?? 0));
        if (partiesAt > lastPartiesAt) partyReads++;
        lastPartiesAt = partiesAt;
        const presenceRead =
          !needs.presence || after.some((r) => (r.lastPresenceAt?.getTime() ?? 0) >= since);
        if (after.length === 0 || failing || (presenceRead && partyReads >= needs.partyReads)) return;
      }
    };
    // A party missing from what its members' PSN shows ends after this many reads (a debounce).
    const readsToEnd = defaultTrackerOptions.missesToEnd;
    const advance = (ms: number) => {
      offsetMs += ms;
    };
    const mustParty = (sessionId: string) => {
      const p = parties.get(sessionId);
      if (!p) throw new Error("That party has ended.");
      return p;
    };

    const sandbox: Sandbox = {
      discord,
      psn,
      app,
      config,
      guild,
      partyChannel,
      generalChannelId: guild.defaultChannelId,
      partyRoleId: partyRole.id,
      members,
      friends,
      webUrl,
      now,
      activity: () => activity,
      parties: () => [...parties.values()],
      presence: (accountId) => presences.get(accountId) ?? { online: false, game: null },
      psnFailing: () => failing,
      nameOfAccount,
      member,
      slash(userId, request) {
        const options = request.options ?? {};
        const shown = Object.entries(options).map(([k, v]) => `${k}:${String(v)}`);
        const path = [request.name, request.subcommandGroup, request.subcommand].filter(Boolean).join(" ");
        note(`@${userName(userId)} ran /${[path, ...shown].join(" ")}`);
        return discord.runSlashCommand({
          guildId: guild.id,
          userId,
          name: request.name,
          channelId: request.channelId ?? guild.defaultChannelId,
          ...(request.subcommandGroup ? { subcommandGroup: request.subcommandGroup } : {}),
          ...(request.subcommand ? { subcommand: request.subcommand } : {}),
          options,
        });
      },
      click(userId, input) {
        const message = discord.state.messages.get(input.messageId);
        const channel = discord.state.channels.get(input.channelId);
        const label = buttonLabel(message?.components, input.customId) ?? input.customId;
        note(`@${userName(userId)} pressed "${label}"`);
        return discord.clickButton({
          ...input,
          userId,
          ...(channel?.guildId ? { guildId: channel.guildId } : {}),
        });
      },
      async link(key) {
        const m = member(key);
        const seen = new Set(discord.dmMessages(m.user.id).map((x) => x.id));
        await sandbox.slash(m.user.id, { name: "link" }).response();
        const dm = await discord.waitForDm(m.user.id, (x) => !seen.has(x.id));
        const url = linkButtonUrl(dm.components);
        const form = await fetch(url);
        if (!form.ok) throw new Error(`the sign-in page answered ${form.status}`);
        const answer = await fetch(url, {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded" },
          body: new URLSearchParams({ npsso: m.psn.npsso }),
        });
        const page = await answer.text();
        if (!page.includes(`Linked as ${m.psn.onlineId}`))
          throw new Error(`linking failed: ${answer.status}`);
        note(`@${key} signed in on the link page as ${m.psn.onlineId}`);
        return url;
      },
      async setPresence(accountId, presence) {
        setSimPresence(accountId, presence);
        note(
          `PSN: ${nameOfAccount(accountId)} is ${presence.online ? `online${presence.game ? ` playing ${presence.game}` : ""}` : "offline"}`,
        );
        let left = false;
        if (!presence.online) {
          for (const p of parties.values())
            if (p.members.includes(accountId)) {
              leave(p, accountId);
              left = true;
            }
        }
        await settle([accountId], { presence: true, partyReads: left ? readsToEnd : 1 });
      },
      async startParty(hostAccountId, joinability) {
        for (const p of parties.values()) if (p.members.includes(hostAccountId)) leave(p, hostAccountId);
        const presence = presences.get(hostAccountId);
        if (!presence?.online) setSimPresence(hostAccountId, { online: true, game: DEMO_GAMES[0] });
        const maxMembers = 4;
        const sessionId = psn.startParty(hostAccountId, { joinability, maxMembers });
        parties.set(sessionId, {
          sessionId,
          hostAccountId,
          members: [hostAccountId],
          joinability,
          maxMembers,
        });
        note(`PSN: ${nameOfAccount(hostAccountId)} started a party (${joinability})`);
        await settle([hostAccountId], { presence: false, partyReads: 1 });
        return sessionId;
      },
      async joinParty(sessionId, accountId) {
        const party = mustParty(sessionId);
        if (party.members.includes(accountId)) return;
        if (party.members.length >= party.maxMembers) throw new Error("That party is full.");
        for (const p of parties.values()) if (p.members.includes(accountId)) leave(p, accountId);
        psn.joinParty(sessionId, accountId);
        party.members.push(accountId);
        note(`PSN: ${nameOfAccount(accountId)} joined ${nameOfAccount(party.hostAccountId)}'s party`);
        await settle(party.members, { presence: false, partyReads: 1 });
      },
      async leaveParty(sessionId, accountId) {
        const party = mustParty(sessionId);
        const before = [...party.members];
        leave(party, accountId);
        await settle(before, { presence: false, partyReads: parties.has(sessionId) ? 1 : readsToEnd });
      },
      async endParty(sessionId) {
        const party = mustParty(sessionId);
        psn.endParty(sessionId);
        parties.delete(sessionId);
        note(`PSN: ${nameOfAccount(party.hostAccountId)}'s party ended`);
        await settle(party.members, { presence: false, partyReads: readsToEnd });
      },
      async setJoinability(sessionId, joinability) {
        const party = mustParty(sessionId);
        psn.setJoinability(sessionId, joinability);
        party.joinability = joinability;
        note(`PSN: ${nameOfAccount(party.hostAccountId)}'s party is now ${joinability}`);
        await settle(party.members, { presence: false, partyReads: 1 });
      },
      async setPsnFailing(value) {
        failing = value;
        psn.clearFaults();
        if (value) {
          for (const endpoint of FAILING_ENDPOINTS) psn.fault(endpoint, { status: 503, times: Infinity });
        }
        note(value ? "PSN: answering 503 Service Unavailable to everything" : "PSN: back to normal");
        await app.poller.tick();
      },
      async passTime(ms) {
        advance(ms);
        note(`${Math.round(ms / 1000)} s passed`);
        await app.poller.tick();
      },
      async poll() {
        await app.poller.tick();
      },
      stop: runCleanup,
    };

    function leave(party: SandboxParty, accountId: string): void {
      if (!party.members.includes(accountId)) return;
      psn.leaveParty(party.sessionId, accountId);
      party.members = party.members.filter((m) => m !== accountId);
      note(`PSN: ${nameOfAccount(accountId)} left ${nameOfAccount(party.hostAccountId)}'s party`);
      if (party.members.length === 0) parties.delete(party.sessionId);
      else if (party.hostAccountId === accountId) party.hostAccountId = party.members[0]!;
    }

    // The admin sets the server up the way an operator would: through the real /config.
    const admin = members.find((m) => m.admin)!;
    await sandbox
      .slash(admin.user.id, { name: "config", subcommand: "channel", options: { channel: partyChannel.id } })
      .response();
    await sandbox
      .slash(admin.user.id, { name: "config", subcommand: "role", options: { role: partyRole.id } })
      .response();
    return sandbox;
  } catch (err) {
    await runCleanup();
    throw err;
  }
}

/** The label of the button with this custom_id in a message's components (Discord's JSON). */
export function buttonLabel(components: unknown, customId: string): string | undefined {
  const rows = Array.isArray(components)
    ? (components as Array<{ components?: Array<{ custom_id?: string; label?: string }> }>)
    : [];
  return rows.flatMap((row) => row.components ?? []).find((c) => c.custom_id === customId)?.label;
}

/** What mentions and channel links resolve to in the demo server, at the sandbox's time. */
export function namesOf(sandbox: Sandbox): Names {
  const { state } = sandbox.discord;
  return {
    user: (id) => state.user(id)?.username,
    role: (id) => state.roles.get(id)?.name,
    channel: (id) => state.channels.get(id)?.name,
    now: sandbox.now(),
  };
}
