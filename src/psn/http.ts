/**
 * The one HTTP layer under every PSN endpoint: base URLs, the undici agent,
 * timeouts, request ids, the per-account budget, retries, 429 handling, the single
 * refresh-and-retry on 401, zod parsing and the mapping of answers to typed errors.
 * Endpoint modules only say which path, which schema and how to map the result.
 */
import { randomUUID } from "node:crypto";
import { Agent, type Dispatcher, request } from "undici";
import type { z } from "zod";
import { type Logger, type SecretRegistry, secretsOf, silentLogger } from "../log.js";
import { type Metrics, type PsnOutcome, psnOutcomeOf } from "../metrics.js";
import { RequestBudget } from "./budget.js";
import {
  PsnAuthError,
  PsnBadRequestError,
  type PsnError,
  PsnForbiddenError,
  PsnMalformedError,
  PsnNotFoundError,
  PsnRateLimitedError,
  PsnUnavailableError,
} from "./errors.js";
import { apiErrorBody } from "./schemas.js";

export type PsnHost = "auth" | "api" | "web" | "dms";
export type BaseUrls = Record<PsnHost, string>;

export const DEFAULT_BASE_URLS: BaseUrls = {
  auth: "https://ca.account.sony.com",
  api: "https://m.np.playstation.com",
  web: "https://web.np.playstation.com",
  dms: "https://dms.api.playstation.com",
};

/**
 * The credentials of one account for one call. `key` names the account in the
 * budget. When PSN answers 401, http calls `refreshAfterUnauthorized` once with the
 * refused token and retries with what it returns.
 */
export interface TokenProvider {
  readonly key: string;
  accessToken(): Promise<string>;
  refreshAfterUnauthorized?(rejected: string): Promise<string>;
}

/** A provider around a fixed token (no refresh): for one-off calls right after sign-in. */
export function staticToken(key: string, accessToken: string): TokenProvider {
  return { key, accessToken: async () => accessToken };
}

export interface RetryOptions {
  /** Total tries for 5xx, network errors and timeouts. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export interface PsnHttpOptions {
  baseUrls?: Partial<BaseUrls>;
  /** Per request: time to the answer's headers, and between body chunks. */
  timeoutMs?: number;
  /** Sockets kept per origin. */
  connections?: number;
  retry?: Partial<RetryOptions>;
  budget?: RequestBudget;
  /** Longer than this waiting for a budget slot, and the call fails with PsnRateLimitedError instead. */
  budgetMaxWaitMs?: number;
  log?: Logger;
  /** Where each secret sent is registered, to be scrubbed from the log by value; the log's by default. */
  secrets?: SecretRegistry;
  /** Counts every round trip, budget wait, skipped call and 429 pause. */
  metrics?: Metrics;
  now?: () => number;
  random?: () => number;
  userAgent?: string;
}

export type RequestBody = { json: unknown } | { form: Record<string, string> };

export interface RawAnswer {
  status: number;
  headers: Record<string, string | undefined>;
  text: string;
  /** The parsed body, when it was JSON. */
  json: unknown;
  requestId: string;
}

export interface PsnRequest {
  /** Our short name of the endpoint, for logs and error messages. */
  endpoint: string;
  host: PsnHost;
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  path: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: RequestBody;
  /** Sends `Authorization: Bearer`, and its key is the budget key. */
  auth?: TokenProvider;
  /** Budget key for a call on behalf of an account without a bearer token (a refresh). */
  budgetKey?: string;
  /**
   * False for writes whose repetition a person would notice (an invitation): after a
   * timeout or a 5xx we cannot know whether PSN acted, so the caller decides.
   */
  retryable?: boolean;
  /** Statuses that are an answer rather than an error; 2xx by default. */
  accept?: (status: number) => boolean;
  /** Turns an error answer into a typed error before the default mapping does. */
  mapError?: (answer: RawAnswer) => PsnError | undefined;
}

const DEFAULT_RETRY: RetryOptions = { attempts: 3, baseDelayMs: 250, maxDelayMs: 5_000 };
/** When a 429 names no time, wait this long. */
const DEFAULT_RATE_LIMIT_PAUSE_MS = 60_000;
/**
 * The longest pause a 429 can impose on an account. PSN's own windows are 15 minutes;
 * a longer time is a clock or proxy gone wrong, and would silence a member for as long
 * as it says (a year, from a stray header) with nothing an operator can do.
 */
export const MAX_RATE_LIMIT_PAUSE_MS = 15 * 60_000;

/**
 * The largest answer read. PSN's biggest (a party's members, a profile) are a few
 * kilobytes; past this the read stops, so a broken or hostile upstream cannot fill
 * the bot's memory.
 */
export const MAX_ANSWER_BYTES = 1024 * 1024;

