import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PermissionFlagsBits } from "discord.js";
import { BOT_TOKEN, freePort, linkButtonUrl, psnEnv, testEnv } from "../../sim/botEnv.js";
import {
  type CreatedGuild,
  type DiscordSim,
  type InteractionHandle,
  type SimChannel,
  type SimUser,
  startDiscordSim,
} from "../../sim/discord/server.js";
import { type PsnSim, type PsnSimOptions, startPsnSim } from "../../sim/psn/server.js";
import { type App, type StartAppOptions, startApp } from "../../src/app.js";
import { type Config, parseConfig } from "../../src/config.js";
import { updateGuild } from "../../src/db/guilds.js";
import { type Logger, silentLogger } from "../../src/log.js";

/**
 * One world for every end-to-end test: the Discord simulator, a fresh SQLite file
 * in a temporary directory, and the real app (startApp) connected to the simulator.
 * New pieces (the PSN simulator, the web server) join here: an option in
 * WorldOptions, a field in World, a line in start and in stop.
 */

export interface WorldOptions {
  /** Extra or replaced environment variables, as an operator would set them. */
  env?: Record<string, string>;
  /** Passed to startApp (extra commands or buttons, registerCommands...). */
  app?: Omit<StartAppOptions, "log">;
  /** The app's logger; silent unless a test reads the logs. */
  log?: Logger;
  /** PSN simulator settings (e.g. short token lifetimes). */
  psn?: Omit<PsnSimOptions, "redirectUri" | "port">;
  /** How members sign in to PSN (default npsso). */
  signinMode?: "npsso" | "oauth";
  /**
   * The server shows party cards in #parties from the start, so its linked members are
   * watched (a member no server shows is never read). Off: a server not set up yet.
   */
  showParties?: boolean;
}

/** A PSN account of the simulator, linked to a Discord user of the world. */
export interface LinkedMember {
  user: SimUser;
  accountId: string;
  onlineId: string;
  npsso: string;
}

export interface SlashInput {
  subcommand?: string;
  options?: Record<string, string | number | boolean>;
  /** Defaults to the guild's first channel ("general"). */
  channelId?: string;
}

export interface World {
  discord: DiscordSim;
  app: App;
  config: Config;
  /** The server the bot is in, with the bot's managed role. */
  guild: CreatedGuild;
  /** Has Manage Server through the "Admins" role. */
  admin: SimUser;
  adminRoleId: string;
  /** A plain member without any role. */
  member: SimUser;
  /** An empty text channel named "parties". */
  partyChannel: SimChannel;
  /** The temporary directory holding the database file. */
  dir: string;
  psn: PsnSim;
  /** The bot's web server (sign-in pages), also PUBLIC_BASE_URL. */
  webUrl: string;
  /**
   * Links `user` to a new PSN account through the real flow: /link in the server,
   * the DM's button, the sign-in page, the NPSSO form (npsso mode only).
   */
  linkMember(user: SimUser, onlineId?: string): Promise<LinkedMember>;
  /** /link again and sign in to the same PSN account (throws unless the page says linked). */
  signInAgain(linked: LinkedMember): Promise<void>;
  /** Runs a slash command as `user` in the world's server. */
  slash(user: SimUser, name: string, input?: SlashInput): InteractionHandle;
  /** Stops the app and starts it again on the same database and simulator. */
  restartApp(app?: Omit<StartAppOptions, "log">): Promise<App>;
  stop(): Promise<void>;
}

