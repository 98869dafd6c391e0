/**
 * The composition root: every service is built here, once, in dependency order,
 * and handlers get a context whose fields are all present. Nothing below this file
 * wires anything into anything else.
 */
import { once } from "node:events";
import { type Client, Events, type RESTOptions } from "discord.js";
import type { LinkingDeps } from "./accounts/linking.js";
import { startRelinkReminderJob } from "./accounts/relinkJob.js";
import { handleRelinkRequired } from "./accounts/relinkReminders.js";
import { verifyTokenKeys } from "./accounts/tokenKeys.js";
import { createTokenStore } from "./accounts/tokenStore.js";
import {
  attachGuildLifecycle,
  attachMemberDepartures,
  attachMessageDeletions,
  createDiscordClient,
} from "./bot/client.js";
import { commands as defaultCommands } from "./bot/commands/index.js";
import { components as defaultComponents } from "./bot/components/index.js";
import type { BotContext } from "./bot/context.js";
import { createDiscordNotifier } from "./bot/directMessages.js";
import type { ButtonFamily, SlashCommand } from "./bot/handlers.js";
import { createMemoryInviteClaims } from "./bot/invites/claims.js";
import { botInviteUrl } from "./bot/permissions.js";
import { syncCommands } from "./bot/registration.js";
import { createRouter, type Router } from "./bot/router.js";
import { DiscordLoginTimeout, startupStep } from "./composition/startupErrors.js";
import type { Config } from "./config.js";
import { countOpenCards } from "./db/cards.js";
import { countPausedGuilds } from "./db/guilds.js";
import { createBudgetLedger } from "./db/psnBudget.js";
import { openStore, type Store } from "./db/store.js";
import { countUsersByLinkState } from "./db/users.js";
import type { PartySink } from "./domain/partyUpdate.js";
import { BoardWriter } from "./jobs/board/writer.js";
import { CardWriter } from "./jobs/cards/writer.js";
import { defaultFriendOptions, FriendWatch } from "./jobs/friendWatch.js";
import { memberLeft, sweepDepartedMembers } from "./jobs/memberLeft.js";
import type { BotView } from "./jobs/messages/protocol.js";
import { PartyDetailsCache } from "./jobs/partyDetails.js";
import { type PollCron, startPollCron } from "./jobs/pollCron.js";
import { Poller, type TickStats, type TokenSource } from "./jobs/poller.js";
import { PollHealth } from "./jobs/pollHealth.js";
import { SchedulePlanner } from "./jobs/pollPlan.js";
import { scheduleOptionsFor } from "./jobs/schedule.js";
import { WatchStateSaves } from "./jobs/watchSaves.js";
import { createLogger, type Logger, secretsOf } from "./log.js";
import { Metrics, type StoredState } from "./metrics.js";
import type { BudgetLedger } from "./psn/budget.js";
import { PsnClient } from "./psn/client.js";
import { createVault } from "./vault.js";
import { startMetricsServer, startWebServer, type WebServer } from "./web/server.js";

export interface StartAppOptions {
  log?: Logger;
  /** Register the slash commands when their definitions changed (default true). */
  registerCommands?: boolean;
  /** The commands and buttons to serve; tests add their own to the defaults. */
  commands?: readonly SlashCommand[];
  components?: readonly ButtonFamily[];
  now?: () => Date;
  /** Extra discord.js REST settings (tests shorten retries); the base URL comes from config. */
  rest?: Partial<RESTOptions>;
  /** false: the poller does not run on its schedule; tests drive `app.poller.tick()`. Default true. */
  schedulePolls?: boolean;
  /**
   * The PSN client's clock (budget, 429 pauses, token expiry); real time by default. An
   * accelerated run (npm run soak) sets it to its `now`, or a pause PSN asks for would be
   * waited out in real time while the poller's schedule races ahead. Left unset by tests
   * whose clock stands still during a tick, where a budget wait would never end.
   */
  psnClock?: () => number;
}

export interface App {
  ctx: BotContext;
  client: Client;
  router: Router;
  /** The sign-in pages and health check. */
  web: WebServer;
  /** The PSN watcher; `tick()` runs one poll now (after the running one), recorded for /healthz as a scheduled one is. */
  poller: { tick(): Promise<TickStats> };
  /** This app's Prometheus metrics, and where they are served (the web server, or METRICS_PORT's listener). */
  metrics: Metrics;
  metricsUrl: string;
  /** Stops everything started here, in reverse order. Safe to call more than once. */
  stop(): Promise<void>;
}

