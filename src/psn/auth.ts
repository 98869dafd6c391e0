/**
 * Sign-in: NPSSO → authorization code → tokens, refresh, the browser redirect URL,
 * and the account id of a token.
 */
import { PsnAuthError, PsnBadRequestError, type PsnError, PsnMalformedError } from "./errors.js";
import type { PsnHttp, RawAnswer, TokenProvider } from "./http.js";
import { accountsMe, oauthErrorBody, type TokenResponse, tokenResponse } from "./schemas.js";
import type { TokenSet } from "./types.js";

export interface OAuthClientConfig {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  scope: string;
}

const AUTHORIZE_PATH = "/api/authz/v3/oauth/authorize";
const TOKEN_PATH = "/api/authz/v3/oauth/token";
/** PSN's "user is not authenticated" on the sign-in redirect. */
const LOGIN_REQUIRED_CODE = "4165";

function authorizeQuery(config: OAuthClientConfig, state?: string): Record<string, string> {
  const query: Record<string, string> = {
    access_type: "offline",
    client_id: config.clientId,
    redirect_uri: config.redirectUri,
    response_type: "code",
    scope: config.scope,
  };
  if (state !== undefined) query.state = state;
  return query;
}

/** PSN's own sign-in, where a member's browser gets its NPSSO cookie. */
export const PSN_AUTH_BASE_URL = "https://ca.account.sony.com";

/** Where a member signs in and then reads their NPSSO, for the sign-in page's instructions. */
export interface NpssoSource {
  /** The page to sign in on, and its name as the instructions say it. */
  signInUrl: string;
  signInName: string;
  /** The page showing `{"npsso":"…"}` to a signed-in browser. */
  ssocookieUrl: string;
}

/**
 * The NPSSO comes from the same sign-in server the bot exchanges it at: PlayStation's
 * site for PSN itself, the stand-in's own pages for anything else (the simulator), so a
 * member of a bot pointed at a simulator is never sent to playstation.com for a value
 * the simulator would refuse.
 */
export function npssoSource(authBaseUrl: string): NpssoSource {
  const base = authBaseUrl.replace(/\/+$/, "");
  const ssocookieUrl = `${base}/api/v1/ssocookie`;
  if (base === PSN_AUTH_BASE_URL) {
    return { signInUrl: "https://www.playstation.com/", signInName: "playstation.com", ssocookieUrl };
  }
  return { signInUrl: `${base}/`, signInName: new URL(base).host, ssocookieUrl };
}

/** Where to send a browser for the OAuth redirect sign-in. */
export function authorizeUrl(authBaseUrl: string, config: OAuthClientConfig, state: string): string {
  const url = new URL(AUTHORIZE_PATH, authBaseUrl);
  for (const [k, v] of Object.entries(authorizeQuery(config, state))) url.searchParams.set(k, v);
  return url.toString();
}

/** NPSSO → one-time authorization code, read from the 302 that PSN sends back. */
export async function authorizeWithNpsso(
  http: PsnHttp,
  config: OAuthClientConfig,
  npsso: string,
): Promise<string> {
  const trimmed = npsso.trim();
  // Also keeps anything that could break the Cookie header out of it.
  if (!/^[A-Za-z0-9._~-]{1,512}$/.test(trimmed))
    throw new PsnAuthError("invalid_npsso", { endpoint: "authorize" });
  const answer = await http.send({
    endpoint: "authorize",
    host: "auth",
    method: "GET",
    path: AUTHORIZE_PATH,
    query: authorizeQuery(config),
    headers: { cookie: `npsso=${trimmed}` },
    accept: (s) => s >= 300 && s < 400,
  });
  return codeFromRedirect(answer);
}

/** Pure: the code in a redirect's Location, or the typed reason there is none. */
export function codeFromRedirect(answer: Pick<RawAnswer, "headers" | "status" | "requestId">): string {
  const details = { endpoint: "authorize", status: answer.status, requestId: answer.requestId };
  const location = answer.headers.location;
  if (!location) throw new PsnMalformedError("PSN authorize: redirect without a Location", details);
  let url: URL;
  try {
    url = new URL(location);
  } catch {
    throw new PsnMalformedError("PSN authorize: redirect to an unreadable Location", details);
  }
  const code = url.searchParams.get("code");
  if (code) return code;
  const errorCode = url.searchParams.get("error_code");
  const error = url.searchParams.get("error");
  if (errorCode === LOGIN_REQUIRED_CODE || error === "login_required")
    throw new PsnAuthError("invalid_npsso", details);
  throw new PsnMalformedError(`PSN authorize: redirect without a code${error ? ` (${error})` : ""}`, details);
}

