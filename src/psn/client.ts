/**
 * The one object the rest of the bot holds for PSN: it wires the HTTP layer, the
 * per-account budget and the endpoint functions. `auth` arguments are token
 * providers (see TokenManager.provider); their key is the account's budget key.
 */
import type { Logger } from "../log.js";
import type { Metrics } from "../metrics.js";
import {
  accountIdFromJwt,
  authorizeUrl,
  authorizeWithNpsso,
  exchangeCode,
  getOwnAccountId,
  type NpssoSource,
  npssoSource,
  type OAuthClientConfig,
  refreshTokens,
} from "./auth.js";
import { type BudgetLedger, RequestBudget } from "./budget.js";
import { getFriends } from "./friends.js";
import { PsnHttp, type RetryOptions, staticToken, type TokenProvider } from "./http.js";
import { sendInvitation } from "./invitations.js";
import { getParties } from "./parties.js";
import { getPresence, getPresences } from "./presence.js";
import { getProfile } from "./profile.js";
import { getPartyInfo, getShareLink } from "./share.js";
import { TokenManager, type TokenManagerOptions } from "./tokens.js";
import type { PartyInfo, Presence, Profile, PsnParty, TokenSet } from "./types.js";

export interface PsnClientOptions {
  authBaseUrl?: string;
  apiBaseUrl?: string;
  webBaseUrl?: string;
  dmsBaseUrl?: string;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  scope?: string;
  /** Per request; default 10 s. */
  timeoutMs?: number;
  /** Per account; default 300 requests per 15 minutes. */
  budget?: { requests?: number; windowMs?: number };
  /** Where each account's spending is kept across restarts (the database); in memory only without it. */
  budgetLedger?: BudgetLedger;
  /** Longest wait for a budget slot before failing with PsnRateLimitedError (source "budget"); default 60 s. */
  budgetMaxWaitMs?: number;
  /** Sockets kept per PSN host; default 16. The poller needs about its concurrency. */
  connections?: number;
  retry?: Partial<RetryOptions>;
  log: Logger;
  metrics?: Metrics;
  now?: () => number;
}

export interface SignIn {
  tokens: TokenSet;
  accountId: string;
  profile: Profile;
}

export const DEFAULT_SCOPE = "psn:mobile.v2.core psn:clientapp";

export class PsnClient {
  readonly http: PsnHttp;
  readonly budget: RequestBudget;
  private readonly oauth: OAuthClientConfig;
  private readonly now: () => number;
  private readonly log: Logger;
  private readonly metrics: Metrics | undefined;

  constructor(options: PsnClientOptions) {
    this.now = options.now ?? Date.now;
    this.log = options.log;
    this.metrics = options.metrics;
    this.oauth = {
      clientId: options.clientId,
      clientSecret: options.clientSecret,
      redirectUri: options.redirectUri,
      scope: options.scope ?? DEFAULT_SCOPE,
    };
    this.budget = new RequestBudget({ ...options.budget, now: this.now, ledger: options.budgetLedger });
    const baseUrls: Record<string, string> = {};
    if (options.authBaseUrl) baseUrls.auth = options.authBaseUrl;
    if (options.apiBaseUrl) baseUrls.api = options.apiBaseUrl;
    if (options.webBaseUrl) baseUrls.web = options.webBaseUrl;
    if (options.dmsBaseUrl) baseUrls.dms = options.dmsBaseUrl;
    this.http = new PsnHttp({
      baseUrls,
      timeoutMs: options.timeoutMs,
      retry: options.retry,
      budget: this.budget,
      budgetMaxWaitMs: options.budgetMaxWaitMs,
      connections: options.connections,
      log: options.log.child({ component: "psn" }),
      metrics: options.metrics,
      now: this.now,
    });
  }

