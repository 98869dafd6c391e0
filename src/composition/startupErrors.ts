/**
 * Why the bot could not start, in one line that names the setting to fix. The same
 * error code means different things at different steps (ENOTFOUND from listening is
 * WEB_HOST, from logging in it is DISCORD_API_BASE_URL), so startApp tags each error
 * with the step that raised it and the explanation reads the tag, not a guess.
 */
import { UnknownTokenKeyError } from "../accounts/tokenKeys.js";
import { explainStartupError as explainDiscordError } from "../bot/errors.js";
import { DatabaseDamagedError } from "../db/store.js";

export type StartupStep =
  | { step: "database"; path: string }
  | { step: "web"; host: string; port: number }
  | { step: "metrics"; host: string; port: number }
  | { step: "discord"; apiBaseUrl: string };

/** An error raised by one step of the start, carrying what that step was given. */
export class StartupError extends Error {
  constructor(
    readonly where: StartupStep,
    cause: unknown,
  ) {
    super(
      `start-up failed at the ${where.step} step: ${cause instanceof Error ? cause.message : String(cause)}`,
      {
        cause,
      },
    );
    this.name = "StartupError";
  }

  /** The code of the underlying error (ECONNREFUSED, SQLITE_NOTADB…), when it has one. */
  get code(): string | undefined {
    return codeOf(this.cause);
  }
}

/** Logging in to Discord (REST and gateway, until every server arrived) took longer than allowed. */
export class DiscordLoginTimeout extends Error {
  constructor(readonly timeoutMs: number) {
    super(`Discord did not complete the login within ${timeoutMs} ms`);
    this.name = "DiscordLoginTimeout";
  }
}

/** Runs one step of the start, tagging whatever it throws with the step. */
export async function startupStep<T>(where: StartupStep, run: () => T | Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    throw err instanceof StartupError ? err : new StartupError(where, err);
  }
}

function codeOf(err: unknown): string | undefined {
  for (let e = err, depth = 0; e && typeof e === "object" && depth < 4; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string") return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`;

function explainDatabase(path: string, code: string | undefined): string {
  switch (code) {
    case "SQLITE_NOTADB":
    case "SQLITE_CORRUPT":
      return `DATABASE_PATH ${path} is not a SQLite database (or is damaged). Point DATABASE_PATH at the bot's database file, or at a new file to start empty.`;
    case "EACCES":
    case "EPERM":
      return `The database at ${path} cannot be created or opened: permission denied. Check DATABASE_PATH, and that the bot's user may write to that folder.`;
    case "ENOTDIR":
    case "EEXIST":
    case "ENOENT":
      return `The folder of DATABASE_PATH ${path} cannot be created: part of the path is a file or missing. Check DATABASE_PATH.`;
    case "SQLITE_READONLY":
    case "EROFS":
      return `The database at ${path} is read-only. The bot writes to it and to its folder (the -wal and -shm files beside it): check DATABASE_PATH and the permissions or mount.`;
    case "SQLITE_CANTOPEN":
      return `The database at ${path} cannot be opened (a folder, or a folder the bot cannot write to?). Check DATABASE_PATH.`;
    case "SQLITE_BUSY":
    case "SQLITE_LOCKED":
      return `The database at ${path} is locked by another process (another copy of the bot?). Stop it, or give this one its own DATABASE_PATH.`;
    default:
      return `The database at ${path} could not be opened or brought up to date${code ? ` (${code})` : ""}. Check DATABASE_PATH.`;
  }
}

/** The settings behind a listener: the web server's, or the metrics listener's. */
const LISTEN_SETTINGS = {
  web: { what: "The web server", host: "WEB_HOST", port: "WEB_PORT" },
  metrics: { what: "The metrics listener", host: "METRICS_HOST", port: "METRICS_PORT" },
} as const;

function explainListen(
  host: string,
  port: number,
  code: string | undefined,
  names: (typeof LISTEN_SETTINGS)[keyof typeof LISTEN_SETTINGS],
): string {
  const { what, host: HOST, port: PORT } = names;
  switch (code) {
    case "EADDRINUSE":
      return `${what} cannot listen on ${host}:${port}: the port is already in use. Set ${PORT} to a free port, or stop what is using it.`;
    case "EADDRNOTAVAIL":
      return `${what} cannot listen on ${host}: it is not an address of this machine. Set ${HOST} to one of its addresses, or to 0.0.0.0 for all of them.`;
    case "ENOTFOUND":
    case "EAI_AGAIN":
    case "EAI_NONAME":
    case "EAI_FAIL":
      return `${HOST} ${host} does not resolve to an address. Set ${HOST} to an address of this machine, or to 0.0.0.0 for all of them.`;
    case "EACCES":
    case "EPERM":
      return `${what} may not listen on port ${port} (ports below 1024 need privileges). Set ${PORT} to 1024 or above; the reverse proxy still serves 443.`;
    default:
      return `${what} could not listen on ${host}:${port}${code ? ` (${code})` : ""}. Check ${HOST} and ${PORT}.`;
  }
}

const UNREACHABLE = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EAI_NONAME",
  "EAI_FAIL",
  "ECONNRESET",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ETIMEDOUT",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_SOCKET",
  "CERT_HAS_EXPIRED",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
]);

function explainDiscord(apiBaseUrl: string, cause: unknown, code: string | undefined): string | null {
  if (cause instanceof DiscordLoginTimeout) {
    return `Discord did not answer within ${seconds(cause.timeoutMs)} (DISCORD_API_BASE_URL ${apiBaseUrl}). Check the network and DISCORD_API_BASE_URL, then start again; DISCORD_LOGIN_TIMEOUT_SECONDS sets how long to wait.`;
  }
  // discord.js's own REST timeout, when it fires before ours.
  if (cause instanceof Error && cause.name === "AbortError") {
    return `Discord did not answer in time (DISCORD_API_BASE_URL ${apiBaseUrl}). Check the network and DISCORD_API_BASE_URL, then start again.`;
  }
  if (code && UNREACHABLE.has(code)) {
    return `Could not reach the Discord API at ${apiBaseUrl} (${code}). Check the network and DISCORD_API_BASE_URL.`;
  }
  return explainDiscordError(cause);
}

/** One line naming the cause and the setting to change, or null for an error it does not recognise. */
export function explainStartupFailure(err: unknown): string | null {
  // Already says what is wrong and what to do.
  if (err instanceof UnknownTokenKeyError) return err.message;
  if (err instanceof DatabaseDamagedError) return err.message;
  if (!(err instanceof StartupError)) return null;
  if (err.cause instanceof DatabaseDamagedError) return err.cause.message;
  const { where } = err;
  switch (where.step) {
    case "database":
      return explainDatabase(where.path, err.code);
    case "web":
      return explainListen(where.host, where.port, err.code, LISTEN_SETTINGS.web);
    case "metrics":
      return explainListen(where.host, where.port, err.code, LISTEN_SETTINGS.metrics);
    case "discord":
      return explainDiscord(where.apiBaseUrl, err.cause, err.code);
  }
}
