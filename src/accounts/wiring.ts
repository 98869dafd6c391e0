/**
 * startApp's linking step: the vault, the PSN client and its TokenManager (over the
 * users table), the linking service, the sign-in web server and the re-link
 * reminders. Kept here so app.ts stays a list of steps.
 */
import type Database from "better-sqlite3";
import type { BotContext } from "../bot/context.js";
import type { Config } from "../config.js";
import { PsnClient } from "../psn/client.js";
import { createVault } from "../vault.js";
import { startWebServer, type WebServer } from "../web/server.js";
import { createDiscordNotifier } from "./discordNotifier.js";
import type { LinkingDeps } from "./linking.js";
import { startRelinkReminderJob } from "./relinkJob.js";
import { handleRelinkRequired } from "./relinkReminders.js";
import { createTokenStore } from "./tokenStore.js";

export interface WireLinkingInput {
  config: Config;
  ctx: BotContext;
  sqlite: Database.Database;
  /** startApp's undo list: each step registers how to stop what it started. */
  undo: Array<{ what: string; run: () => unknown }>;
}

export interface WiredLinking {
  web: WebServer;
  /** Steps that need the gateway: the first reminder run. */
  afterLogin(): void;
}

export async function wireLinking({ config, ctx, sqlite, undo }: WireLinkingInput): Promise<WiredLinking> {
  const { log, db, client } = ctx;
  const vault = createVault(config.encryption.key, config.encryption.oldKey);
  const psn = new PsnClient({
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
    // One socket per member polled at once, so the pool never caps the poller's concurrency.
    connections: Math.max(16, config.poll.concurrency),
    log,
  });
  undo.push({ what: "the PSN client", run: () => psn.close() });

  const notifier = createDiscordNotifier(client);
  const linking: LinkingDeps = {
    db,
    vault,
    psn,
    log: log.child({ component: "linking" }),
    now: ctx.now,
    publicBaseUrl: config.web.publicBaseUrl,
    notifier,
  };
  const relinkDeps = { ...linking, notifier };
  const tokens = psn.tokenManager({
    store: createTokenStore({ db, vault, log, now: ctx.now }),
    onRelinkRequired: (accountId) => handleRelinkRequired(relinkDeps, accountId),
  });
  ctx.psn = psn;
  ctx.tokens = tokens;
  ctx.linking = linking;

  const web = await startWebServer(
    {
      linking,
      signinMode: config.psn.signinMode,
      log,
      describeUser: async (id) => {
        const user = await client.users.fetch(id);
        return user.globalName && user.globalName !== user.username
          ? `${user.globalName} (@${user.username})`
          : `@${user.username}`;
      },
      health: () => ({ discordReady: client.isReady(), dbOk: databaseAnswers(sqlite) }),
    },
    { host: config.web.host, port: config.web.port },
  );
  undo.push({ what: "the web server", run: () => web.close() });

  const reminders = startRelinkReminderJob(relinkDeps);
  undo.push({ what: "the re-link reminders", run: () => reminders.stop() });

  return {
    web,
    afterLogin: () => void reminders.runNow(),
  };
}

function databaseAnswers(sqlite: Database.Database): boolean {
  try {
    return sqlite.prepare("select 1 as ok").get() !== undefined;
  } catch {
    return false;
  }
}