  /** A TokenManager whose refreshes go through this client. */
  tokenManager(options: Omit<TokenManagerOptions, "refresher" | "now" | "log" | "metrics">): TokenManager {
    return new TokenManager({
      ...options,
      metrics: this.metrics,
      refresher: { refresh: (token, o) => this.refresh(token, o) },
      now: this.now,
      log: this.log.child({ component: "psn-tokens" }),
    });
  }

  authorizeUrl(state: string): string {
    return authorizeUrl(this.http.baseUrls.auth, this.oauth, state);
  }

  /** Where members get the NPSSO this client signs in with. */
  npssoSource(): NpssoSource {
    return npssoSource(this.http.baseUrls.auth);
  }

  /** NPSSO → tokens (PsnAuthError "invalid_npsso" when PSN refuses it). */
  async exchangeNpsso(npsso: string): Promise<TokenSet> {
    const code = await authorizeWithNpsso(this.http, this.oauth, npsso);
    return this.exchangeCode(code);
  }

  /** Authorization code → tokens (PsnAuthError "invalid_code" when refused). */
  exchangeCode(code: string): Promise<TokenSet> {
    return exchangeCode(this.http, this.oauth, code, this.now);
  }

  /** PsnAuthError "invalid_refresh_token" when PSN refuses it: the member must sign in again. */
  refresh(
    refreshToken: string,
    options: { budgetKey?: string; previous?: Pick<TokenSet, "refreshToken" | "refreshTokenExpiresAt"> } = {},
  ): Promise<TokenSet> {
    return refreshTokens(this.http, this.oauth, refreshToken, this.now, options);
  }

  /** From the JWT's `account_id` claim, else asked of PSN. */
  async accountIdOf(tokens: TokenSet): Promise<string> {
    return (
      accountIdFromJwt(tokens.accessToken) ??
      getOwnAccountId(this.http, staticToken("sign-in", tokens.accessToken))
    );
  }

  /** The whole sign-in of a member: tokens, account id and profile. */
  async signInWithNpsso(npsso: string): Promise<SignIn> {
    return this.identify(await this.exchangeNpsso(npsso));
  }

  async signInWithCode(code: string): Promise<SignIn> {
    return this.identify(await this.exchangeCode(code));
  }

  private async identify(tokens: TokenSet): Promise<SignIn> {
    const accountId = await this.accountIdOf(tokens);
    const profile = await this.getProfile(staticToken(accountId, tokens.accessToken), accountId);
    return { tokens, accountId, profile };
  }

  getProfile(auth: TokenProvider, accountId: string): Promise<Profile> {
    return getProfile(this.http, auth, accountId);
  }

  getPresence(auth: TokenProvider, accountId: string | "me"): Promise<Presence> {
    return getPresence(this.http, auth, accountId);
  }

  getPresences(auth: TokenProvider, accountIds: readonly string[]): Promise<Presence[]> {
    return getPresences(this.http, auth, accountIds);
  }

  /** The token's own friend list; PsnForbiddenError when it is private. */
  getFriends(auth: TokenProvider): Promise<string[]> {
    return getFriends(this.http, auth);
  }

  /** Each account's budget: requests in any window of `windowMs`. */
  budgetLimits(): { requests: number; windowMs: number } {
    return { requests: this.budget.requests, windowMs: this.budget.windowMs };
  }

  /** Requests the account may still make in the current budget window. */
  remainingBudget(accountId: string): number {
    return this.budget.remaining(accountId);
  }

  getParties(auth: TokenProvider): Promise<PsnParty[]> {
    return getParties(this.http, auth);
  }

  sendInvitation(auth: TokenProvider, sessionId: string, toAccountId: string): Promise<void> {
    return sendInvitation(this.http, auth, sessionId, toAccountId);
  }

  getShareLink(auth: TokenProvider, sessionId: string): Promise<string | null> {
    return getShareLink(this.http, auth, sessionId);
  }

  getPartyInfo(shareId: string): Promise<PartyInfo | null> {
    return getPartyInfo(this.http, shareId);
  }

  close(): Promise<void> {
    return this.http.close();
  }
}