const isSuccess = (status: number) => status >= 200 && status < 300;

/** Form fields whose values are secrets (the client's own secret travels in the Basic header). */
const SECRET_FORM_FIELDS = new Set([
  "code",
  "refresh_token",
  "access_token",
  "id_token",
  "npsso",
  "client_secret",
]);

/**
 * The secrets a request carries: the credential of its Authorization header, the NPSSO
 * of its cookie, the values of secret form fields. An upstream may quote any of them back
 * in an error, in any encoding, where no pattern recognises them.
 */
export function secretsSent(
  headers: Record<string, string>,
  form: Record<string, string> | undefined,
): string[] {
  const found: string[] = [];
  const credential = /^(?:Bearer|Basic)\s+(\S+)$/i.exec(headers.authorization ?? "")?.[1];
  if (credential) found.push(credential);
  for (const [, npsso] of (headers.cookie ?? "").matchAll(/(?:^|;\s*)npsso=([^;]+)/g)) found.push(npsso!);
  for (const [k, v] of Object.entries(form ?? {})) if (SECRET_FORM_FIELDS.has(k)) found.push(v);
  return found;
}

export class PsnHttp {
  readonly baseUrls: BaseUrls;
  readonly budget: RequestBudget;
  readonly secrets: SecretRegistry;
  private readonly agent: Agent;
  private readonly timeoutMs: number;
  private readonly retry: RetryOptions;
  private readonly budgetMaxWaitMs: number;
  private readonly log: Logger;
  private readonly metrics: Metrics | undefined;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly userAgent: string;

  constructor(options: PsnHttpOptions = {}) {
    this.baseUrls = { ...DEFAULT_BASE_URLS, ...options.baseUrls };
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.now = options.now ?? Date.now;
    this.budget = options.budget ?? new RequestBudget({ now: this.now });
    this.budgetMaxWaitMs = options.budgetMaxWaitMs ?? 60_000;
    this.log = options.log ?? silentLogger();
    this.secrets = options.secrets ?? secretsOf(this.log);
    this.metrics = options.metrics;
    this.random = options.random ?? Math.random;
    this.userAgent = options.userAgent ?? "psn-party-bridge";
    this.agent = new Agent({
      connections: options.connections ?? 16,
      keepAliveTimeout: 30_000,
      headersTimeout: this.timeoutMs,
      bodyTimeout: this.timeoutMs,
      connect: { timeout: this.timeoutMs },
    });
  }

  /** Sends and parses the JSON answer through `schema`. */
  async json<S extends z.ZodType>(req: PsnRequest, schema: S): Promise<z.output<S>> {
    const answer = await this.send(req);
    return parseAnswer(req.endpoint, answer, schema);
  }

  /** Sends, with budget, retries and error mapping; the answer's body unparsed if not JSON. */
  async send(req: PsnRequest): Promise<RawAnswer> {
    const key = req.auth?.key ?? req.budgetKey;
    const accept = req.accept ?? isSuccess;
    let failures = 0;
    let refreshed = false;
    let token: string | undefined;

    for (;;) {
      if (key !== undefined) await this.takeBudget(key, req.endpoint);
      if (req.auth && token === undefined) token = await req.auth.accessToken();

      const requestId = randomUUID();
      const started = this.now();
      let answer: RawAnswer;
      try {
        answer = await this.roundTrip(req, requestId, token);
      } catch (err) {
        if (err instanceof AnswerTooLarge) {
          this.count(req, psnOutcomeOf(err.status), started);
          // The same request would get the same answer: not retried.
          throw new PsnMalformedError(
            `PSN ${req.endpoint}: the answer is larger than ${MAX_ANSWER_BYTES} bytes; not read`,
            { endpoint: req.endpoint, status: err.status, requestId },
          );
        }
        this.count(req, networkReason(err) === "timed out" ? "timeout" : "network", started);
        failures++;
        const failure = new PsnUnavailableError(`PSN ${req.endpoint}: ${networkReason(err)}`, {
          endpoint: req.endpoint,
          requestId,
          cause: err,
        });
        if (failures >= this.attemptsFor(req)) throw failure;
        this.log.warn(
          { endpoint: req.endpoint, requestId, attempt: failures, reason: failure.message },
          "PSN call failed; retrying",
        );
        await sleep(this.backoff(failures));
        continue;
      }
      this.count(req, psnOutcomeOf(answer.status), started);
      this.log.debug(
        {
          endpoint: req.endpoint,
          method: req.method,
          path: req.path,
          status: answer.status,
          ms: this.now() - started,
          requestId,
        },
        "PSN call",
      );

      if (accept(answer.status)) return answer;

      if (answer.status === 401 && req.auth?.refreshAfterUnauthorized && token !== undefined && !refreshed) {
        refreshed = true;
        token = await req.auth.refreshAfterUnauthorized(token);
        continue;
      }
      if (answer.status >= 500) {
        failures++;
        if (failures < this.attemptsFor(req)) {
          this.log.warn(
            { endpoint: req.endpoint, requestId, attempt: failures, status: answer.status },
            "PSN answered 5xx; retrying",
          );
          await sleep(this.backoff(failures));
          continue;
        }
      }
      const now = this.now();
      if (answer.status === 429) {
        const retryAt = retryAtFrom(answer.headers, now);
        const asked = requestedRetryAt(answer.headers, now);
        if (asked !== null && asked > retryAt.getTime()) {
          this.log.warn(
            { endpoint: req.endpoint, requestId, asked: new Date(asked), retryAt },
            "PSN asked for a pause longer than 15 minutes; pausing 15 minutes",
          );
        }
        if (key !== undefined) {
          await this.budget.pause(key, retryAt);
          this.metrics?.psnRateLimitPauses.inc();
        }
        this.log.warn({ endpoint: req.endpoint, requestId, retryAt }, "PSN rate limit: pausing the account");
      }
      throw req.mapError?.(answer) ?? mapErrorAnswer(req.endpoint, answer, now);
    }
  }

