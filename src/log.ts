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
 * Strings that look like secrets even when they sit inside a message or an error
 * text: JWTs, Bearer/Basic credentials, `npsso=`/`code=`/`*_token=` pairs.
 */
const SECRET_PATTERNS: RegExp[] = [
  /eyJ[\w-]{5,}\.[\w-]{5,}\.[\w-]*/g,
  /\b(Bearer|Basic)\s+[\w\-.~+/=]{8,}/gi,
  /\b(npsso|code|access_token|refresh_token|id_token|client_secret|state|token)=([^&\s"']+)/gi,
];

export function scrubSecrets(text: string): string {
  let out = text;
  for (const re of SECRET_PATTERNS) {
    out = out.replace(re, (match, key: string | undefined) => {
      if (match.includes("=") && key) return `${key}=[Redacted]`;
      if (/^(Bearer|Basic)/i.test(match)) return `${match.split(/\s+/)[0]} [Redacted]`;
      return "[Redacted]";
    });
  }
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
    redact: { paths: REDACT_PATHS, censor: "[Redacted]" },
    serializers: {
      err: (err: unknown) => {
        const s = pino.stdSerializers.err(err as Error);
        // Error messages and stacks can quote a URL or a header that carries a secret.
        if (typeof s.message === "string") s.message = scrubSecrets(s.message);
        if (typeof s.stack === "string") s.stack = scrubSecrets(s.stack);
        return s;
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
