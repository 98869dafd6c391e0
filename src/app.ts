import { once } from "node:events";
import { type Client, Events, type RESTOptions } from "discord.js";
import { wireLinking } from "./accounts/wiring.js";
import { attachGuildLifecycle, createDiscordClient } from "./bot/client.js";
import { commands as defaultCommands } from "./bot/commands/index.js";
import { components as defaultComponents } from "./bot/components/index.js";
import type { BotContext } from "./bot/context.js";
import type { ButtonFamily, SlashCommand } from "./bot/handlers.js";
import { commandDefinitions, syncCommands } from "./bot/registration.js";
import { createRouter, type Router } from "./bot/router.js";
import type { Config } from "./config.js";
import { openDatabase } from "./db/client.js";
import type { Poller } from "./jobs/poller.js";
import { wireMirror } from "./jobs/wiring.js";
import { createLogger, type Logger } from "./log.js";
import type { WebServer } from "./web/server.js";

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
}

export interface App {
  ctx: BotContext;
  client: Client;
  router: Router;
  /** The sign-in pages and health check. */
  web: WebServer;
  /** The PSN watcher; `tick()` runs one poll now. */
  poller: Poller;
  /** Stops everything started here, in reverse order. Safe to call more than once. */
  stop(): Promise<void>;
}

/**
 * Starts the bot: each step below registers how to undo itself, so a failure half
 * way (a bad token, an unreachable Discord) leaves nothing running behind it.
 */
export async function startApp(config: Config, options: StartAppOptions = {}): Promise<App> {
  const log = options.log ?? createLogger({ level: config.logLevel });
  const undo: Array<{ what: string; run: () => unknown }> = [];
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
    // 1. Database, schema brought up to date.
    const database = openDatabase(config.databasePath);
    undo.push({ what: "the database", run: () => database.close() });

    // 2. Discord client and the context every handler receives.
    const client = createDiscordClient(config, { rest: options.rest });
    undo.push({ what: "the Discord client", run: () => client.destroy() });
    // Kept to the end: the client may still report trouble while it is being destroyed.
    logClientTrouble(client, log);
    const ctx: BotContext = { db: database.db, log, config, now: options.now ?? (() => new Date()), client };

    // 2b. PSN client, token manager over the encrypted users table, linking, the web server.
    const linking = await wireLinking({ config, ctx, sqlite: database.sqlite, undo });
    // 2c. The party mirror: announcer, poller, invite services (the poller starts after login).
    const mirror = wireMirror({ config, ctx, undo, schedule: options.schedulePolls ?? true });

    // 3. What the bot listens to: interactions, servers joined and left.
    const router = createRouter({
      ctx,
      commands: options.commands ?? defaultCommands,
      components: options.components ?? defaultComponents,
    });
    undo.push({ what: "the interaction router", run: router.attach(client) });
    undo.push({ what: "the server lifecycle", run: attachGuildLifecycle(client, ctx) });

    // 4. Gateway connection, until every server has arrived.
    await logIn(client, config.discord.token);
    log.info({ user: client.user?.tag, guilds: client.guilds.cache.size }, "connected to Discord");
    linking.afterLogin();
    mirror.afterLogin();

    // 5. Slash commands, only when their definitions changed. A failure here leaves
    // the previous registration in place, so it is logged rather than fatal.
    if (options.registerCommands ?? true) {
      await syncCommands({
        db: ctx.db,
        rest: client.rest,
        log,
        applicationId: config.discord.applicationId,
        definitions: commandDefinitions(router.commands),
      }).catch((err: unknown) =>
        log.error({ err }, "could not register slash commands; will retry at next start"),
      );
    }

    let stopping: Promise<void> | undefined;
    return {
      ctx,
      client,
      router,
      web: linking.web,
      poller: mirror.poller,
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

async function logIn(client: Client, token: string): Promise<void> {
  const controller = new AbortController();
  const ready = once(client, Events.ClientReady, { signal: controller.signal });
  // Observed below; when login fails first, the abort must not surface as unhandled.
  ready.catch(() => {});
  try {
    await client.login(token);
    await ready;
  } finally {
    controller.abort();
  }
}

/** discord.js throws on an `error` event nobody listens to; these are logged instead. */
function logClientTrouble(client: Client, log: Logger): void {
  client.on(Events.Error, (err) => log.error({ err }, "Discord client error"));
  client.on(Events.Warn, (message) => log.warn(message));
}
