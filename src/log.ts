import pino, { type Logger as PinoLogger } from "pino";
import { NoSecrets, SecretRegistry } from "./log/secrets.js";

export { SecretRegistry } from "./log/secrets.js";

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

/** The names a secret travels under in a query, a form, a JSON body or a "name: value" text. */
const SECRET_NAMES = "npsso|code|access_token|refresh_token|id_token|client_secret|state|token";
/** As above, in prose, where "state: needs_relink" is ordinary text. */
const SECRET_LABELS = "npsso|code|access_token|refresh_token|id_token|client_secret|token";

/**
 * The match with its value (the last group, at its end) blanked; but "code: ECONNRESET"
 * and "error code: 2105857" are what an operator searches for, and are kept.
 */
function blankValue(match: string, name: string, _between: string, value: string): string {
  if (name.toLowerCase() === "code" && (/^\d+$/.test(value) || ERROR_CODE.test(value))) return match;
  return `${match.slice(0, match.length - value.length)}[Redacted]`;
}

/**
 * Strings that look like secrets even when they sit inside a message, an error
 * text or a URL: JWTs, Bearer/Basic credentials, `npsso=`/`code=`/`*_token=` pairs
 * (URL-encoded too: `refresh_token%3D…`), the same names as JSON members
 * (`{"npsso":"…"}`, escaped or not) or as `npsso: …`, our own sign-in links
 * (`/link/<token>`) and Discord's interaction tokens, which travel in the path of
 * webhook and callback URLs that discord.js errors carry.
 */
const SECRET_PATTERNS: Array<[RegExp, string | ((match: string, ...groups: string[]) => string)]> = [
  [/eyJ[\w-]{5,}\.[\w-]{5,}\.[\w-]*/g, "[Redacted]"],
  [/\b(Bearer|Basic)\s+[\w\-.~+/=]{8,}/gi, "$1 [Redacted]"],
  [new RegExp(`\\b(${SECRET_NAMES})=([^&\\s"']+)`, "gi"), "$1=[Redacted]"],
  [new RegExp(`\\b(${SECRET_NAMES})%3D((?:(?!%26)[^&\\s"'])+)`, "gi"), "$1%3D[Redacted]"],
  [new RegExp(`\\\\?"(${SECRET_NAMES})(\\\\?"\\s*:\\s*\\\\?")((?:[^"\\\\]|\\\\[^"])+)`, "gi"), blankValue],
  [new RegExp(`\\b(${SECRET_LABELS})(\\s*:\\s*)([\\w.~+/%=-]{8,})`, "gi"), blankValue],
  [/(\/link\/)[A-Za-z0-9_-]{16,}/g, "$1[Redacted]"],
  [/(\/(?:webhooks|interactions)\/\d+\/)[\w.-]{16,}/g, "$1[Redacted]"],
];

/** One cheap test that rules out every pattern above, so ordinary strings cost a single scan. */
const MAY_HOLD_SECRET =
  /eyJ|bearer|basic|=|%3D|npsso|code|token|secret|state|\/link\/|\/webhooks\/|\/interactions\//i;

export function scrubSecrets(text: string): string {
  if (!MAY_HOLD_SECRET.test(text)) return text;
  let out = text;
  for (const [re, replacement] of SECRET_PATTERNS)
    out = out.replace(re, replacement as (match: string, ...groups: string[]) => string);
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

/**
 * Deeper than this, a value is replaced rather than walked. pino itself writes objects
 * only 5 levels deep (its `depthLimit`), so nothing it would print is left unscrubbed.
 */
const MAX_SCRUB_DEPTH = 12;

/** An error as pino's serializer writes it (message and stack with their causes), minus what was sent. */
function serializeError(err: Error): Record<string, unknown> {
  // discord.js errors carry what was sent (`requestBody`: a DM with a sign-in link);
  // of no use to a reader, so it is dropped rather than scrubbed.
  const { requestBody: _sent, ...s } = pino.stdSerializers.err(err);
  return s;
}

/**
 * A copy of `value` with every string scrubbed, at any depth: fields, arrays, errors
 * (message, stack, causes, own fields), objects with a `toJSON` (URL, Date) as JSON
 * would write them. What holds no secret is returned as it is, so an ordinary log line
 * allocates nothing and the caller's objects are never changed.
 */
function scrubValue(value: unknown, depth: number, seen: WeakSet<object>, scrub: Scrub): unknown {
  if (typeof value === "string") return scrub(value);
  if (value === null || typeof value !== "object") return value;
  if (depth > MAX_SCRUB_DEPTH) return "[...]";
  if (seen.has(value)) return "[Circular]";
  seen.add(value);
  try {
    if (value instanceof Error) return scrubValue(serializeError(value), depth, new WeakSet(), scrub);
    if (Array.isArray(value)) {
      let copy: unknown[] | undefined;
      value.forEach((v, i) => {
        const s = scrubValue(v, depth + 1, seen, scrub);
        if (s === v) return;
        copy ??= value.slice();
        copy[i] = s;
      });
      return copy ?? value;
    }
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === "function" && !(value instanceof Date)) {
      return scrubValue(toJSON.call(value), depth, seen, scrub);
    }
    let copy: Record<string, unknown> | undefined;
    for (const [k, v] of Object.entries(value)) {
      const s = scrubValue(v, depth + 1, seen, scrub);
      if (s === v) continue;
      copy ??= { ...value };
      copy[k] = s;
    }
    return copy ?? value;
  } finally {
    seen.delete(value);
  }
}