/** What startApp has started, each with how to undo it; undone in reverse order. */
type UndoList = Array<{ what: string; run: () => unknown }>;

/**
 * Starts the bot. Each step registers how to undo itself, so a failure half way
 * (a bad token, an unreachable Discord) leaves nothing running behind it.
 */
export async function startApp(config: Config, options: StartAppOptions = {}): Promise<App> {
  const log = options.log ?? createLogger({ level: config.logLevel });
  holdConfiguredSecrets(log, config);
  const now = options.now ?? (() => new Date());
  const undo: UndoList = [];
  const stopAll = async () => {
    for (const step of undo.splice(0).reverse()) {
      try {
        await step.run();
      } catch (err) {
        log.warn({ err }, `could not stop ${step.what} cleanly`);
      }
    }
  };

  try {
    // Storage: the store (schema brought up to date) and the vault for PSN tokens.
    const db = await startupStep({ step: "database", path: config.databasePath }, () =>
      openStore(config.databasePath),
    );
    undo.push({ what: "the database", run: () => db.close() });
    const vault = createVault(config.encryption.key, config.encryption.oldKey);
    // Before anything polls: tokens no configured key can read stop the start here.
    const { forget: lostKeyAccounts } = await verifyTokenKeys(db, vault, config.encryption.lostKeyIds);
    const metrics = new Metrics();
    metrics.observeState(() => storedState(db));

    // The two upstreams: Discord (not connected yet) and PSN.
    const client = createDiscordClient(config, { rest: options.rest });
    undo.push({ what: "the Discord client", run: () => client.destroy() });
    // Kept to the end: the client may still report trouble while it is being destroyed.
    logClientTrouble(client, log);
    const psn = createPsnClient(config, log, metrics, await createBudgetLedger(db), options.psnClock);
    undo.push({ what: "the PSN client", run: () => psn.close() });
    // What each account spent in the current window, before any PSN call is granted.
    await psn.budget.ready;

    // Accounts: linking, and the tokens of every linked member.
    const linking: LinkingDeps = {
      db,
      vault,
      psn,
      log: log.child({ component: "linking" }),
      now,
      publicBaseUrl: config.web.publicBaseUrl,
      notifier: createDiscordNotifier(client),
      metrics,
    };
    const tokens = psn.tokenManager({
      store: createTokenStore({ db, vault, log, now }),
      onRelinkRequired: (accountId, generation, cause) =>
        handleRelinkRequired(linking, accountId, generation, cause),
    });

    // The party mirror: cards written through the bot's REST, and the PSN watcher.
    const cards = new CardWriter({ db, rest: client.rest, bot: botView(client), log, now, metrics });
    // The presence board follows each poll pass, after the cards.
    const board = new BoardWriter({ db, rest: client.rest, bot: botView(client), log, now });
    const poller = composePoller(
      config,
      { db, psn, tokens, log, now, metrics },
      {
        apply: async (update) => {
          try {
            await cards.apply(update);
          } finally {
            await board.apply(update);
          }
        },
      },
    );
    const pollHealth = new PollHealth({ db, intervalSeconds: config.poll.intervalSeconds, now, metrics });
    const tick = () => pollHealth.record(poller.tick());

    // What handlers see.
    const router = createRouter({
      commands: options.commands ?? defaultCommands,
      components: options.components ?? defaultComponents,
    });
    const ctx: BotContext = {
      db,
      log,
      config,
      now,
      client,
      psn,
      tokens,
      linking,
      cards,
      inviteClaims: createMemoryInviteClaims(),
      commands: router.definitions,
      metrics,
    };

    // Listening: the sign-in pages (and /metrics unless it has a port of its own), then Discord's events.
    const ownMetricsPort = config.metrics.port !== null;
    const listen = { host: config.web.host, port: config.web.port };
    const web = await startupStep({ step: "web", ...listen }, () =>
      startWebServer(
        {
          linking,
          signinMode: config.psn.signinMode,
          log,
          describeUser: (id) => describeUser(client, id),
          health: async () => {
            const dbOk = await db.ping();
            return {
              discordReady: client.isReady(),
              dbOk,
              ...(dbOk ? { poller: await pollHealth.health() } : {}),
            };
          },
          ...(ownMetricsPort ? {} : { metrics }),
        },
        listen,
      ),
    );
    undo.push({ what: "the web server", run: () => web.close() });
    let metricsUrl = `${web.url}/metrics`;
    if (config.metrics.port !== null) {
      const metricsListen = { host: config.metrics.host, port: config.metrics.port };
      const server = await startupStep({ step: "metrics", ...metricsListen }, () =>
        startMetricsServer(metrics, metricsListen, log),
      );
      undo.push({ what: "the metrics server", run: () => server.close() });
      metricsUrl = `${server.url}/metrics`;
    }
    undo.push({ what: "the interaction router", run: router.attach(client, ctx) });
    undo.push({ what: "the server lifecycle", run: attachGuildLifecycle(client, ctx) });
    undo.push({
      what: "the card deletion listener",
      run: attachMessageDeletions(
        client,
        (messageId) => Promise.all([cards.messageDeleted(messageId), board.messageDeleted(messageId)]).then(),
        log,
      ),
    });
    const departures = { db, cards, log };
    undo.push({
      what: "the member departure listener",
      run: attachMemberDepartures(client, (guildId, userId) => memberLeft(departures, guildId, userId), log),
    });
    const reminders = startRelinkReminderJob(linking);
    undo.push({ what: "the re-link reminders", run: () => reminders.stop() });

    // The gateway, until every server has arrived; then the jobs that talk to members.
    await startupStep({ step: "discord", apiBaseUrl: config.discord.apiBaseUrl }, () =>
      logIn(client, config.discord.token, config.discord.loginTimeoutMs),
    );
    log.info({ user: client.user?.tag, guilds: client.guilds.cache.size }, "connected to Discord");
    if (client.guilds.cache.size === 0) {
      const inviteUrl = botInviteUrl(config.discord.applicationId);
      log.info({ inviteUrl }, `the bot is in no server yet; add it to yours: ${inviteUrl}`);
    }
    void reminders.runNow();
    void sweepDepartedMembers(departures, new Set(client.guilds.cache.keys()), (guildId, userIds) =>
      stillGuildMembers(client, guildId, userIds),
    ).catch((err: unknown) =>
      log.warn({ err }, "could not check for members who left while the bot was down"),
    );
    if (lostKeyAccounts.length > 0) {
      log.warn(
        { members: lostKeyAccounts.length, keyIds: config.encryption.lostKeyIds },
        "PSN tokens under a lost encryption key: asking those members to sign in again",
      );
      void forgetLostKeyLinks(linking, lostKeyAccounts);
    }
    let cron: PollCron | null = null;
    if (options.schedulePolls ?? true)
      cron = startPollCron({ intervalSeconds: config.poll.intervalSeconds, tick, log });
    // Registered last, so it stops first: no tick starts against a closing client.
    undo.push({
      what: "the poller",
      run: async () => {
        await cron?.stop();
        await poller.stop();
      },
    });

    // Slash commands, only when their definitions changed. A failure here leaves
    // the previous registration in place, so it is logged rather than fatal.
    if (options.registerCommands ?? true) {
      await syncCommands({
        db,
        rest: client.rest,
        log,
        applicationId: config.discord.applicationId,
        definitions: router.definitions,
        guildId: config.discord.devGuildId,
      }).catch((err: unknown) =>
        log.error({ err }, "could not register slash commands; will retry at next start"),
      );
    }

    let stopping: Promise<void> | undefined;
    return {
      ctx,
      client,
      router,
      web,
      poller: { tick },
      metrics,
      metricsUrl,
      stop: () => {
        stopping ??= stopAll();
        return stopping;
      },
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

/** The links a lost key made unreadable: each member is told once, as for a refused refresh. */
async function forgetLostKeyLinks(linking: LinkingDeps, accountIds: string[]): Promise<void> {
  for (const accountId of accountIds) {
    await handleRelinkRequired(linking, accountId).catch((err: unknown) =>
      linking.log.warn({ err }, "could not tell a member their link needs a new sign-in"),
    );
  }
}

/**
 * Which of these users Discord still lists in the server: a Request Guild Members over
 * the gateway (by user ids, so no privileged list and no REST budget), or null when
 * the server is not available or Discord does not answer in time.
 */
async function stillGuildMembers(
  client: Client,
  guildId: string,
  userIds: readonly string[],
): Promise<Set<string> | null> {
  const guild = client.guilds.cache.get(guildId);
  if (!guild?.available) return null;
  try {
    const found = await guild.members.fetch({ user: [...userIds], time: 30_000 });
    return new Set(found.keys());
  } catch {
    return null;
  }
}

/** The card writer's view of the bot, from the gateway's cache: who it is, what it may do in a channel. */
function botView(client: Client): BotView {
  return {
    userId: () => client.user?.id ?? null,
    permissionsIn: (channelId) => {
      const channel = client.channels.cache.get(channelId);
      const me = client.user;
      if (!channel || !me || !("permissionsFor" in channel)) return null;
      return channel.permissionsFor(me)?.bitfield ?? null;
    },
  };
}

/**
 * The PSN watcher and its helpers: the bot's schedule plans each tick, friends' batch
 * reads watch offline members, party details are asked once per party.
 */
function composePoller(
  config: Config,
  deps: { db: Store; psn: PsnClient; tokens: TokenSource; log: Logger; now: () => Date; metrics: Metrics },
  sink: PartySink,
): Poller {
  const { db, psn, tokens, log, now, metrics } = deps;
  const schedule = scheduleOptionsFor(config.poll.intervalSeconds);
  const pollerLog = log.child({ component: "poller" });
  const concurrency = config.poll.concurrency;
  return new Poller({
    db,
    psn,
    tokens,
    sink,
    log,
    now,
    concurrency,
    schedule,
    planner: new SchedulePlanner(db, schedule),
    details: new PartyDetailsCache(psn, pollerLog),
    friends: new FriendWatch(
      { db, psn, tokens, log: pollerLog, concurrency },
      defaultFriendOptions,
      schedule.tickMs,
    ),
    saves: new WatchStateSaves(db, log),
    metrics,
  });
}

function createPsnClient(
  config: Config,
  log: Logger,
  metrics: Metrics,
  budgetLedger: BudgetLedger,
  clock: (() => number) | undefined,
): PsnClient {
  return new PsnClient({
    ...(clock ? { now: clock } : {}),
    authBaseUrl: config.psn.authBaseUrl,
    apiBaseUrl: config.psn.apiBaseUrl,
    webBaseUrl: config.psn.webBaseUrl,
    dmsBaseUrl: config.psn.dmsBaseUrl,
    clientId: config.psn.clientId,
    clientSecret: config.psn.clientSecret,
    redirectUri: config.psn.redirectUri,
    scope: config.psn.scope,
    timeoutMs: config.psn.timeoutMs,
    budget: config.psn.budget,
    budgetLedger,
    // One socket per member polled at once, so the pool never caps the poller's concurrency.
    connections: Math.max(16, config.poll.concurrency),
    log,
    metrics,
  });
}

/** The configuration's secrets, scrubbed from the log by value for as long as the process runs. */
function holdConfiguredSecrets(log: Logger, config: Config): void {
  const keys = [config.encryption.key, config.encryption.oldKey].flatMap((k) =>
    k ? [k.toString("base64"), k.toString("base64url"), k.toString("hex")] : [],
  );
  secretsOf(log).hold(config.discord.token, config.psn.clientSecret, ...keys);
}

/** The stored-state gauges, read at each scrape. */
async function storedState(db: Store): Promise<StoredState> {
  return {
    membersByLinkState: await countUsersByLinkState(db),
    openCards: await countOpenCards(db),
    pausedServers: await countPausedGuilds(db),
  };
}

/** Who is linking, for the sign-in page: "Display (@name)", or "@name". */
async function describeUser(client: Client, discordUserId: string): Promise<string> {
  const user = await client.users.fetch(discordUserId);
  return user.globalName && user.globalName !== user.username
    ? `${user.globalName} (@${user.username})`
    : `@${user.username}`;
}

/**
 * Logs in and waits for every server to arrive, within `timeoutMs`: a Discord that
 * accepts connections and never answers would otherwise hold the start for a minute
 * and more (discord.js retries each REST call) and end in a bare AbortError.
 */
async function logIn(client: Client, token: string, timeoutMs: number): Promise<void> {
  const controller = new AbortController();
  const ready = once(client, Events.ClientReady, { signal: controller.signal });
  // Observed below; when login fails first, the abort must not surface as unhandled.
  ready.catch(() => {});
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DiscordLoginTimeout(timeoutMs)), timeoutMs);
  });
  try {
    await Promise.race([
      (async () => {
        await client.login(token);
        await ready;
      })(),
      deadline,
    ]);
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
}

/** discord.js throws on an `error` event nobody listens to; these are logged instead. */
function logClientTrouble(client: Client, log: Logger): void {
  client.on(Events.Error, (err) => log.error({ err }, "Discord client error"));
  client.on(Events.Warn, (message) => log.warn(message));
}
