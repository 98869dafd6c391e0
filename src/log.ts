import pino, { type Logger as PinoLogger } from "pino";

export type Logger = PinoLogger;

/**
 * Paths pino blanks out wherever they appear in a log record. Secrets travel under
 * a handful of names (in our own objects, in undici/discord.js errors, in request
 * headers), so the list names each at the top level and one or two levels down.
 */
const SECRET_KEYS = [
  "accessToken",
  "access_token",
  "refreshToken",
  "refresh_token",
  "idToken",
  "id_token",
  "npsso",
  "code",
  "authorizationCode",
  "token",
  "clientSecret",
  "client_secret",
  "password",
  "encryptionKey",
  "TOKEN_ENCRYPTION_KEY",
  "TOKEN_ENCRYPTION_KEY_OLD",
  "DISCORD_TOKEN",
  "PSN_CLIENT_SECRET",
  "authorization",
  "Authorization",
  "cookie",
  "Cookie",
  "set-cookie",
];

export const REDACT_PATHS = [
  ...SECRET_KEYS,
  ...SECRET_KEYS.map((k) => `*.${k}`),
  ...SECRET_KEYS.map((k) => `*.*.${k}`),
  "headers.authorization",
  "headers.cookie",
  "req.headers.authorization",
  "req.headers.cookie",
];

/**
 * Strings that look like secrets even when they sit inside a message, an error
 * text or a URL: JWTs, Bearer/Basic credentials, `npsso=`/`code=`/`*_token=` pairs,
 * our own sign-in links (`/link/<token>`) and Discord's interaction tokens, which
 * travel in the path of webhook and callback URLs that discord.js errors carry.
 */
const SECRET_PATTERNS: Array<[RegExp, string]> = [
  [/eyJ[\w-]{5,}\.[\w-]{5,}\.[\w-]*/g, "[Redacted]"],
  [/\b(Bearer|Basic)\s+[\w\-.~+/=]{8,}/gi, "$1 [Redacted]"],
  [
    /\b(npsso|code|access_token|refresh_token|id_token|client_secret|state|token)=([^&\s"']+)/gi,
    "$1=[Redacted]",
  ],
  [/(\/link\/)[A-Za-z0-9_-]{16,}/g, "$1[Redacted]"],
  [/(\/(?:webhooks|interactions)\/\d+\/)[\w.-]{16,}/g, "$1[Redacted]"],
];

export function scrubSecrets(text: string): string {
  let out = text;
  for (const [re, replacement] of SECRET_PATTERNS) out = out.replace(re, replacement);
  return out;
}

/**
 * Error codes are what an operator searches for (ECONNREFUSED, UND_ERR_CONNECT_TIMEOUT,
 * SQLITE_BUSY, TokenInvalid, Discord's numeric 50007), so a `code` that looks like
 * one is kept; any other `code` may be an OAuth authorization code and is blanked.
 */
const ERROR_CODE = /^(?:E[A-Z]+|[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+|(?:[A-Z][a-z]+){2,})$/;

function censor(value: unknown, path: string[]): unknown {
  if (path[path.length - 1] === "code") {
    if (typeof value === "number") return value;
    if (typeof value === "string" && value.length <= 64 && ERROR_CODE.test(value)) return value;
  }
  return "[Redacted]";
}

/** Every string of a serialized error scrubbed, depth-limited (errors can be cyclic through `cause`). */
function scrubDeep(value: unknown, depth = 0): unknown {
  if (typeof value === "string") return scrubSecrets(value);
  if (depth > 4 || value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((v) => scrubDeep(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = scrubDeep(v, depth + 1);
  return out;
}

export interface LogOptions {
  level?: string;
  /** Pretty, human-readable lines for a terminal; JSON lines otherwise. */
  pretty?: boolean;
  /** Where JSON lines go (tests pass a stream to read what was logged). */
  destination?: pino.DestinationStream;
}

export function createLogger(options: LogOptions = {}): Logger {
  const base: pino.LoggerOptions = {
    level: options.level ?? "info",
    redact: { paths: REDACT_PATHS, censor },
    serializers: {
      err: (err: unknown) => {
        // discord.js errors carry what was sent (`requestBody`: a DM with a sign-in
        // link) and where (`url`: an interaction token); messages and stacks can
        // quote a URL or a header. Only the request body is of no use to a reader.
        const { requestBody: _sent, ...s } = pino.stdSerializers.err(err as Error);
        return scrubDeep(s) as pino.SerializedError;
      },
    },
    hooks: {
      logMethod(args, method) {
        const scrubbed = args.map((a) => (typeof a === "string" ? scrubSecrets(a) : a));
        method.apply(this, scrubbed as Parameters<typeof method>);
      },
    },
  };
  if (options.destination) return pino(base, options.destination);
  if (options.pretty) {
    return pino({
      ...base,
      transport: { target: "pino-pretty", options: { translateTime: "SYS:HH:MM:ss" } },
    });
  }
  return pino(base);
}

/** A logger that drops everything, for tests that do not read logs. */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}