export async function startWorld(options: WorldOptions = {}): Promise<World> {
  const cleanup: Array<() => unknown> = [];
  const runCleanup = async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  };

  try {
    const dir = mkdtempSync(join(tmpdir(), "ppb-e2e-"));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));

    const discord = await startDiscordSim({ botToken: BOT_TOKEN });
    cleanup.push(() => discord.stop());

    // The server exists before the bot logs in, so it arrives with READY.
    const owner = discord.createUser({ username: "owner" });
    const admin = discord.createUser({ username: "admin" });
    const member = discord.createUser({ username: "member" });
    const guild = discord.createGuild({ name: "PlayStation Friends", ownerId: owner.id });
    const adminRole = discord.createRole(guild.id, {
      name: "Admins",
      permissions: PermissionFlagsBits.ManageGuild,
    });
    discord.addMember(guild.id, admin.id, { roleIds: [adminRole.id] });
    discord.addMember(guild.id, member.id);
    const partyChannel = discord.createChannel(guild.id, { name: "parties" });

    // The public URL must be known before the app starts (it goes into links and the
    // OAuth redirect URI), so the web server's port is chosen here.
    const webPort = await freePort();
    const webUrl = `http://127.0.0.1:${webPort}`;
    const signinMode = options.signinMode ?? "npsso";
    const psn = await startPsnSim({
      ...options.psn,
      ...(signinMode === "oauth" ? { redirectUri: `${webUrl}/oauth/callback` } : {}),
    });
    cleanup.push(() => psn.close());

    const config = parseConfig({
      ...testEnv(discord.apiUrl, discord.applicationId, join(dir, "bot.sqlite")),
      PUBLIC_BASE_URL: webUrl,
      WEB_PORT: String(webPort),
      ...psnEnv(psn),
      PSN_SIGNIN_MODE: signinMode,
      ...options.env,
    });
    const log = options.log ?? silentLogger();
    const start = (app: Omit<StartAppOptions, "log"> = {}) =>
      startApp(config, { rest: { retries: 0, offset: 0 }, ...app, log });

    let app = await start(options.app);
    cleanup.push(() => app.stop());
    if (options.showParties) await updateGuild(app.ctx.db, guild.id, { channelId: partyChannel.id });

    /** /link, the DM's button, and the NPSSO form: the member's whole sign-in. */
    const signIn = async (user: SimUser, npsso: string, onlineId: string) => {
      const seen = new Set(discord.dmMessages(user.id).map((m) => m.id));
      await world.slash(user, "link").response();
      const dm = await discord.waitForDm(user.id, (m) => !seen.has(m.id));
      const answer = await fetch(linkButtonUrl(dm.components), {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ npsso }),
      });
      const page = await answer.text();
      if (!page.includes(`Linked as ${onlineId}`)) throw new Error(`linking failed: ${answer.status}`);
    };

    const world: World = {
      discord,
      get app() {
        return app;
      },
      config,
      guild,
      admin,
      adminRoleId: adminRole.id,
      member,
      partyChannel,
      dir,
      psn,
      webUrl,
      async linkMember(user, onlineId = `${user.username}_psn`) {
        const account = psn.createAccount({ onlineId });
        await signIn(user, account.npsso, onlineId);
        return { user, ...account };
      },
      async signInAgain(linked) {
        await signIn(linked.user, linked.npsso, linked.onlineId);
      },
      slash(user, name, input = {}) {
        return discord.runSlashCommand({
          guildId: guild.id,
          userId: user.id,
          name,
          ...(input.channelId ? { channelId: input.channelId } : {}),
          ...(input.subcommand ? { subcommand: input.subcommand } : {}),
          ...(input.options ? { options: input.options } : {}),
        });
      },
      async restartApp(next = options.app) {
        await app.stop();
        app = await start(next);
        return app;
      },
      stop: runCleanup,
    };
    return world;
  } catch (err) {
    await runCleanup();
    throw err;
  }
}

/** Polls a condition that has no event to await (e.g. a database row), up to `timeoutMs`. */
export async function eventually<T>(
  check: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  what: string,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== null && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export interface EmbedJson {
  title?: string;
  description?: string;
  fields?: { name: string; value: string }[];
}

/** The first embed of an answer, typed loosely as Discord's JSON. */
export function firstEmbed(answer: { embeds: unknown[] }): EmbedJson {
  const embed = answer.embeds[0];
  if (!embed || typeof embed !== "object") throw new Error("the answer has no embed");
  return embed as EmbedJson;
}

/** An embed's field values by field name. */
export function embedFields(answer: { embeds: unknown[] }): Record<string, string> {
  return Object.fromEntries((firstEmbed(answer).fields ?? []).map((f) => [f.name, f.value]));
}
