/**
 * A PSN simulator: one real HTTP server on 127.0.0.1 answering the paths of all
 * four PSN hosts (auth, api, web, dms) with the shapes of psn-api.md, plus a
 * control API (methods on the returned object, and JSON under `/_sim/`).
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { z } from "zod";
import { type Logger, silentLogger } from "../../src/log.js";
import { urlHost } from "../host.js";
import {
  addExtraFields,
  defaultErrorBody,
  dropOptionalFields,
  ECHO_SHAPES,
  ENDPOINTS,
  echoBody,
  FaultBook,
  type FaultSpec,
  requestSecrets,
  type SimEndpoint,
  withUnknownEnums,
} from "./faults.js";
import { partyBody, partyInfoBody, presenceBody, profileBody, shareBody } from "./shapes.js";
import {
  type PartyInput,
  type PresenceInput,
  type SimInvitation,
  type SimJoinability,
  type SimParty,
  SimWorld,
} from "./world.js";

export type { FaultSpec, SimEndpoint } from "./faults.js";
export type { PartyInput, PresenceInput, SimInvitation, SimJoinability } from "./world.js";

/** Sony's page showing a signed-in browser its NPSSO cookie. */
const SSOCOOKIE_PATH = "/api/v1/ssocookie";

export interface PsnSimOptions {
  /** Access token lifetime; PSN's is 3599 s. */
  accessTokenTtlSec?: number;
  /** Refresh token lifetime; PSN's is about 60 days. */
  refreshTokenTtlSec?: number;
  clientId?: string;
  clientSecret?: string;
  /** The redirect URI the simulated client is registered with (others are refused). */
  redirectUri?: string;
  scope?: string;
  /** Added to every request (for benchmarks). */
  latencyMs?: number;
  /**
   * PSN's own per-account limit on authenticated calls, in any sliding window; past it,
   * 429 with `Retry-After` and `X-RateLimit-Next-Available`. Default: what psn-api.md
   * says is believed real, 300 per 15 minutes. `false` turns it off (benchmarks).
   */
  budget?: SimBudget | false;
  /** The simulator's clock (tokens, the budget, request times); real time by default. */
  now?: () => number;
  /** The dice for faults with a `rate` (default Math.random). */
  random?: () => number;
  port?: number;
  /** The address it listens on (default 127.0.0.1), and the one its URL names (see urlHost). */
  host?: string;
  log?: Logger;
}

export interface SimBudget {
  requests: number;
  windowMs: number;
}

/** psn-api.md §4: "about 300 requests per 15 minutes per account". */
export const PSN_BUDGET: SimBudget = { requests: 300, windowMs: 15 * 60_000 };

/** A request held at the simulator (see PsnSim.hold). */
export interface SimHold {
  /** Resolves once the request has arrived and is waiting. */
  readonly arrived: Promise<void>;
  /** Lets it go on: it is answered as the simulator's world is then (a token revoked meanwhile is refused). */
  release(): void;
}

export interface SimRequest {
  method: string;
  path: string;
  endpoint: SimEndpoint | null;
  accountId?: string;
  /** The accounts a batch presence read listed. */
  accountIds?: string[];
  status: number;
  at: Date;
}

export interface PsnSim {
  /** Base URL for every PSN host (auth, api, web, dms). */
  readonly url: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly redirectUri: string;
  readonly scope: string;
  createAccount(input: { onlineId: string; accountId?: string; npsso?: string }): {
    accountId: string;
    onlineId: string;
    npsso: string;
  };
  setPresence(accountId: string, presence: PresenceInput): void;
  startParty(hostAccountId: string, party: PartyInput): string;
  joinParty(sessionId: string, accountId: string): void;
  leaveParty(sessionId: string, accountId: string): void;
  endParty(sessionId: string): void;
  setJoinability(sessionId: string, joinability: SimJoinability): void;
  /** The share link PSN would give for the party, or null. */
  shareUrl(sessionId: string): string | null;
  invitations(toAccountId?: string): SimInvitation[];
  /** Makes two accounts PSN friends (both ways, as PSN does). */
  befriend(a: string, b: string): void;
  unfriend(a: string, b: string): void;
  /** A private friend list answers 403 to the friends endpoint. */
  setFriendListPrivate(accountId: string, isPrivate: boolean): void;
  /** Hidden presence: left out of every other account's batch presence answer, friends' included. */
  setPresenceHidden(accountId: string, hidden: boolean): void;
  requests(): SimRequest[];
  resetRequests(): void;
  revokeRefreshToken(accountId: string): void;
  /** Every account's access tokens, or one account's. */
  expireAccessTokens(accountId?: string): void;
  fault(endpoint: SimEndpoint, spec: FaultSpec): void;
  clearFaults(): void;
  /** Every secret an `echoSecrets` fault has quoted back so far, for a test to look for in logs. */
  echoedSecrets(): string[];
  /**
   * Holds the next request to `endpoint` until released, so a test can act while it is
   * in flight (e.g. a member signs in again during a token refresh). Later requests pass.
   */
  hold(endpoint: SimEndpoint): SimHold;
  close(): Promise<void>;
}