  async close(): Promise<void> {
    await this.agent.close();
  }

  private async takeBudget(key: string, endpoint: string): Promise<void> {
    const paused = this.budget.pausedUntil(key);
    if (paused) {
      this.metrics?.psnCallsSkipped.inc({ reason: "paused" });
      throw new PsnRateLimitedError(`PSN ${endpoint}: account paused after a rate limit`, paused, "server", {
        endpoint,
      });
    }
    const freeAt = this.budget.nextFreeAt(key);
    const asked = this.now();
    if (freeAt.getTime() - asked > this.budgetMaxWaitMs) {
      this.metrics?.psnCallsSkipped.inc({ reason: "budget" });
      throw new PsnRateLimitedError(
        `PSN ${endpoint}: the account's request budget is used up`,
        freeAt,
        "budget",
        {
          endpoint,
        },
      );
    }
    await this.budget.acquire(key);
    if (freeAt.getTime() > asked && this.metrics) {
      this.metrics.psnBudgetWaits.inc();
      this.metrics.psnBudgetWaitSeconds.inc(Math.max(0, this.now() - asked) / 1000);
    }
  }

  private count(req: PsnRequest, outcome: PsnOutcome, started: number): void {
    if (!this.metrics) return;
    this.metrics.psnRequests.inc({ operation: req.endpoint, outcome });
    this.metrics.psnRequestDuration.observe(
      { operation: req.endpoint },
      Math.max(0, this.now() - started) / 1000,
    );
  }