type Scrub = (text: string) => string;

/** A scrubber of whole values: the registered secrets' values first, then the patterns. */
function deepScrubber(secrets: SecretRegistry): (value: unknown) => unknown {
  // By value first: a pattern may blank part of a value and leave the rest unrecognisable.
  const scrub: Scrub = (text) => scrubSecrets(secrets.scrub(text));
  return (value) => scrubValue(value, 0, new WeakSet(), scrub);
}

export interface LogOptions {
  level?: string;
  /** Pretty, human-readable lines for a terminal; JSON lines otherwise. */
  pretty?: boolean;
  /** Where JSON lines go (tests pass a stream to read what was logged). */
  destination?: pino.DestinationStream;
  /** The secrets scrubbed by value from every line (a new registry by default; see secretsOf). */
  secrets?: SecretRegistry;
}

const SECRETS = Symbol("secrets");
const NO_SECRETS: SecretRegistry = new NoSecrets();

/**
 * The registry a logger scrubs by value, where the parts that receive, decrypt or send
 * a secret register it. Children share their root's. A logger that writes nothing
 * (silentLogger) has none worth feeding: registering with it does nothing.
 */
export function secretsOf(log: Logger): SecretRegistry {
  return (log as Logger & { [SECRETS]?: SecretRegistry })[SECRETS] ?? NO_SECRETS;
}

export function createLogger(options: LogOptions = {}): Logger {
  const secrets = options.secrets ?? new SecretRegistry();
  const scrubDeep = deepScrubber(secrets);
  const base: pino.LoggerOptions = {
    level: options.level ?? "info",
    redact: { paths: REDACT_PATHS, censor },
    serializers: {
      // Errors arrive here already serialized and scrubbed by the hook below; this
      // covers one that reaches pino another way.
      err: (err: unknown) => (err instanceof Error ? scrubDeep(err) : err) as pino.SerializedError,
    },
    hooks: {
      // Every argument, before pino reads it: secrets travel in any field (a PSN error
      // body quoted into a `reason`), in arrays, in errors' causes and stacks, and in
      // the message, which pino takes from an error's own when none is given.
      logMethod(args, method) {
        const scrubbed = args.map((a, i) =>
          i === 0 && a instanceof Error ? { err: scrubDeep(a) } : scrubDeep(a),
        );
        method.apply(this, scrubbed as Parameters<typeof method>);
      },
    },
  };
  const root = options.destination
    ? pino(base, options.destination)
    : options.pretty
      ? pino({
          ...base,
          transport: { target: "pino-pretty", options: { translateTime: "SYS:HH:MM:ss" } },
        })
      : pino(base);
  // Children are made with Object.create(parent): they find the registry on their root.
  Object.defineProperty(root, SECRETS, { value: secrets });
  return scrubbingChildren(root, scrubDeep);
}

/**
 * A child's bindings are written into every line it logs, and pino turns them into
 * text once, when the child is made, past the hooks. Children inherit `child` from
 * the root, so one override covers children of children too.
 */
function scrubbingChildren(root: Logger, scrubDeep: (value: unknown) => unknown): Logger {
  const child = root.child;
  root.child = function (this: Logger, bindings, options) {
    return child.call(this, scrubDeep(bindings) as typeof bindings, options);
  } as typeof child;
  return root;
}

/** A logger that drops everything, for tests that do not read logs. */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}
