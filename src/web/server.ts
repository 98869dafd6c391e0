/**
 * The bot's own HTTP server: the one-time sign-in pages, the OAuth callback and
 * the health check. node:http and plain HTML forms: no scripts, no third-party
 * assets, a CSP that forbids everything else.
 */
import { randomBytes, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { z } from "zod";
import {
  inspectLink,
  type LinkingDeps,
  type SignInOutcome,
  signInWithCode,
  signInWithNpsso,
} from "../accounts/linking.js";
import type { LinkTokenState } from "../accounts/oneTimeLink.js";
import { type NpssoProblem, npssoFormSchema } from "../accounts/npsso.js";
import type { Logger } from "../log.js";
import { messagePage, npssoPage, oauthPage, successPage } from "./html.js";
import { STYLE_CSS } from "./style.js";

export interface HealthState {
  discordReady: boolean;
  dbOk: boolean;
}

export interface WebDeps {
  linking: LinkingDeps;
  signinMode: "npsso" | "oauth";
  /** The Discord user's name for the page ("who is linking"); the id when it cannot be found. */
  describeUser(discordUserId: string): Promise<string>;
  health(): HealthState;
  log: Logger;
  /** For uptime; defaults to when the server started. */
  startedAt?: Date;
}

export interface WebServer {
  url: string;
  close(): Promise<void>;
}

const SECURITY_HEADERS: Record<string, string> = {
  "Content-Security-Policy":
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
  "Cache-Control": "no-store",
  "X-Frame-Options": "DENY",
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Resource-Policy": "same-origin",
};

const MAX_BODY_BYTES = 16 * 1024;

const callbackQuery = z.object({
  state: z.string().max(256).optional(),
  code: z.string().max(4096).optional(),
  error: z.string().max(256).optional(),
});

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * OAuth mode binds the sign-in to the browser that opened the link page: the state
 * sent to PSN is `<link token>.<nonce>` and the nonce also goes into a cookie for the
 * callback path only. Without it, anyone could start /link, send the PSN sign-in URL
 * from their own page to someone else, and get that person's PSN account linked to
 * their own Discord account when the callback comes back with a code.
 */
const OAUTH_COOKIE = "ppb_oauth";

function splitOAuthState(state: string): { token: string; nonce: string } {
  const dot = state.lastIndexOf(".");
  return dot < 0 ? { token: state, nonce: "" } : { token: state.slice(0, dot), nonce: state.slice(dot + 1) };
}

function cookieValue(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** Compares without leaking, through timing, how much of the nonce a guess got right. */
function sameNonce(expected: string, given: string | undefined): boolean {
  if (!expected || given === undefined) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

function send(
  res: ServerResponse,
  status: number,
  body: string,
  contentType = "text/html; charset=utf-8",
  extraHeaders: Record<string, string> = {},
): void {
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    ...extraHeaders,
    "Content-Type": contentType,
    "Content-Length": Buffer.byteLength(body),
  });
  res.end(body);
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const type = (req.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase();
  if (type !== "application/x-www-form-urlencoded") throw new HttpError(415, "expected a form");
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, "form too large");
    chunks.push(chunk as Buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
}

const RUN_LINK_AGAIN = "Run /link in Discord again to get a new link.";

function linkStatePage(state: Exclude<LinkTokenState, "usable">): { status: number; body: string } {
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

export function startWebServer(deps: WebDeps, listen: { host: string; port: number }): Promise<WebServer> {
  const log = deps.log.child({ component: "web" });
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

  async function renderSignIn(
    token: string,
    res: ServerResponse,
    status: number,
    error?: string,
  ): Promise<void> {
    const inspection = inspectLink(linking, token);
    if (inspection.state !== "usable") {
      const page = linkStatePage(inspection.state);
      // A failed attempt that spent the link still says why it failed.
      send(res, page.status, error ? messagePage("Too many attempts", error, RUN_LINK_AGAIN) : page.body);
      return;
    }
    const discordUser = await describe(inspection.discordUserId);
    if (deps.signinMode === "oauth") {
      const nonce = randomBytes(18).toString("base64url");
      const secure = linking.publicBaseUrl.startsWith("https:") ? "; Secure" : "";
      send(
        res,
        status,
        oauthPage({ discordUser, authorizeUrl: linking.psn.authorizeUrl(`${token}.${nonce}`), error }),
        undefined,
        {
          "Set-Cookie": `${OAUTH_COOKIE}=${nonce}; Path=/oauth/callback; Max-Age=900; HttpOnly; SameSite=Lax${secure}`,
        },
      );
      return;
    }
    const body = npssoPage({
      discordUser,
      action: `/link/${encodeURIComponent(token)}`,
      attemptsLeft: inspection.attemptsLeft,
      error,
    });
    send(res, status, body);
  }

  async function respondToOutcome(token: string, outcome: SignInOutcome, res: ServerResponse): Promise<void> {
    if (outcome.ok) {
      send(res, 200, successPage(outcome.onlineId));
      return;
    }
    if (outcome.reason === "link") {
      const page = linkStatePage(outcome.state);
      send(res, page.status, page.body);
      return;
    }
    await renderSignIn(token, res, outcomeStatus(outcome), outcomeError(outcome, deps.signinMode));
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://localhost");
    const path = url.pathname;
    const method = req.method ?? "GET";

    if (path === "/healthz") {
      const h = deps.health();
      const ready = h.discordReady && h.dbOk;
      const body = JSON.stringify({
        status: ready ? "ok" : "unavailable",
        uptimeSeconds: Math.round((Date.now() - startedAt.getTime()) / 1000),
        discord: { ready: h.discordReady },
        db: { ok: h.dbOk },
      });
      send(res, ready ? 200 : 503, body, "application/json; charset=utf-8");
      return;
    }
    if (path === "/static/style.css") {
      send(res, 200, STYLE_CSS, "text/css; charset=utf-8");
      return;
    }
    if (path === "/oauth/callback" && deps.signinMode === "oauth") {
      if (method !== "GET") throw new HttpError(405, "method not allowed");
      const q = callbackQuery.safeParse(Object.fromEntries(url.searchParams));
      const state = q.success ? q.data.state : undefined;
      if (!q.success || !state) {
        const page = linkStatePage("unknown");
        send(res, 400, page.body);
        return;
      }
      const { token, nonce } = splitOAuthState(state);
      const link = inspectLink(linking, token);
      if (link.state !== "usable") {
        const page = linkStatePage(link.state);
        send(res, page.status, page.body);
        return;
      }
      if (!sameNonce(nonce, cookieValue(req, OAUTH_COOKIE))) {
        // No attempt is counted and the code is never exchanged.
        send(
          res,
          403,
          messagePage(
            "Sign-in not accepted",
            "This PlayStation sign-in was not started from your sign-in page in this browser. If someone sent you a PlayStation sign-in link, do not use it.",
            "To link your own account, open the link the bot sent you in Discord and press Sign in with PlayStation there.",
          ),
        );
        return;
      }
      if (q.data.error || !q.data.code) {
        // The member cancelled or PSN refused before giving a code: offer the button again.
        await renderSignIn(token, res, 400, "The PlayStation sign-in was not completed. Try again.");
        return;
      }
      await respondToOutcome(token, await signInWithCode(linking, token, q.data.code), res);
      return;
    }
    const m = /^\/link\/([^/]+)$/.exec(path);
    if (m) {
      const token = m[1] as string;
      if (method === "GET" || method === "HEAD") {
        await renderSignIn(token, res, 200);
        return;
      }
      if (method === "POST" && deps.signinMode === "npsso") {
        const form = npssoFormSchema.safeParse(Object.fromEntries(await readForm(req)));
        const input = form.success ? form.data.npsso : undefined;
        await respondToOutcome(token, await signInWithNpsso(linking, token, input ?? ""), res);
        return;
      }
      throw new HttpError(405, "method not allowed");
    }
    throw new HttpError(404, "not found");
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (err instanceof HttpError) {
        const title = err.status === 404 ? "Page not found" : "Request not accepted";
        if (!res.headersSent) send(res, err.status, messagePage(title, `${err.message}.`, RUN_LINK_AGAIN));
        return;
      }
      // Never the URL: it carries the link token.
      log.error({ err, method: req.method }, "web request failed");
      if (!res.headersSent) {
        send(
          res,
          500,
          messagePage(
            "Something went wrong",
            "The bot could not handle this request.",
            "Try again in a minute.",
          ),
        );
      } else res.destroy();
    });
  });
  server.requestTimeout = 30_000;
  server.headersTimeout = 15_000;

  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(listen.port, listen.host, () => {
      server.off("error", reject);
      const address = server.address() as AddressInfo;
      const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
      log.info({ host: address.address, port: address.port }, "web server listening");
      resolve({
        url: `http://${host}:${address.port}`,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