  private async roundTrip(req: PsnRequest, requestId: string, token: string | undefined): Promise<RawAnswer> {
    const url = new URL(req.path, this.baseUrls[req.host]);
    for (const [k, v] of Object.entries(req.query ?? {})) url.searchParams.set(k, v);
    const headers: Record<string, string> = {
      "user-agent": this.userAgent,
      accept: "application/json",
      "x-psn-request-id": requestId,
      ...req.headers,
    };
    if (token !== undefined) headers.authorization = `Bearer ${token}`;
    this.secrets.remember(
      ...secretsSent(headers, req.body && "form" in req.body ? req.body.form : undefined),
    );
    let body: string | undefined;
    if (req.body && "json" in req.body) {
      body = JSON.stringify(req.body.json);
      headers["content-type"] = "application/json";
    } else if (req.body) {
      body = new URLSearchParams(req.body.form).toString();
      headers["content-type"] = "application/x-www-form-urlencoded";
    }
    // undici's own timeouts tick at about one second; this deadline is exact.
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(new RequestTimeout()), this.timeoutMs);
    let res: Dispatcher.ResponseData;
    let text: string;
    try {
      res = await request(url, {
        method: req.method,
        headers,
        body,
        dispatcher: this.agent,
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
        signal: deadline.signal,
      });
      text = await readAnswer(res);
    } catch (err) {
      throw deadline.signal.aborted ? new RequestTimeout() : err;
    } finally {
      clearTimeout(timer);
    }
    const flat: Record<string, string | undefined> = {};
    for (const [k, v] of Object.entries(res.headers))
      flat[k.toLowerCase()] = Array.isArray(v) ? v.join(", ") : v;
    return { status: res.statusCode, headers: flat, text, json: tryJson(text), requestId };
  }

  private attemptsFor(req: PsnRequest): number {
    return req.retryable === false ? 1 : this.retry.attempts;
  }

  /** Exponential with "equal jitter": half fixed, half random, so retries of many calls spread out. */
  private backoff(failures: number): number {
    const ceiling = Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * 2 ** (failures - 1));
    return ceiling / 2 + (this.random() * ceiling) / 2;
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function tryJson(text: string): unknown {
  if (text.length === 0) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

class AnswerTooLarge extends Error {
  constructor(readonly status: number) {
    super("answer too large");
  }
}

/** The body as text, up to MAX_ANSWER_BYTES; past that the connection is dropped unread. */
async function readAnswer(res: Dispatcher.ResponseData): Promise<string> {
  const declared = Number(res.headers["content-length"]);
  if (declared > MAX_ANSWER_BYTES) {
    res.body.destroy();
    throw new AnswerTooLarge(res.statusCode);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res.body) {
    size += (chunk as Buffer).length;
    if (size > MAX_ANSWER_BYTES) {
      res.body.destroy();
      throw new AnswerTooLarge(res.statusCode);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

class RequestTimeout extends Error {
  readonly code = "PSN_REQUEST_TIMEOUT";
}

function networkReason(err: unknown): string {
  if (err instanceof RequestTimeout) return "timed out";
  const code = (err as { code?: unknown } | null)?.code;
  if (
    code === "UND_ERR_HEADERS_TIMEOUT" ||
    code === "UND_ERR_BODY_TIMEOUT" ||
    code === "UND_ERR_CONNECT_TIMEOUT"
  ) {
    return "timed out";
  }
  return typeof code === "string" ? `network error (${code})` : "network error";
}

export function parseAnswer<S extends z.ZodType>(
  endpoint: string,
  answer: RawAnswer,
  schema: S,
): z.output<S> {
  if (answer.json === undefined) {
    throw new PsnMalformedError(`PSN ${endpoint}: the answer is not JSON`, {
      endpoint,
      status: answer.status,
      requestId: answer.requestId,
    });
  }
  const parsed = schema.safeParse(answer.json);
  if (!parsed.success) {
    // Paths and messages only: zod can quote received values, which may be tokens.
    const where = parsed.error.issues
      .slice(0, 3)
      .map((i) => i.path.join(".") || "(root)")
      .join(", ");
    throw new PsnMalformedError(`PSN ${endpoint}: unexpected answer shape at ${where}`, {
      endpoint,
      status: answer.status,
      requestId: answer.requestId,
    });
  }
  return parsed.data;
}

/** The time PSN's headers name, as sent: the later of Retry-After and X-RateLimit-Next-Available. */
function requestedRetryAt(headers: Record<string, string | undefined>, now: number): number | null {
  const candidates: number[] = [];
  const retryAfter = headers["retry-after"]?.trim();
  if (retryAfter) {
    if (/^\d+(\.\d+)?$/.test(retryAfter)) candidates.push(now + Number(retryAfter) * 1000);
    else {
      const at = Date.parse(retryAfter);
      if (!Number.isNaN(at)) candidates.push(at);
    }
  }
  const next = headers["x-ratelimit-next-available"]?.trim();
  if (next && /^\d+(\.\d+)?$/.test(next)) candidates.push(Number(next) * 1000);
  return candidates.length > 0 ? Math.max(...candidates) : null;
}

/**
 * When PSN says the account may call again: the later of Retry-After and
 * X-RateLimit-Next-Available, a minute when it names neither, never more than
 * MAX_RATE_LIMIT_PAUSE_MS away.
 */
export function retryAtFrom(headers: Record<string, string | undefined>, now: number): Date {
  const asked = requestedRetryAt(headers, now) ?? now + DEFAULT_RATE_LIMIT_PAUSE_MS;
  return new Date(Math.min(asked, now + MAX_RATE_LIMIT_PAUSE_MS));
}

/** Status → typed error, quoting PSN's own message (never our request). */
export function mapErrorAnswer(endpoint: string, answer: RawAnswer, now: number): PsnError {
  const psn = apiErrorBody.safeParse(answer.json);
  const psnCode = psn.success ? psn.data.error.code : undefined;
  const said = psn.success && psn.data.error.message ? ` (${psn.data.error.message})` : "";
  const details = { endpoint, status: answer.status, psnCode, requestId: answer.requestId };
  const text = `PSN ${endpoint}: HTTP ${answer.status}${said}`;
  const s = answer.status;
  if (s === 401) {
    const expired = /expire/i.test(said);
    return new PsnAuthError(expired ? "expired_token" : "invalid_token", details);
  }
  if (s === 403) return new PsnForbiddenError(text, details);
  if (s === 404) return new PsnNotFoundError(text, details);
  if (s === 429) return new PsnRateLimitedError(text, retryAtFrom(answer.headers, now), "server", details);
  if (s >= 500) return new PsnUnavailableError(text, details);
  if (s >= 400) return new PsnBadRequestError(text, details);
  return new PsnMalformedError(`PSN ${endpoint}: unexpected HTTP ${s}`, details);
}
