import type { Client } from "discord.js";
import type { LinkingDeps } from "../accounts/linking.js";
import type { Config } from "../config.js";
import type { Db } from "../db/client.js";
import type { Logger } from "../log.js";
import type { PsnClient } from "../psn/client.js";
import type { TokenProvider } from "../psn/http.js";
import type { TokenManager } from "../psn/tokens.js";

/**
 * Everything a handler may use, passed explicitly so a test builds its own.
 *
 * Services that arrive later (the PSN client, the link service, the announcer...)
 * are added here as optional fields, so the bot runs before they exist and each
 * handler checks for what it needs with `requireService`.
 */
export interface BotContext {
  db: Db;
  log: Logger;
  config: Config;
  /** The clock; handlers never read the system time directly. */
  now: () => Date;
  client: Client;
  /** Party cards: the /unlink hook ends the cards that showed the member (src/jobs/announcer.ts). */
  cards?: CardsHook;
  /** The party mirror's services, for the invite buttons (wired by startApp once PSN is configured). */
  mirror?: MirrorServices;
  /** The PSN client (sign-in, presence); wired by startApp. */
  psn?: PsnClient;
  /** Valid PSN access tokens per linked account; keys are PSN account ids. */
  tokens?: TokenManager;
  /** What /link and the sign-in pages share: db, vault, PSN sign-in, notifier, public URL. */
  linking?: LinkingDeps;
}

export interface CardsHook {
  endCardsOfUser(discordUserId: string): Promise<void>;
}

export interface MirrorServices {
  /** Sends PSN invitations on behalf of a linked member. */
  psn: { sendInvitation(auth: TokenProvider, sessionId: string, toAccountId: string): Promise<void> };
  /** Token providers by PSN account id (the TokenManager). */
  tokens: { provider(accountId: string): TokenProvider };
}

/** Fails loudly (as a bug, not a UserError) when a handler runs without a service it needs. */
export function requireService<T>(service: T | undefined | null, name: string): T {
  if (service === undefined || service === null) {
    throw new Error(`BotContext has no ${name}; startApp must wire it before this handler runs`);
  }
  return service;
}