interface Reply {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
  /** Sent as-is instead of `body`. */
  raw?: string;
}

interface Ctx {
  req: IncomingMessage;
  url: URL;
  params: string[];
  text: string;
  /** The bearer token's account, on routes that need one. */
  caller: string;
  /** Set by a handler to attribute an unauthenticated request in the log. */
  accountId?: string;
}

interface Route {
  endpoint: SimEndpoint;
  method: string;
  pattern: RegExp;
  bearer: boolean;
  handle: (ctx: Ctx) => Reply;
  /**
   * Whose request this is when no bearer token says so, known before it is answered: the
   * request log names the account even when the answer is a fault or a refusal, as PSN's
   * own records would.
   */
  owner?: (ctx: Ctx) => string | null;
}

const JSON_TYPE = "application/json;charset=UTF-8";

function apiError(status: number, code: number, message: string): Reply {
  return { status, body: { error: { referenceId: randomUUID(), code, message } } };
}

function oauthError(status: number, error: string, description: string, errorCode?: number): Reply {
  return {
    status,
    body: { error, error_description: description, ...(errorCode ? { error_code: errorCode } : {}) },
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

export async function startPsnSim(options: PsnSimOptions = {}): Promise<PsnSim> {
  const clientId = options.clientId ?? "09515159-7237-4370-9b40-3806e67c0891";
  const clientSecret = options.clientSecret ?? "sim-client-secret";
  const redirectUri = options.redirectUri ?? "com.scee.psxandroid.scecompcall://redirect";
  const scope = options.scope ?? "psn:mobile.v2.core psn:clientapp";
  const log = options.log ?? silentLogger();
  const now = options.now ?? Date.now;
  const host = options.host ?? "127.0.0.1";
  const world = new SimWorld({
    accessTokenTtlSec: options.accessTokenTtlSec ?? 3599,
    refreshTokenTtlSec: options.refreshTokenTtlSec ?? 5_183_999,
    clientId,
    scope,
    now,
  });
  const budget = options.budget === false ? null : new SlidingBudget(options.budget ?? PSN_BUDGET, now);
  const faults = new FaultBook(options.random);
  const echoed: string[] = [];
  let requestLog: SimRequest[] = [];
  const holds: Array<{
    endpoint: SimEndpoint;
    taken: boolean;
    arrive: () => void;
    gate: Promise<void>;
    release: () => void;
  }> = [];
  const timers = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();
  let closing = false;
  let baseUrl = "";

  const delay = (ms: number) =>
    new Promise<void>((resolve) => {
      if (closing || ms <= 0) return resolve();
      const entry = {
        timer: setTimeout(() => {
          timers.delete(entry);
          resolve();
        }, ms),
        resolve,
      };
      timers.add(entry);
    });

  const memberOnly = (party: SimParty, caller: string): Reply | null =>
    party.members.includes(caller) ? null : apiError(403, 2281486, "Not permitted by access control");

  const routes: Route[] = [
    {
      endpoint: "authorize",
      method: "GET",
      pattern: /^\/api\/authz\/v3\/oauth\/authorize$/,
      bearer: false,
      handle: (ctx) => {
        const q = ctx.url.searchParams;
        if (q.get("client_id") !== clientId || q.get("response_type") !== "code") {
          return oauthError(400, "invalid_client", "Unknown client or response type", 4102);
        }
        const redirect = q.get("redirect_uri");
        if (redirect !== redirectUri)
          return oauthError(400, "invalid_request", "redirect_uri is not registered", 4100);
        const cookie = ctx.req.headers.cookie ?? "";
        const npsso = /(?:^|;\s*)npsso=([^;]+)/.exec(cookie)?.[1];
        if (npsso === undefined) {
          // A browser without a Sony session: the simulator's stand-in for Sony's sign-in page.
          const signin = new URL("/_sim/signin", baseUrl);
          for (const [k, v] of q) signin.searchParams.set(k, v);
          return { status: 302, headers: { location: signin.toString() } };
        }
        const account = world.accountByNpsso(npsso);
        if (!account) {
          const signin = new URL("https://my.account.sony.com/sonyacct/signin/");
          signin.search = new URLSearchParams({
            duid: `0000000d00040080${randomUUID().replaceAll("-", "")}`,
            response_type: "code",
            client_id: clientId,
            scope: q.get("scope") ?? scope,
            redirect_uri: redirect,
            auth_ver: "v3",
            error: "login_required",
            error_code: "4165",
            error_description: "User is not authenticated",
            no_captcha: "true",
            cid: randomUUID(),
          }).toString();
          return { status: 302, headers: { location: signin.toString() } };
        }
        ctx.accountId = account.accountId;
        return {
          status: 302,
          headers: { location: codeRedirect(account.accountId, redirect, q.get("state")) },
        };
      },
    },
    {
      endpoint: "token",
      method: "POST",
      pattern: /^\/api\/authz\/v3\/oauth\/token$/,
      bearer: false,
      owner: (ctx) => {
        const form = new URLSearchParams(ctx.text);
        return form.get("grant_type") === "refresh_token"
          ? world.refreshTokenOwner(form.get("refresh_token") ?? "")
          : null;
      },
      handle: (ctx) => {
        const expected = `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString("base64")}`;
        if (ctx.req.headers.authorization !== expected) {
          return oauthError(401, "invalid_client", "Bad client credentials", 4102);
        }
        const form = new URLSearchParams(ctx.text);
        const grant = form.get("grant_type");
        if (grant === "authorization_code") {
          const accountId = world.redeemCode(form.get("code") ?? "", form.get("redirect_uri") ?? "");
          if (!accountId) return oauthError(400, "invalid_grant", "Invalid authorization code", 4152);
          ctx.accountId = accountId;
          return { status: 200, body: world.issueTokens(accountId) };
        }
        if (grant === "refresh_token") {
          const refresh = form.get("refresh_token") ?? "";
          const accountId = world.refreshTokenAccount(refresh);
          if (!accountId) return oauthError(400, "invalid_grant", "Invalid refresh token");
          ctx.accountId = accountId;
          return { status: 200, body: world.issueTokens(accountId, refresh) };
        }
        return oauthError(400, "unsupported_grant_type", "Unsupported grant type");
      },
    },
    {
      endpoint: "accountsMe",
      method: "GET",
      pattern: /^\/api\/v1\/devices\/accounts\/me$/,
      bearer: true,
      handle: (ctx) => ({ status: 200, body: { accountId: ctx.caller } }),
    },
    {
      endpoint: "profile",
      method: "GET",
      pattern: /^\/api\/userProfile\/v1\/internal\/users\/([^/]+)\/profiles$/,
      bearer: true,
      handle: (ctx) => {
        const id = ctx.params[0] === "me" ? ctx.caller : ctx.params[0]!;
        const account = world.accounts.get(id);
        if (!account) return apiError(404, 2105356, "User not found");
        return { status: 200, body: profileBody(account, ctx.caller) };
      },
    },
    {
      endpoint: "presence",
      method: "GET",
      pattern: /^\/api\/userProfile\/v2\/internal\/users\/([^/]+)\/basicPresences$/,
      bearer: true,
      handle: (ctx) => {
        const id = ctx.params[0] === "me" ? ctx.caller : ctx.params[0]!;
        const account = world.accounts.get(id);
        if (!account) return apiError(404, 2105356, "User not found");
        if (!world.canSeePresence(ctx.caller, id))
          return apiError(403, 2281486, "Not permitted by access control");
        return { status: 200, body: { basicPresence: presenceBody(account) } };
      },
    },
    {
      endpoint: "presences",
      method: "GET",
      pattern: /^\/api\/userProfile\/v2\/internal\/users\/basicPresences$/,
      bearer: true,
      handle: (ctx) => {
        const ids = (ctx.url.searchParams.get("accountIds") ?? "").split(",").filter(Boolean);
        if (ids.length === 0) return apiError(400, 2105857, "accountIds is required");
        if (ids.length > 100) return apiError(400, 2105857, "Too many accountIds");
        // As PSN: only the accounts the caller may see are answered; the others are simply absent.
        const found = ids.flatMap((id) => {
          const account = world.accounts.get(id);
          return account && world.canSeePresence(ctx.caller, id) ? [presenceBody(account)] : [];
        });
        return { status: 200, body: { basicPresences: found } };
      },
    },
    {
      endpoint: "friends",
      method: "GET",
      pattern: /^\/api\/userProfile\/v1\/internal\/users\/([^/]+)\/friends$/,
      bearer: true,
      handle: (ctx) => {
        const id = ctx.params[0] === "me" ? ctx.caller : ctx.params[0]!;
        if (!world.accounts.has(id)) return apiError(404, 2105356, "User not found");
        const own = id === ctx.caller;
        if (world.friendListPrivate(id) || (!own && !world.friendsOf(id).includes(ctx.caller)))
          return apiError(403, 2281486, "Not permitted by access control");
        const q = ctx.url.searchParams;
        const limit = Number(q.get("limit") ?? "1000");
        const offset = Number(q.get("offset") ?? "0");
        if (!Number.isInteger(limit) || limit < 1 || limit > 1000 || !Number.isInteger(offset) || offset < 0)
          return apiError(400, 2105857, "Invalid limit or offset");
        const all = world.friendsOf(id);
        const page = all.slice(offset, offset + limit);
        return {
          status: 200,
          body: {
            friends: page,
            totalItemCount: all.length,
            ...(offset + limit < all.length ? { nextOffset: offset + limit } : {}),
          },
        };
      },
    },
    {
      endpoint: "parties",
      method: "POST",
      pattern: /^\/api\/sessionManager\/v2\/sys\/gameBase\/parties\/bulkGet$/,
      bearer: true,
      handle: (ctx) => {
        const body = parseJson(ctx.text) as { groupInvitedPartySessions?: unknown } | undefined;
        if (!body || !Array.isArray(body.groupInvitedPartySessions))
          return apiError(400, 2105857, "Invalid request body");
        const limit = Number(ctx.url.searchParams.get("limit") ?? "11");
        const parties = world.partiesOf(ctx.caller).slice(0, Number.isFinite(limit) ? limit : 11);
        return { status: 200, body: { parties: parties.map((p) => partyBody(world, p)) } };
      },
    },
    {
      endpoint: "invite",
      method: "POST",
      pattern: /^\/api\/sessionManager\/v2\/partySessions\/([^/]+)\/invitations$/,
      bearer: true,
      handle: (ctx) => {
        const party = world.parties.get(ctx.params[0]!);
        if (!party) return apiError(404, 2281480, "Session not found");
        const refused = memberOnly(party, ctx.caller);
        if (refused) return refused;
        const parsed = inviteBody.safeParse(parseJson(ctx.text));
        if (!parsed.success || parsed.data.invitations.length === 0)
          return apiError(400, 2105857, "Invalid request body");
        for (const inv of parsed.data.invitations) {
          if (!world.accounts.has(inv.to.accountId)) return apiError(400, 2105857, "Invalid accountId");
        }
        const at = new Date();
        for (const inv of parsed.data.invitations) {
          world.invitationLog.push({
            sessionId: party.sessionId,
            from: ctx.caller,
            to: inv.to.accountId,
            at,
          });
        }
        return { status: 201 };
      },
    },
    {
      endpoint: "share",
      method: "GET",
      pattern: /^\/api\/cpss\/v1\/share\/party\/([^/]+)$/,
      bearer: true,
      handle: (ctx) => {
        const party = world.parties.get(ctx.params[0]!);
        if (!party) return apiError(404, 2281480, "Session not found");
        const refused = memberOnly(party, ctx.caller);
        if (refused) return refused;
        if (!party.shareId) return apiError(404, 2105356, "Share not found");
        return { status: 200, body: shareBody({ ...party, shareId: party.shareId }) };
      },
    },
    {
      endpoint: "partyInfo",
      method: "GET",
      pattern: /^\/api\/cpss\/v1\/partyInfo\/([^/]+)$/,
      bearer: false,
      handle: (ctx) => {
        const party = world.partyByShareId(ctx.params[0]!);
        if (!party) return apiError(404, 2105356, "Party not found");
        return {
          status: 200,
          headers: { "access-control-allow-origin": "*" },
          body: partyInfoBody(world, party),
        };
      },
    },
  ];

  function codeRedirect(accountId: string, redirect: string, state: string | null): string {
    const location = new URL(redirect);
    location.searchParams.set("code", world.issueCode(accountId, redirect));
    location.searchParams.set("cid", randomUUID());
    if (state !== null) location.searchParams.set("state", state);
    return location.toString();
  }

  function applyFault(fault: FaultSpec, reply: Reply, ctx: Ctx): Reply {
    let out: Reply = { ...reply, headers: { ...reply.headers, ...fault.headers } };
    if (fault.status !== undefined && fault.echoSecrets !== undefined) {
      const secrets = requestSecrets({
        authorization: ctx.req.headers.authorization,
        cookie: ctx.req.headers.cookie,
        body: ctx.text,
      });
      for (const [, value] of secrets) echoed.push(value);
      const echo = echoBody(fault.echoSecrets, secrets, fault.status, randomUUID());
      return "raw" in echo
        ? {
            status: fault.status,
            headers: { "content-type": echo.contentType, ...fault.headers },
            raw: echo.raw,
          }
        : { status: fault.status, headers: { ...fault.headers }, body: echo.body };
    }
    if (fault.status !== undefined) {
      out = {
        status: fault.status,
        headers: { ...fault.headers },
        body: fault.body ?? defaultErrorBody(fault.status, randomUUID()),
      };
      return out;
    }
    if (fault.malformedJson) return { ...out, status: 200, raw: '{"simulator": "this is not JSON' };
    if (out.body !== undefined) {
      if (fault.dropOptional) out.body = dropOptionalFields(out.body);
      if (fault.unknownEnums) out.body = withUnknownEnums(out.body);
      if (fault.extraFields) out.body = addExtraFields(out.body);
      if (fault.padBytes !== undefined && typeof out.body === "object" && out.body !== null) {
        out.body = { ...out.body, simPadding: "x".repeat(fault.padBytes) };
      }
    }
    return out;
  }

  async function handlePsn(
    req: IncomingMessage,
    url: URL,
    text: string,
  ): Promise<{ reply: Reply; entry: SimRequest }> {
    const method = req.method ?? "GET";
    const route = routes.find((r) => r.method === method && r.pattern.test(url.pathname));
    const entry: SimRequest = {
      method,
      path: url.pathname,
      endpoint: route?.endpoint ?? null,
      ...(route?.endpoint === "presences"
        ? { accountIds: (url.searchParams.get("accountIds") ?? "").split(",").filter(Boolean) }
        : {}),
      status: 0,
      at: new Date(now()),
    };
    if (!route) return { reply: apiError(404, 2105356, "Resource not found"), entry };
    const done = (status: number) => Object.assign(entry, { status });
    const hold = holds.find((h) => h.endpoint === route.endpoint && !h.taken);
    if (hold) {
      hold.taken = true;
      hold.arrive();
      await hold.gate;
    }

    const ctx: Ctx = {
      req,
      url,
      params: route.pattern.exec(url.pathname)!.slice(1).map(decodeURIComponent),
      text,
      caller: "",
    };
    const owner = route.owner?.(ctx);
    if (owner) entry.accountId = owner;
    let reply: Reply | undefined;
    if (route.bearer) {
      const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1] ?? "";
      const checked = world.checkAccessToken(token);
      if (checked === "expired") {
        reply = apiError(401, 2241047, "Expired token");
        // Still the account's request in the log: a fault on it (a 429 pausing the
        // account) must show under the account, or the soak cannot tell why it paused.
        entry.accountId = world.accessTokenOwner(token);
      } else if (checked === "invalid") reply = apiError(401, 2241025, "Invalid token");
      else {
        ctx.caller = checked.accountId;
        entry.accountId = checked.accountId;
      }
    }
    // Taken once the caller is known, so a fault can be one account's alone.
    const fault = faults.take(route.endpoint, entry.accountId);
    if (fault?.delayMs) await delay(fault.delayMs);
    if (ctx.caller) {
      const refusedUntil = budget?.take(ctx.caller);
      if (refusedUntil !== undefined) return { reply: rateLimited(refusedUntil, now()), entry: done(429) };
    }
    if (!reply && fault?.status === undefined) reply = route.handle(ctx);
    reply ??= { status: 500 };
    if (fault) reply = applyFault(fault, reply, ctx);
    if (ctx.accountId) entry.accountId = ctx.accountId;
    entry.status = reply.status;
    return { reply, entry };
  }

  function write(res: ServerResponse, reply: Reply, requestId: string): void {
    if (res.destroyed) return;
    const headers: Record<string, string> = {
      "x-psn-request-id": requestId,
      "x-psn-correlation-id": randomUUID(),
      "cache-control": "max-age=0, no-cache, no-store",
      ...reply.headers,
    };
    let payload = "";
    if (reply.raw !== undefined) {
      payload = reply.raw;
      headers["content-type"] ??= JSON_TYPE;
    } else if (reply.body !== undefined) {
      payload = typeof reply.body === "string" ? reply.body : JSON.stringify(reply.body);
      headers["content-type"] ??= typeof reply.body === "string" ? "text/html;charset=UTF-8" : JSON_TYPE;
    }
    headers["content-length"] = String(Buffer.byteLength(payload));
    res.writeHead(reply.status, headers);
    res.end(payload);
  }

  const control = buildControl();

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      void (async () => {
        const text = Buffer.concat(chunks).toString("utf8");
        const url = new URL(req.url ?? "/", "http://127.0.0.1");
        const requestId = (req.headers["x-psn-request-id"] as string | undefined) ?? randomUUID();
        try {
          if (options.latencyMs) await delay(options.latencyMs);
          if (req.method === "GET" && (url.pathname === "/" || url.pathname === SSOCOOKIE_PATH)) {
            write(res, npssoPages(url.pathname, req.headers.cookie ?? ""), requestId);
            return;
          }
          if (url.pathname.startsWith("/_sim/")) {
            write(res, controlHttp(req.method ?? "GET", url, text), requestId);
            return;
          }
          const { reply, entry } = await handlePsn(req, url, text);
          requestLog.push(entry);
          log.debug({ method: entry.method, path: entry.path, status: entry.status }, "psn sim request");
          write(res, reply, requestId);
        } catch (err) {
          log.error({ err }, "psn sim failed");
          write(res, apiError(500, 2097152, "Internal Server Error"), requestId);
        }
      })();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  baseUrl = `http://${urlHost(host)}:${address.port}`;

  function buildControl() {
    return {
      createAccount: (input: { onlineId: string; accountId?: string; npsso?: string }) =>
        world.createAccount(input),
      setPresence: (accountId: string, presence: PresenceInput) => world.setPresence(accountId, presence),
      startParty: (host: string, party: PartyInput) => world.startParty(host, party),
      joinParty: (sessionId: string, accountId: string) => world.joinParty(sessionId, accountId),
      leaveParty: (sessionId: string, accountId: string) => world.leaveParty(sessionId, accountId),
      endParty: (sessionId: string) => world.endParty(sessionId),
      setJoinability: (sessionId: string, j: SimJoinability) => world.setJoinability(sessionId, j),
      shareUrl: (sessionId: string) => {
        const shareId = world.parties.get(sessionId)?.shareId;
        return shareId ? `https://party.playstation.com/${shareId}` : null;
      },
      invitations: (to?: string) => world.invitations(to).map((i) => ({ ...i })),
      befriend: (a: string, b: string) => world.befriend(a, b),
      unfriend: (a: string, b: string) => world.unfriend(a, b),
      setFriendListPrivate: (accountId: string, isPrivate: boolean) =>
        world.setFriendListPrivate(accountId, isPrivate),
      setPresenceHidden: (accountId: string, hidden: boolean) => world.setPresenceHidden(accountId, hidden),
      requests: () => requestLog.map((r) => ({ ...r })),
      resetRequests: () => {
        requestLog = [];
      },
      revokeRefreshToken: (accountId: string) => world.revokeRefreshToken(accountId),
      expireAccessTokens: (accountId?: string) => world.expireAccessTokens(accountId),
      fault: (endpoint: SimEndpoint, spec: FaultSpec) => {
        if (!ENDPOINTS.includes(endpoint)) throw new Error(`unknown endpoint ${endpoint}`);
        faults.add(endpoint, spec);
      },
      clearFaults: () => faults.clear(),
      echoedSecrets: () => [...echoed],
      hold: (endpoint: SimEndpoint): SimHold => {
        let arrive!: () => void;
        let release!: () => void;
        const arrived = new Promise<void>((r) => {
          arrive = r;
        });
        const gate = new Promise<void>((r) => {
          release = r;
        });
        holds.push({ endpoint, taken: false, arrive, gate, release });
        return { arrived, release };
      },
    };
  }

  function controlHttp(method: string, url: URL, text: string): Reply {
    const body = text ? parseJson(text) : {};
    const parts = url.pathname.split("/").filter(Boolean).slice(1).map(decodeURIComponent);
    const ok = (value: unknown = { ok: true }): Reply => ({ status: 200, body: value });
    try {
      const [a, b, c] = parts;
      if (a === "signin" && b === undefined && method === "GET") return signinPage(url);
      if (a === "signin" && b === "npsso" && method === "GET") {
        const account = world.mustAccount(url.searchParams.get("accountId") ?? "");
        return {
          status: 302,
          headers: {
            location: SSOCOOKIE_PATH,
            "set-cookie": `npsso=${account.npsso}; Path=/; HttpOnly; SameSite=Lax`,
          },
        };
      }
      if (a === "signin" && b === "approve" && method === "GET") {
        const accountId = url.searchParams.get("accountId") ?? "";
        world.mustAccount(accountId);
        const redirect = url.searchParams.get("redirect_uri") ?? "";
        if (redirect !== redirectUri)
          return oauthError(400, "invalid_request", "redirect_uri is not registered");
        return {
          status: 302,
          headers: { location: codeRedirect(accountId, redirect, url.searchParams.get("state")) },
        };
      }
      if (a === "accounts" && b === undefined && method === "POST")
        return ok(control.createAccount(accountInput.parse(body)));
      if (a === "accounts" && b === undefined && method === "GET") {
        return ok(
          [...world.accounts.values()].map((x) => ({
            accountId: x.accountId,
            onlineId: x.onlineId,
            npsso: x.npsso,
          })),
        );
      }
      if (a === "accounts" && b && c === "presence" && method === "POST") {
        control.setPresence(b, presenceInput.parse(body));
        return ok();
      }
      if (a === "accounts" && b && c === "friends" && method === "POST") {
        const { accountId } = z.object({ accountId: z.string() }).parse(body);
        control.befriend(b, accountId);
        return ok();
      }
      if (a === "accounts" && b && c === "revoke" && method === "POST") {
        control.revokeRefreshToken(b);
        return ok();
      }
      if (a === "parties" && b === undefined && method === "GET") {
        return ok(
          [...world.parties.values()].map((p) => ({
            ...partyBody(world, p),
            shareUrl: control.shareUrl(p.sessionId),
          })),
        );
      }
      if (a === "parties" && b === undefined && method === "POST") {
        const input = partyInput.parse(body);
        const sessionId = control.startParty(input.host, input);
        return ok({ sessionId, shareUrl: control.shareUrl(sessionId) });
      }
      if (a === "parties" && b && (c === "join" || c === "leave") && method === "POST") {
        const { accountId } = z.object({ accountId: z.string() }).parse(body);
        if (c === "join") control.joinParty(b, accountId);
        else control.leaveParty(b, accountId);
        return ok();
      }
      if (a === "parties" && b && c === undefined && method === "DELETE") {
        control.endParty(b);
        return ok();
      }
      if (a === "invitations" && method === "GET")
        return ok(control.invitations(url.searchParams.get("to") ?? undefined));
      if (a === "requests" && method === "GET") return ok(control.requests());
      if (a === "requests" && method === "DELETE") {
        control.resetRequests();
        return ok();
      }
      if (a === "expire-access-tokens" && method === "POST") {
        control.expireAccessTokens(z.object({ accountId: z.string().optional() }).parse(body).accountId);
        return ok();
      }
      if (a === "faults" && method === "POST") {
        const { endpoint, times, ...spec } = faultInput.parse(body);
        control.fault(endpoint, { ...spec, times: times === null ? Number.POSITIVE_INFINITY : times });
        return ok();
      }
      if (a === "faults" && method === "DELETE") {
        control.clearFaults();
        return ok();
      }
      return { status: 404, body: { error: "no such control endpoint" } };
    } catch (err) {
      return { status: 400, body: { error: err instanceof Error ? err.message : String(err) } };
    }
  }

  /**
   * What a member's browser meets where PSN's sign-in would be (the bot's NPSSO page links
   * here when pointed at the simulator): `/` signs in as a demo account, which sets the
   * npsso cookie; the ssocookie page then shows it, as Sony's does, or an error without one.
   */
  function npssoPages(path: string, cookie: string): Reply {
    if (path === SSOCOOKIE_PATH) {
      const npsso = /(?:^|;\s*)npsso=([^;]+)/.exec(cookie)?.[1];
      const account = npsso === undefined ? undefined : world.accountByNpsso(npsso);
      return account
        ? { status: 200, body: { npsso: account.npsso } }
        : { status: 200, body: { error: "invalid_grant", error_description: "Invalid login" } };
    }
    const rows = [...world.accounts.values()]
      .map(
        (x) =>
          `<li><a href="/_sim/signin/npsso?accountId=${encodeURIComponent(x.accountId)}">${escapeHtml(x.onlineId)}</a></li>`,
      )
      .join("");
    return {
      status: 200,
      body: `<!doctype html><title>PSN simulator sign-in</title><h1>Sign in (PSN simulator)</h1>
<p>Pick a demo account. Its NPSSO then shows at <a href="${SSOCOOKIE_PATH}">${SSOCOOKIE_PATH}</a>.</p><ul>${rows}</ul>`,
    };
  }

  function signinPage(url: URL): Reply {
    const accounts = [...world.accounts.values()];
    const hidden = [...url.searchParams]
      .filter(([k]) => k === "redirect_uri" || k === "state")
      .map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`)
      .join("");
    const options = accounts
      .map((x) => `<option value="${escapeHtml(x.accountId)}">${escapeHtml(x.onlineId)}</option>`)
      .join("");
    const html = `<!doctype html><title>PSN simulator sign-in</title><h1>Sign in (PSN simulator)</h1>
<form method="get" action="/_sim/signin/approve">${hidden}<select name="accountId">${options}</select>
<button type="submit">Sign in</button></form>`;
    return { status: 200, body: html };
  }

  return {
    url: baseUrl,
    clientId,
    clientSecret,
    redirectUri,
    scope,
    ...control,
    close: async () => {
      closing = true;
      for (const h of holds.splice(0)) h.release();
      for (const entry of timers) {
        clearTimeout(entry.timer);
        entry.resolve();
      }
      timers.clear();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

/** Any `windowMs`, both edges included, holds at most `requests` accepted calls per account; refused calls do not count. */
class SlidingBudget {
  private readonly stamps = new Map<string, number[]>();

  constructor(
    private readonly limit: SimBudget,
    private readonly now: () => number,
  ) {}

  /** Counts one call, or returns the time (ms) the account may call again. */
  take(accountId: string): number | undefined {
    const now = this.now();
    // Both edges in: a call exactly one window after another is still within it, as PSN counts.
    const kept = (this.stamps.get(accountId) ?? []).filter((t) => t >= now - this.limit.windowMs);
    this.stamps.set(accountId, kept);
    if (kept.length >= this.limit.requests)
      return kept[kept.length - this.limit.requests]! + this.limit.windowMs + 1;
    kept.push(now);
    return undefined;
  }
}

/** PSN's 429: its error body, `Retry-After` in seconds and `X-RateLimit-Next-Available` in unix seconds. */
function rateLimited(until: number, now: number): Reply {
  return {
    ...apiError(429, 2138635, "Rate limit exceeded"),
    headers: {
      "retry-after": String(Math.max(1, Math.ceil((until - now) / 1000))),
      "x-ratelimit-next-available": String(Math.ceil(until / 1000)),
    },
  };
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

const inviteBody = z.looseObject({
  invitations: z.array(z.looseObject({ to: z.looseObject({ accountId: z.string().regex(/^\d{1,20}$/) }) })),
});

const accountInput = z.object({
  onlineId: z.string().min(1),
  accountId: z.string().optional(),
  npsso: z.string().optional(),
});

const presenceInput = z.object({
  online: z.boolean(),
  platform: z.string().optional(),
  game: z
    .object({ titleId: z.string().optional(), name: z.string(), iconUrl: z.string().optional() })
    .nullish(),
  status: z.string().nullish(),
});

const partyInput = z.object({
  host: z.string(),
  joinability: z.enum(["open", "request", "invite"]),
  maxMembers: z.number().int().positive().optional(),
  name: z.string().optional(),
  share: z.boolean().optional(),
});

const faultInput = z.object({
  endpoint: z.enum(ENDPOINTS),
  status: z.number().int().optional(),
  headers: z.record(z.string(), z.string()).optional(),
  body: z.unknown().optional(),
  delayMs: z.number().nonnegative().optional(),
  malformedJson: z.boolean().optional(),
  echoSecrets: z.enum(ECHO_SHAPES).optional(),
  extraFields: z.boolean().optional(),
  unknownEnums: z.boolean().optional(),
  dropOptional: z.boolean().optional(),
  padBytes: z.number().int().nonnegative().optional(),
  accountId: z.string().optional(),
  /** null: every request until cleared. */
  times: z.number().int().positive().nullable().optional(),
});
