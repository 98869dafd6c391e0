/**
 * The demo world the sandbox and `npm run sim` share: the Discord and PSN simulators, a
 * demo server whose members each have a PSN account to link (sim/cast.ts), and the
 * controls the view drives. Members act through the Discord simulator's real interaction
 * path; PSN changes go through the PSN simulator's control methods.
 *
 * The bot is not in here. The sandbox runs it in-process and attaches hooks so a PSN
 * change is seen at once (see sandbox.ts); under `npm run sim` the bot is `npm start` in
 * another process and sees changes on its own schedule.
 */
import { PermissionFlagsBits } from "discord.js";
import { freePort, linkButtonUrl, psnEnv } from "../sim/botEnv.js";
import { DEMO_FRIENDS, DEMO_GAMES, DEMO_GUILD_NAME, DEMO_MEMBERS, DEMO_OWNER } from "../sim/cast.js";
import {
  type CreatedGuild,
  type DiscordSim,
  type InteractionHandle,
  type SimChannel,
  type SimUser,
  startDiscordSim,
} from "../sim/discord/server.js";
import { DEFAULT_HOST, urlHost } from "../sim/host.js";
import { type PsnSim, type SimEndpoint, type SimJoinability, startPsnSim } from "../sim/psn/server.js";
import { defaultTrackerOptions } from "../src/jobs/partyTracker.js";
import type { Names } from "./discordJson.js";

export { DEMO_GAMES };

/** Fixed, like the application id, so a `.env.sim` written for one run reads the same in the next. */
export const SIM_BOT_TOKEN = "sim-bot-token.local-simulator.0123456789";
const SIM_APPLICATION_ID = "1300000000000000001";

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

/** What the world knows of a PSN party (it is the only one that changes parties). */
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

/** What the bot must have read before a PSN change counts as seen. */
export interface Needs {
  presence: boolean;
  partyReads: number;
}

/** How a bot running in the same process is told about PSN changes (the sandbox's). */
export interface BotHooks {
  /** Lets the bot read these accounts now, until it has read what `needs` says. */
  settle(accountIds: readonly string[], needs: Needs): Promise<void>;
  /** One poll now. */
  poll(): Promise<void>;
}

export interface WorldOptions {
  /** Where the simulators listen and what their URLs name (default 127.0.0.1). */
  host?: string;
  /** The clock of both simulators (real time by default). */
  now?: () => number;
  /** Fixed ports (0 or absent: any free one). */
  discordPort?: number;
  psnPort?: number;
  webPort?: number;
}

export interface DemoWorld {
  discord: DiscordSim;
  psn: PsnSim;
  guild: CreatedGuild;
  partyChannel: SimChannel;
  generalChannelId: string;
  partyRoleId: string;
  members: DemoMember[];
  friends: PsnFriend[];
  host: string;
  /** The bot's sign-in pages (its PUBLIC_BASE_URL): the world picks the port, as it goes into links. */
  webUrl: string;
  webPort: number;
  now(): number;
  activity(): readonly ActivityEntry[];
  note(text: string): void;
  parties(): readonly SandboxParty[];
  presence(accountId: string): PresenceState;
  psnFailing(): boolean;
  /** The online id of a member or PSN friend, or the account id of anyone else. */
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
  /** The bot's environment against this world, as `npm start` reads it (no key, no database). */
  botEnv(): Record<string, string>;
  attachBot(hooks: BotHooks): void;
  stop(): Promise<void>;
}

/** Every endpoint the poller and the invite button use: what "PSN is failing" breaks. */
const FAILING_ENDPOINTS: readonly SimEndpoint[] = ["presence", "parties", "partyInfo", "share", "invite"];

