/**
 * Valid access tokens per account: refreshed ahead of expiry, one refresh at a
 * time per account however many callers ask, and a single relink signal when PSN
 * refuses the refresh token (the 60-day hard expiry, or a revoked sign-in).
 */
import { type Logger, silentLogger } from "../log.js";
import type { Metrics } from "../metrics.js";
import { PsnAuthError } from "./errors.js";
import type { TokenProvider } from "./http.js";
import type { TokenSet } from "./types.js";

/** Stored tokens, with the sign-in they descend from. */
export interface StoredTokens extends TokenSet {
  /** New on every sign-in. A refresh's result, or PSN's refusal of it, belongs to the generation it started from. */
  generation: number;
}

/**
 * What a store's load throws when the link's tokens are stored but cannot be read (a
 * damaged or half-written value, the key unchanged): the link is as dead as one whose
 * refresh PSN refused. Carries no part of the value.
 */
export class TokenUndecryptableError extends Error {
  constructor(
    readonly key: string,
    /** The sign-in whose tokens are unreadable. */
    readonly generation: number,
    readonly reason: string,
  ) {
    super(`stored PSN tokens no longer decrypt (${reason})`);
    this.name = "TokenUndecryptableError";
  }
}

/** Why a link needs a new sign-in. */
export type RelinkCause = "refused" | "undecryptable";

export interface TokenStore {
  /** The link's tokens; null when not linked; throws TokenUndecryptableError when they cannot be read. */
  load(key: string): StoredTokens | null | Promise<StoredTokens | null>;
  /**
   * Saves refreshed tokens over those of `generation`. False, and nothing saved, when
   * that generation is gone (the member signed in again, or unlinked) meanwhile.
   */
  save(key: string, tokens: TokenSet, generation: number): boolean | Promise<boolean>;
}

export interface TokenRefresher {
  refresh(
    refreshToken: string,
    options: { budgetKey: string; previous: Pick<TokenSet, "refreshToken" | "refreshTokenExpiresAt"> },
  ): Promise<TokenSet>;
}

export interface TokenManagerOptions {
  store: TokenStore;
  refresher: TokenRefresher;
  /**
   * Called once per refused refresh token, with the generation it belongs to: the
   * member must sign in again, unless they already did (a newer generation).
   */
  onRelinkRequired?: (key: string, generation: number, cause: RelinkCause) => void | Promise<void>;
  /** Refresh when the access token has less than this left. */
  marginMs?: number;
  now?: () => number;
  log?: Logger;
  metrics?: Metrics;
}

export class TokenManager {
  private readonly store: TokenStore;
  private readonly refresher: TokenRefresher;
  private readonly onRelinkRequired: (
    key: string,
    generation: number,
    cause: RelinkCause,
  ) => void | Promise<void>;
  private readonly marginMs: number;
  private readonly now: () => number;
  private readonly log: Logger;
  private readonly metrics: Metrics | undefined;
  private readonly inflight = new Map<string, Promise<string>>();
  /**
   * The last refresh per key, for a caller that loaded the old tokens just before
   * the refresh was saved: it must not refresh a second time.
   */
  private readonly recent = new Map<string, StoredTokens>();
  /** Refresh tokens PSN refused, so a dead link is reported once, not on every call. */
  private readonly dead = new Map<string, string>();

  constructor(options: TokenManagerOptions) {
    this.store = options.store;
    this.refresher = options.refresher;
    this.onRelinkRequired = options.onRelinkRequired ?? (() => {});
    this.marginMs = options.marginMs ?? 60_000;
    this.now = options.now ?? Date.now;
    this.log = options.log ?? silentLogger();
    this.metrics = options.metrics;
  }

  /** The token provider http uses for one account; `key` is also its budget key. */
  provider(key: string): TokenProvider {
    return {
      key,
      accessToken: () => this.accessToken(key),
      refreshAfterUnauthorized: (rejected) => this.refreshAfterUnauthorized(key, rejected),
    };
  }

  async accessToken(key: string): Promise<string> {
    const pending = this.inflight.get(key);
    if (pending) return pending;
    const tokens = await this.load(key);
    if (this.isFresh(tokens)) return tokens.accessToken;
    return this.refreshOnce(key, tokens);
  }

  /** After PSN refused `rejected` with 401: a newer token if someone already refreshed, else a refresh. */
  async refreshAfterUnauthorized(key: string, rejected: string): Promise<string> {
    const pending = this.inflight.get(key);
    if (pending) return pending;
    const tokens = await this.load(key);
    if (tokens.accessToken !== rejected && this.isFresh(tokens)) return tokens.accessToken;
    return this.refreshOnce(key, tokens);
  }

