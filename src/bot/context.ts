import type { Client, RESTPostAPIChatInputApplicationCommandsJSONBody } from "discord.js";
import type { LinkingDeps } from "../accounts/linking.js";
import type { Config } from "../config.js";
import type { Store } from "../db/store.js";
import type { Logger } from "../log.js";
import type { Metrics } from "../metrics.js";
import type { PsnClient } from "../psn/client.js";
import type { TokenManager } from "../psn/tokens.js";
import type { InviteClaims } from "./invites/claims.js";

/**
 * Everything a handler may use, passed explicitly so a test builds its own. The
 * composition root (src/app.ts) builds every service before the first interaction
 * can arrive, so every field is always there.
 */
export interface BotContext {
  db: Store;
  log: Logger;
  config: Config;
  /** The clock; handlers never read the system time directly. */
  now: () => Date;
  client: Client;
  /** The PSN reads and writes handlers make, each on a member's own token. */
  psn: Pick<PsnClient, "getPresence" | "sendInvitation">;
  /** Valid PSN access tokens per linked account; keys are PSN account ids. */
  tokens: TokenManager;
  /** What /link and the sign-in pages share: db, vault, PSN sign-in, notifier, public URL. */
  linking: LinkingDeps;
  /** Party cards, owned by the mirror (src/jobs); /unlink ends the member's cards through it. */
  cards: CardsHook;
  /** Invite requests being handled right now (the double-click guard). */
  inviteClaims: InviteClaims;
  /** This app's Prometheus metrics; the router counts interactions in it. */
  metrics: Metrics;
  /** The slash commands the router serves, as registered with Discord (for /help). */
  commands: readonly RESTPostAPIChatInputApplicationCommandsJSONBody[];
}

export interface CardsHook {
  /** Ends the open cards that showed this member and nobody else announced there. */
  endCardsOfUser(discordUserId: string): Promise<void>;
}