function basicAuth(config: OAuthClientConfig): string {
  return `Basic ${Buffer.from(`${config.clientId}:${config.clientSecret}`).toString("base64")}`;
}

function tokenErrorMapper(reason: "invalid_code" | "invalid_refresh_token") {
  return (answer: RawAnswer): PsnError | undefined => {
    const parsed = oauthErrorBody.safeParse(answer.json);
    if (!parsed.success) return undefined;
    const details = { endpoint: "token", status: answer.status, requestId: answer.requestId };
    if (parsed.data.error === "invalid_grant") return new PsnAuthError(reason, details);
    if (parsed.data.error === "invalid_client" || parsed.data.error === "unauthorized_client") {
      return new PsnBadRequestError(
        "PSN token: the client id or secret was refused; check the PSN client settings",
        details,
      );
    }
    return new PsnBadRequestError(`PSN token: ${parsed.data.error}`, details);
  };
}

export function toTokenSet(
  wire: TokenResponse,
  now: number,
  previous: { refreshToken?: string; refreshTokenExpiresAt?: Date } = {},
): TokenSet {
  const refreshToken = wire.refresh_token ?? previous.refreshToken;
  const refreshExpiresAt =
    wire.refresh_token_expires_in !== undefined
      ? new Date(now + wire.refresh_token_expires_in * 1000)
      : previous.refreshTokenExpiresAt;
  if (!refreshToken || !refreshExpiresAt) {
    throw new PsnMalformedError("PSN token: the answer has no refresh token", { endpoint: "token" });
  }
  return {
    accessToken: wire.access_token,
    accessTokenExpiresAt: new Date(now + wire.expires_in * 1000),
    refreshToken,
    refreshTokenExpiresAt: refreshExpiresAt,
  };
}

/** One grant at the token endpoint: the form differs, the request and its error mapping do not. */
async function tokenGrant(
  http: PsnHttp,
  config: OAuthClientConfig,
  form: Record<string, string>,
  failure: "invalid_code" | "invalid_refresh_token",
  budgetKey?: string,
): Promise<TokenResponse> {
  const wire = await http.json(
    {
      endpoint: "token",
      host: "auth",
      method: "POST",
      path: TOKEN_PATH,
      headers: { authorization: basicAuth(config) },
      body: { form: { ...form, token_format: "jwt" } },
      budgetKey,
      mapError: tokenErrorMapper(failure),
    },
    tokenResponse,
  );
  // Before they are ever sent: a failure right after sign-in may quote them.
  http.secrets.remember(wire.access_token, wire.refresh_token, wire.id_token);
  return wire;
}

export async function exchangeCode(
  http: PsnHttp,
  config: OAuthClientConfig,
  code: string,
  now: () => number,
): Promise<TokenSet> {
  const wire = await tokenGrant(
    http,
    config,
    { code, redirect_uri: config.redirectUri, grant_type: "authorization_code" },
    "invalid_code",
  );
  return toTokenSet(wire, now());
}

export interface RefreshOptions {
  /** Counts the refresh against this account's budget. */
  budgetKey?: string;
  /** Kept when PSN's answer leaves the refresh token or its expiry out. */
  previous?: Pick<TokenSet, "refreshToken" | "refreshTokenExpiresAt">;
}

export async function refreshTokens(
  http: PsnHttp,
  config: OAuthClientConfig,
  refreshToken: string,
  now: () => number,
  options: RefreshOptions = {},
): Promise<TokenSet> {
  const wire = await tokenGrant(
    http,
    config,
    { refresh_token: refreshToken, grant_type: "refresh_token", scope: config.scope },
    "invalid_refresh_token",
    options.budgetKey,
  );
  return toTokenSet(wire, now(), options.previous ?? { refreshToken });
}

/** The `account_id` claim of a PSN JWT; the signature is not checked (we only read our own token). */
export function accountIdFromJwt(token: string): string | null {
  const payload = token.split(".")[1];
  if (!payload) return null;
  try {
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as unknown;
    if (typeof claims !== "object" || claims === null) return null;
    const id = (claims as Record<string, unknown>).account_id;
    if (typeof id === "string" && /^\d{1,20}$/.test(id)) return id;
    if (typeof id === "number" && Number.isSafeInteger(id)) return String(id);
    return null;
  } catch {
    return null;
  }
}

export async function getOwnAccountId(http: PsnHttp, auth: TokenProvider): Promise<string> {
  const wire = await http.json(
    { endpoint: "accountsMe", host: "dms", method: "GET", path: "/api/v1/devices/accounts/me", auth },
    accountsMe,
  );
  return wire.accountId;
}