export async function startWorld(options: WorldOptions = {}): Promise<DemoWorld> {
  const cleanup: Array<() => unknown> = [];
  const runCleanup = async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  };
  try {
    const host = options.host ?? DEFAULT_HOST;
    const now = options.now ?? Date.now;
    const discord = await startDiscordSim({
      botToken: SIM_BOT_TOKEN,
      applicationId: SIM_APPLICATION_ID,
      botUserId: SIM_APPLICATION_ID,
      botUsername: "PartyBridge",
      host,
      now,
      ...(options.discordPort ? { port: options.discordPort } : {}),
    });
    cleanup.push(() => discord.stop());
    const psn = await startPsnSim({ now, host, ...(options.psnPort ? { port: options.psnPort } : {}) });
    cleanup.push(() => psn.close());

    // The demo server exists before the bot logs in, so it arrives with READY.
    const owner = discord.createUser({ username: DEMO_OWNER });
    const guild = discord.createGuild({ name: DEMO_GUILD_NAME, ownerId: owner.id });
    const adminRole = discord.createRole(guild.id, {
      name: "Admins",
      permissions: PermissionFlagsBits.ManageGuild,
    });
    const partyRole = discord.createRole(guild.id, { name: "Party people", permissions: 0n });
    const partyChannel = discord.createChannel(guild.id, { name: "parties" });

    const presences = new Map<string, PresenceState>();
    const members: DemoMember[] = DEMO_MEMBERS.map((p) => {
      const user = discord.createUser({ username: p.key });
      discord.addMember(guild.id, user.id, p.admin ? { roleIds: [adminRole.id] } : {});
      const account = psn.createAccount({ onlineId: p.onlineId });
      return { key: p.key, user, admin: p.admin, psn: account };
    });
    const friends: PsnFriend[] = DEMO_FRIENDS.map((f) => ({
      key: f.key,
      psn: psn.createAccount({ onlineId: f.onlineId }),
    }));
    const setSimPresence = (accountId: string, state: PresenceState) => {
      presences.set(accountId, state);
      psn.setPresence(accountId, {
        online: state.online,
        platform: "PS5",
        game: state.online && state.game ? { name: state.game } : null,
      });
    };
    for (const [i, m] of members.entries()) {
      const p = DEMO_MEMBERS[i]!;
      setSimPresence(m.psn.accountId, { online: p.online, game: p.game });
    }
    for (const [i, f] of friends.entries())
      setSimPresence(f.psn.accountId, { online: true, game: DEMO_FRIENDS[i]!.game });

    const webPort = options.webPort || (await freePort(host));
    const webUrl = `http://${urlHost(host)}:${webPort}`;

    const parties = new Map<string, SandboxParty>();
    const activity: ActivityEntry[] = [];
    let failing = false;
    let bot: BotHooks | null = null;
    const settle = (accountIds: readonly string[], needs: Needs) =>
      bot ? bot.settle(accountIds, needs) : Promise.resolve();
    const poll = () => (bot ? bot.poll() : Promise.resolve());

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
    // A channel, member or role option reads as Discord shows it, not as its id.
    const shownOption = (value: string | number | boolean): string => {
      if (typeof value !== "string") return String(value);
      const channel = discord.state.channels.get(value);
      if (channel) return `#${channel.name}`;
      const user = discord.state.user(value);
      if (user) return `@${user.username}`;
      const role = discord.state.roles.get(value);
      return role ? `@${role.name}` : value;
    };
    // A party missing from what its members' PSN shows ends after this many reads (a debounce).
    const readsToEnd = defaultTrackerOptions.missesToEnd;
    const mustParty = (sessionId: string) => {
      const p = parties.get(sessionId);
      if (!p) throw new Error("That party has ended.");
      return p;
    };
    function leave(party: SandboxParty, accountId: string): void {
      if (!party.members.includes(accountId)) return;
      psn.leaveParty(party.sessionId, accountId);
      party.members = party.members.filter((m) => m !== accountId);
      note(`PSN: ${nameOfAccount(accountId)} left ${nameOfAccount(party.hostAccountId)}'s party`);
      if (party.members.length === 0) parties.delete(party.sessionId);
      else if (party.hostAccountId === accountId) party.hostAccountId = party.members[0]!;
    }

    const world: DemoWorld = {
      discord,
      psn,
      guild,
      partyChannel,
      generalChannelId: guild.defaultChannelId,
      partyRoleId: partyRole.id,
      members,
      friends,
      host,
      webUrl,
      webPort,
      now,
      activity: () => activity,
      note,
      parties: () => [...parties.values()],
      presence: (accountId) => presences.get(accountId) ?? { online: false, game: null },
      psnFailing: () => failing,
      nameOfAccount,
      member,
      slash(userId, request) {
        const options = request.options ?? {};
        const shown = Object.entries(options).map(([k, v]) => `${k}:${shownOption(v)}`);
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
        const label = buttonLabel(message?.components, input.customId) ?? "a button";
        const where = channel?.guildId ? `in #${channel.name}` : "in a DM";
        note(`@${userName(userId)} pressed "${label}" ${where}`);
        return discord.clickButton({
          ...input,
          userId,
          ...(channel?.guildId ? { guildId: channel.guildId } : {}),
        });
      },
      async link(key) {
        const m = member(key);
        const seen = new Set(discord.dmMessages(m.user.id).map((x) => x.id));
        await world.slash(m.user.id, { name: "link" }).response();
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
        await poll();
      },
      botEnv: () => ({
        DISCORD_TOKEN: SIM_BOT_TOKEN,
        DISCORD_APPLICATION_ID: discord.applicationId,
        DISCORD_API_BASE_URL: discord.apiUrl,
        PUBLIC_BASE_URL: webUrl,
        WEB_HOST: host,
        WEB_PORT: String(webPort),
        ...psnEnv(psn),
      }),
      attachBot(hooks) {
        bot = hooks;
      },
      stop: runCleanup,
    };
    return world;
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

/** What mentions and channel links resolve to in the demo server, at the world's time. */
export function namesOf(world: DemoWorld): Names {
  const { state } = world.discord;
  return {
    user: (id) => state.user(id)?.username,
    role: (id) => state.roles.get(id)?.name,
    channel: (id) => state.channels.get(id)?.name,
    now: world.now(),
  };
}
