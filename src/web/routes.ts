/**
 * What the web server answers: the route table (the one-time sign-in pages, the
 * OAuth callback, the health check, the stylesheet) and its handlers, each a
 * function from a request to an answer.
 */
import { randomBytes, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import {
  inspectLink,
  type LinkingDeps,
  type SignInOutcome,
  signInWithCode,
  signInWithNpsso,
} from "../accounts/linking.js";
import { type NpssoProblem, npssoFormSchema } from "../accounts/npsso.js";
import type { LinkTokenState } from "../accounts/oneTimeLink.js";
import type { Logger } from "../log.js";
import { messagePage, npssoPage, oauthPage, successPage } from "./html.js";
import { type Answer, cookieValue, type HttpError } from "./http.js";
import type { Endpoint, Route, RouteRequest } from "./router.js";
import { STYLE_CSS } from "./style.js";

/** What /healthz shows of the poller (the poller itself lives in src/jobs). */
export interface PollerHealthView {
  ok: boolean;
  lastTickFinishedAt: Date | null;
  membersDue: number | null;
  reason?: string;
}

export interface HealthState {
  discordReady: boolean;
  dbOk: boolean;
  poller?: PollerHealthView;
}

/** The Prometheus exposition (src/metrics.ts). */
export interface MetricsSource {
  readonly contentType: string;
  scrape(): Promise<string>;
}

export function metricsRoute(metrics: MetricsSource): Route {
  const scrape = async (): Promise<Answer> => ({
    status: 200,
    body: await metrics.scrape(),
    contentType: metrics.contentType,
  });
  return { path: "/metrics", methods: { GET: scrape, HEAD: scrape } };
}

export interface WebDeps {
  linking: LinkingDeps;
  signinMode: "npsso" | "oauth";
  /** The Discord user's name for the page ("who is linking"); the id when it cannot be found. */
  describeUser(discordUserId: string): Promise<string>;
  health(): Promise<HealthState>;
  /** Served at /metrics; absent when the metrics have a listener of their own. */
  metrics?: MetricsSource;
  log: Logger;
  /** For uptime; defaults to when the server started. */
  startedAt?: Date;
}

const callbackQuery = z.object({
  state: z.string().max(256).optional(),
  code: z.string().max(4096).optional(),
  error: z.string().max(256).optional(),
});

const linkParams = z.object({ token: z.string() });

/**
 * OAuth mode binds the sign-in to the browser that opened the link page: the state
 * sent to PSN is `<link token>.<nonce>` and the nonce also goes into a cookie. Without
 * it, anyone could start /link, send the PSN sign-in URL from their own page to someone
 * else, and get that person's PSN account linked to their own Discord account when the
 * callback comes back with a code.
 *
 * The nonce is the browser's, not the page view's: a link page opened again (a second
 * tab, a reload) keeps the nonce the browser already holds, so the button of every
 * tab still works. The cookie is sent to the link page for that (Path=/). Single use
 * comes from the link token, spent when a sign-in completes.
 */
const OAUTH_COOKIE = "ppb_oauth";
const NONCE = /^[A-Za-z0-9_-]{24}$/;

function browserNonce(headers: RouteRequest["headers"]): string {
  const held = cookieValue(headers, OAUTH_COOKIE);
  return held !== undefined && NONCE.test(held) ? held : randomBytes(18).toString("base64url");
}

function splitOAuthState(state: string): { token: string; nonce: string } {
  const dot = state.lastIndexOf(".");
  return dot < 0 ? { token: state, nonce: "" } : { token: state.slice(0, dot), nonce: state.slice(dot + 1) };
}

/** Compares without leaking, through timing, how much of the nonce a guess got right. */
function sameNonce(expected: string, given: string | undefined): boolean {
  if (!expected || given === undefined) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

const RUN_LINK_AGAIN = "Run /link in Discord again to get a new link.";

/** The page for a request the route table refused (unknown path, wrong method, not a form, too large). */
export function refusalAnswer(refusal: HttpError): Answer {
  const title = refusal.status === 404 ? "Page not found" : "Request not accepted";
  return {
    status: refusal.status,
    body: messagePage(title, `${refusal.message}.`, RUN_LINK_AGAIN),
    headers: refusal.headers,
  };
}

export const FAILURE_ANSWER: Answer = {
  status: 500,
  body: messagePage(
    "Something went wrong",
    "The bot could not handle this request.",
    "Try again in a minute.",
  ),
};

function linkStatePage(state: Exclude<LinkTokenState, "usable">): Answer {
  switch (state) {
    case "unknown":
      return {
        status: 404,
        body: messagePage("Link not found", "This sign-in link is not valid.", RUN_LINK_AGAIN),
      };
    case "expired":
      return {
        status: 410,
        body: messagePage(
          "Link expired",
          "This sign-in link has expired (links work for 10 minutes).",
          RUN_LINK_AGAIN,
        ),
      };
    case "used":
      return {
        status: 410,
        body: messagePage("Link already used", "This sign-in link has already been used.", RUN_LINK_AGAIN),
      };
    case "spent":
      return {
        status: 410,
        body: messagePage(
          "Too many attempts",
          "This sign-in link has been tried too many times and no longer works.",
          RUN_LINK_AGAIN,
        ),
      };
  }
}

const INPUT_PROBLEMS: Record<NpssoProblem, string> = {
  empty: "Paste your NPSSO into the box first.",
  not_signed_in:
    "That is the answer you get when you are not signed in. Sign in at playstation.com first, then open the ssocookie page again in the same browser.",
  wrong_length:
    'That does not look like an NPSSO: it is 64 characters long, the value after "npsso" on the ssocookie page. Copy it again.',
  bad_characters:
    'That does not look like an NPSSO: copy only the 64-character value after "npsso" on the ssocookie page.',
};

function attemptsText(left: number): string {
  return left === 1 ? "1 attempt left" : `${left} attempts left`;
}

/** The error line of a failed sign-in whose link may still be usable. */
function outcomeError(
  outcome: Exclude<SignInOutcome, { ok: true } | { reason: "link" }>,
  mode: "npsso" | "oauth",
) {
  switch (outcome.reason) {
    case "input":
      return INPUT_PROBLEMS[outcome.problem];
    case "refused":
      return mode === "npsso"
        ? `PlayStation did not accept that NPSSO: it is mistyped or no longer valid (a new sign-in replaces the old one). Sign in at playstation.com, open the ssocookie page again and paste the new value (${attemptsText(outcome.attemptsLeft)}).`
        : `PlayStation did not complete the sign-in. Try again (${attemptsText(outcome.attemptsLeft)}).`;
    case "unavailable":
      return `PlayStation is not answering right now or is limiting requests. Try again in a minute (${attemptsText(outcome.attemptsLeft)}).`;
    case "taken":
      return "This PlayStation account is already linked to another Discord user. They need to run /unlink first, or sign in with a different PlayStation account.";
  }
}

function outcomeStatus(outcome: SignInOutcome): number {
  if (outcome.ok) return 200;
  switch (outcome.reason) {
    case "input":
      return 400;
    case "refused":
      return 401;
    case "unavailable":
      return 503;
    case "taken":
      return 409;
    case "link":
      return 410;
  }
}

export function webRoutes(deps: WebDeps): Route[] {
  const startedAt = deps.startedAt ?? new Date();
  const { linking } = deps;

  const describe = async (discordUserId: string | null): Promise<string> => {
    if (!discordUserId) return "unknown";
    try {
      return await deps.describeUser(discordUserId);
    } catch {
      return discordUserId;
    }
  };

  async function healthz(): Promise<Answer> {
    const h = await deps.health();
    const problems = [
      ...(h.discordReady ? [] : ["not connected to Discord"]),
      ...(h.dbOk ? [] : ["the database does not answer"]),
      ...(h.poller && !h.poller.ok ? [h.poller.reason ?? "the poller is stuck"] : []),
    ];
    const ready = problems.length === 0;
    const body = JSON.stringify({
      status: ready ? "ok" : "unavailable",
      ...(ready ? {} : { problems }),
      uptimeSeconds: Math.round((Date.now() - startedAt.getTime()) / 1000),
      discord: { ready: h.discordReady },
      db: { ok: h.dbOk },
      ...(h.poller
        ? {
            poller: {
              ok: h.poller.ok,
              lastTickFinishedAt: h.poller.lastTickFinishedAt?.toISOString() ?? null,
              ...(h.poller.membersDue !== null ? { membersDue: h.poller.membersDue } : {}),
            },
          }
        : {}),
    });
    return { status: ready ? 200 : 503, body, contentType: "application/json; charset=utf-8" };
  }

  async function signInPage(
    request: RouteRequest,
    token: string,
    status: number,
    error?: string,
  ): Promise<Answer> {
    const inspection = await inspectLink(linking, token);
    if (inspection.state !== "usable") {
      const page = linkStatePage(inspection.state);
      // A failed attempt that spent the link still says why it failed.
      return error
        ? { status: page.status, body: messagePage("Too many attempts", error, RUN_LINK_AGAIN) }
        : page;
    }
    const discordUser = await describe(inspection.discordUserId);
    if (deps.signinMode === "oauth") {
      const nonce = browserNonce(request.headers);
      const secure = linking.publicBaseUrl.startsWith("https:") ? "; Secure" : "";
      return {
        status,
        body: oauthPage({ discordUser, authorizeUrl: linking.psn.authorizeUrl(`${token}.${nonce}`), error }),
        headers: {
          "Set-Cookie": `${OAUTH_COOKIE}=${nonce}; Path=/; Max-Age=900; HttpOnly; SameSite=Lax${secure}`,
        },
      };
    }
    return {
      status,
      body: npssoPage({
        discordUser,
        source: linking.psn.npssoSource(),
        action: `/link/${encodeURIComponent(token)}`,
        attemptsLeft: inspection.attemptsLeft,
        error,
      }),
    };
  }

  function outcomeAnswer(
    request: RouteRequest,
    token: string,
    outcome: SignInOutcome,
  ): Promise<Answer> | Answer {
    if (outcome.ok) return { status: 200, body: successPage(outcome.onlineId) };
    if (outcome.reason === "link") return linkStatePage(outcome.state);
    return signInPage(request, token, outcomeStatus(outcome), outcomeError(outcome, deps.signinMode));
  }

  const openLink: Endpoint = (request) => signInPage(request, linkParams.parse(request.params).token, 200);

  const submitNpsso: Endpoint = {
    form: async (request, form) => {
      const { token } = linkParams.parse(request.params);
      const parsed = npssoFormSchema.safeParse(Object.fromEntries(form));
      const input = parsed.success ? parsed.data.npsso : undefined;
      return outcomeAnswer(request, token, await signInWithNpsso(linking, token, input ?? ""));
    },
  };

  async function oauthCallback(request: RouteRequest): Promise<Answer> {
    const q = callbackQuery.safeParse(Object.fromEntries(request.url.searchParams));
    const state = q.success ? q.data.state : undefined;
    if (!q.success || !state) return { status: 400, body: linkStatePage("unknown").body };
    const { token, nonce } = splitOAuthState(state);
    const link = await inspectLink(linking, token);
    if (link.state !== "usable") return linkStatePage(link.state);
    if (!sameNonce(nonce, cookieValue(request.headers, OAUTH_COOKIE))) {
      // No attempt is counted and the code is never exchanged.
      return {
        status: 403,
        body: messagePage(
          "Sign-in not accepted",
          "This PlayStation sign-in was not started from your sign-in page in this browser. If someone sent you a PlayStation sign-in link, do not use it.",
          "To link your own account, open the link the bot sent you in Discord and press Sign in with PlayStation there.",
        ),
      };
    }
    if (q.data.error || !q.data.code) {
      // The member cancelled or PSN refused before giving a code: offer the button again.
      return signInPage(request, token, 400, "The PlayStation sign-in was not completed. Try again.");
    }
    return outcomeAnswer(request, token, await signInWithCode(linking, token, q.data.code));
  }

  // Each sign-in mode has only its own way in: PSN redirects to the callback only in
  // OAuth mode, and only the NPSSO page has a form to post.
  const oauth = deps.signinMode === "oauth";
  return [
    { path: "/healthz", anyMethod: healthz },
    ...(deps.metrics ? [metricsRoute(deps.metrics)] : []),
    {
      path: "/static/style.css",
      anyMethod: () => ({ status: 200, body: STYLE_CSS, contentType: "text/css; charset=utf-8" }),
    },
    ...(oauth ? [{ path: "/oauth/callback", methods: { GET: oauthCallback } }] : []),
    {
      path: "/link/:token",
      methods: oauth
        ? { GET: openLink, HEAD: openLink }
        : { GET: openLink, HEAD: openLink, POST: submitNpsso },
    },
  ];
}