  private isFresh(tokens: TokenSet): boolean {
    return tokens.accessTokenExpiresAt.getTime() - this.marginMs > this.now();
  }

  private async load(key: string): Promise<StoredTokens> {
    const stored = await this.loadStored(key);
    const recent = this.recent.get(key);
    if (!stored) {
      this.recent.delete(key);
      throw new PsnAuthError("invalid_refresh_token", {}, "PSN sign-in problem: this account is not linked");
    }
    if (
      recent &&
      recent.generation === stored.generation &&
      recent.refreshToken === stored.refreshToken &&
      recent.accessTokenExpiresAt > stored.accessTokenExpiresAt
    ) {
      return recent;
    }
    if (recent) this.recent.delete(key);
    return stored;
  }

  /** The store's load; unreadable tokens end the link as a refused refresh does. */
  private async loadStored(key: string): Promise<StoredTokens | null> {
    try {
      return await this.store.load(key);
    } catch (err) {
      if (!(err instanceof TokenUndecryptableError)) throw err;
      // Reported once: the hook marks the link, after which the store loads nothing for it.
      this.recent.delete(key);
      this.metrics?.psnTokensUndecryptable.inc();
      this.log.warn(
        { account: key, reason: err.reason },
        "stored PSN tokens no longer decrypt: the member must link again",
      );
      try {
        await this.onRelinkRequired(key, err.generation, "undecryptable");
      } catch (hookErr) {
        this.log.error({ err: hookErr, account: key }, "onRelinkRequired failed");
      }
      throw new PsnAuthError(
        "invalid_refresh_token",
        {},
        "PSN sign-in problem: the stored tokens no longer decrypt",
      );
    }
  }

  private refreshOnce(key: string, tokens: StoredTokens): Promise<string> {
    const pending = this.inflight.get(key);
    if (pending) return pending;
    const run = this.refresh(key, tokens).finally(() => this.inflight.delete(key));
    this.inflight.set(key, run);
    return run;
  }

  private async refresh(key: string, tokens: StoredTokens): Promise<string> {
    if (this.dead.get(key) === tokens.refreshToken) throw new PsnAuthError("invalid_refresh_token");
    if (tokens.refreshTokenExpiresAt.getTime() <= this.now())
      return this.relink(key, tokens, new PsnAuthError("invalid_refresh_token"));
    let fresh: TokenSet;
    try {
      fresh = await this.refresher.refresh(tokens.refreshToken, { budgetKey: key, previous: tokens });
    } catch (err) {
      if (err instanceof PsnAuthError && err.reason === "invalid_refresh_token")
        return this.relink(key, tokens, err);
      this.metrics?.psnTokenRefreshes.inc({ outcome: "failed" });
      throw err;
    }
    this.metrics?.psnTokenRefreshes.inc({ outcome: "ok" });
    if (!(await this.store.save(key, fresh, tokens.generation))) return this.afterReplaced(key, tokens);
    this.recent.set(key, { ...fresh, generation: tokens.generation });
    this.dead.delete(key);
    this.log.debug({ account: key }, "PSN tokens refreshed");
    return fresh.accessToken;
  }

  /**
   * The refresh finished after the member signed in again (or unlinked): its outcome,
   * new tokens or a refusal, is dropped, and the caller gets the new sign-in's access
   * token instead.
   */
  private async afterReplaced(key: string, stale: StoredTokens): Promise<string> {
    this.log.info(
      { account: key },
      "a PSN refresh finished for a sign-in replaced meanwhile; its outcome is ignored",
    );
    const current = await this.load(key);
    if (current.generation === stale.generation)
      throw new Error(
        "refreshed PSN tokens could not be stored, though their sign-in is still the stored one",
      );
    if (this.isFresh(current)) return current.accessToken;
    return this.refresh(key, current);
  }

  private async relink(key: string, tokens: StoredTokens, err: PsnAuthError): Promise<string> {
    this.metrics?.psnTokenRefreshes.inc({ outcome: "refused" });
    // Refused, but for a sign-in the member has replaced meanwhile: the new one is not
    // condemned for it. (The relink hook checks the generation again, in the database.)
    const current = await this.loadStored(key).catch(() => null);
    if (current && current.generation !== tokens.generation) return this.afterReplaced(key, tokens);
    this.dead.set(key, tokens.refreshToken);
    this.recent.delete(key);
    this.log.info({ account: key }, "PSN refresh token refused: the member must link again");
    try {
      await this.onRelinkRequired(key, tokens.generation, "refused");
    } catch (hookErr) {
      this.log.error({ err: hookErr, account: key }, "onRelinkRequired failed");
    }
    throw err;
  }
}
