import { existsSync, readFileSync } from "node:fs";
import { z } from "zod";

/**
 * The bot's whole configuration comes from the environment (and a `.env` file when
 * present). Every problem is reported at once, one line per variable, so an operator
 * fixes a new install in one pass instead of one restart per missing variable.
 */

const DEFAULT_PSN_SCOPE = "psn:mobile.v2.core psn:clientapp";

const url = (what: string) =>
  z
    .string()
    .trim()
    .url(`expected an absolute http(s) URL: ${what}`)
    .refine((u) => /^https?:\/\//.test(u), `expected an absolute http(s) URL: ${what}`)
    .transform((u) => u.replace(/\/+$/, ""));

const int = (min: number, max: number, what: string) =>
  z.coerce
    .number({ error: `expected ${what}` })
    .int(`expected ${what} (a whole number)`)
    .min(min, `expected ${what} of at least ${min}`)
    .max(max, `expected ${what} of at most ${max}`);

const encryptionKey = z
  .string()
  .trim()
  .refine((v) => {
    const bytes = Buffer.from(v, "base64");
    return bytes.length === 32 && bytes.toString("base64") === v.replace(/\s/g, "");
  }, "expected 32 random bytes in base64");

const snowflake = (what: string) =>
  z
    .string()
    .trim()
    .regex(/^\d{17,20}$/, `expected ${what} (a 17-20 digit Discord id)`);

export const envSchema = z
  .object({
    NODE_ENV: z.enum(["development", "production", "test"]).default("production"),
    LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
    /** Unset: pretty in development, JSON otherwise (what NODE_ENV alone used to decide). */
    LOG_FORMAT: z.enum(["json", "pretty"], { error: "expected json or pretty" }).optional(),

    DISCORD_TOKEN: z.string().trim().min(20, "expected a bot token"),
    DISCORD_APPLICATION_ID: snowflake("the application id"),
    DISCORD_API_BASE_URL: url("the Discord API base URL").default("https://discord.com/api"),
    /** How long logging in (REST, gateway, every server arriving) may take before the start fails. */
    DISCORD_LOGIN_TIMEOUT_SECONDS: int(1, 600, "a timeout in seconds").default(30),
    /** Commands go to this one server only (at once), instead of globally. */
    DISCORD_DEV_GUILD_ID: snowflake("a server id (Developer Mode → Copy Server ID)").optional(),

    PUBLIC_BASE_URL: url("the sign-in page's address"),
    WEB_HOST: z.string().trim().min(1).default("0.0.0.0"),
    WEB_PORT: int(0, 65535, "a TCP port").default(8080),
    /** Set: /metrics only on METRICS_HOST:METRICS_PORT, off the public server. Unset: on the web server. */
    METRICS_PORT: int(0, 65535, "a TCP port").optional(),
    METRICS_HOST: z.string().trim().min(1).default("127.0.0.1"),

    TOKEN_ENCRYPTION_KEY: encryptionKey,
    /** The previous key while rotating: still decrypts, never encrypts. */
    TOKEN_ENCRYPTION_KEY_OLD: encryptionKey.optional(),
    /** Key ids (comma-separated) whose key is gone for good: their members are asked to link again. */
    TOKEN_ENCRYPTION_KEY_LOST: z
      .string()
      .trim()
      .regex(
        /^[0-9a-f]{8}(\s*,\s*[0-9a-f]{8})*$/,
        "expected key ids as the bot names them, e.g. 1a2b3c4d,5e6f7a8b",
      )
      .transform((v) => v.split(",").map((id) => id.trim()))
      .optional(),

    DATABASE_PATH: z.string().trim().min(1).default("./data/bot.sqlite"),

    POLL_INTERVAL: int(5, 3600, "the poll interval in seconds").default(30),
    POLL_CONCURRENCY: int(1, 256, "how many members are polled at once").default(32),

    PSN_AUTH_BASE_URL: url("the PSN auth base URL").default("https://ca.account.sony.com"),
    PSN_API_BASE_URL: url("the PSN API base URL").default("https://m.np.playstation.com"),
    PSN_WEB_BASE_URL: url("the PSN web base URL").default("https://web.np.playstation.com"),
    PSN_DMS_BASE_URL: url("the PSN accounts base URL").default("https://dms.api.playstation.com"),
    PSN_CLIENT_ID: z.string().trim().min(1, "required, not set"),
    PSN_CLIENT_SECRET: z.string().trim().min(1, "required, not set"),
    PSN_REDIRECT_URI: z.string().trim().min(1, "required, not set"),
    PSN_SCOPE: z.string().trim().min(1).default(DEFAULT_PSN_SCOPE),
    /** npsso: members paste their NPSSO; oauth: a real redirect to PUBLIC_BASE_URL/oauth/callback. */
    PSN_SIGNIN_MODE: z.enum(["npsso", "oauth"], { error: "expected npsso or oauth" }).default("npsso"),
    PSN_TIMEOUT_MS: int(500, 120_000, "a timeout in milliseconds").default(10_000),
    PSN_BUDGET_REQUESTS: int(1, 10_000, "a request count").default(300),
    PSN_BUDGET_WINDOW_SECONDS: int(1, 86_400, "a window in seconds").default(900),
  })
  .superRefine((env, ctx) => {
    if (env.METRICS_PORT !== undefined && env.METRICS_PORT !== 0 && env.METRICS_PORT === env.WEB_PORT) {
      ctx.addIssue({
        code: "custom",
        path: ["METRICS_PORT"],
        message: "expected a port other than WEB_PORT (leave METRICS_PORT unset to serve /metrics there)",
      });
    }
    if (env.PSN_SIGNIN_MODE === "oauth" && env.PSN_REDIRECT_URI !== `${env.PUBLIC_BASE_URL}/oauth/callback`) {
      ctx.addIssue({
        code: "custom",
        path: ["PSN_REDIRECT_URI"],
        message: `in oauth mode expected ${env.PUBLIC_BASE_URL}/oauth/callback`,
      });
    }
  });

export type Env = z.infer<typeof envSchema>;

type EnvInput = z.input<typeof envSchema>;
/** The variables without a default: the bot cannot start until each is set. */
export type RequiredVariable = {
  [K in keyof EnvInput]-?: undefined extends EnvInput[K] ? never : K;
}[keyof EnvInput];

/**
 * Where each required value comes from, added to any problem with it: a new operator
 * learns what to do from the error alone. The type makes a new required variable
 * without a hint a compile error.
 */
export const requiredHints: Record<RequiredVariable, string> = {
  DISCORD_TOKEN:
    "Discord developer portal (https://discord.com/developers/applications) → your application → Bot → Reset Token",
  DISCORD_APPLICATION_ID:
    "Discord developer portal (https://discord.com/developers/applications) → your application → General Information → Application ID",
  PUBLIC_BASE_URL:
    "the https:// address members open, served by your HTTPS reverse proxy in front of WEB_PORT, e.g. https://psn.example.com",
  TOKEN_ENCRYPTION_KEY:
    "generate one with `openssl rand -base64 32` or `node -e \"console.log(require('crypto').randomBytes(32).toString('base64'))\"`, and keep it apart from the backups",
  PSN_CLIENT_ID:
    'the id of the PSN OAuth client you use (README, Setup, "A PSN client"); the repository ships none',
  PSN_CLIENT_SECRET:
    'the secret of the PSN OAuth client you use (README, Setup, "A PSN client"); the repository ships none',
  PSN_REDIRECT_URI:
    "the redirect URI registered for that PSN client (in oauth mode, PUBLIC_BASE_URL/oauth/callback)",
};

function isRequired(name: string): name is RequiredVariable {
  return Object.hasOwn(requiredHints, name);
}

export interface Config {
  env: Env["NODE_ENV"];
  logLevel: Env["LOG_LEVEL"];
  logFormat: "json" | "pretty";
  discord: {
    token: string;
    applicationId: string;
    apiBaseUrl: string;
    devGuildId: string | null;
    loginTimeoutMs: number;
  };
  web: { publicBaseUrl: string; host: string; port: number };
  /** port null: /metrics is served by the web server. */
  metrics: { host: string; port: number | null };
  encryption: { key: Buffer; oldKey: Buffer | null; lostKeyIds: string[] };
  databasePath: string;
  poll: { intervalSeconds: number; concurrency: number };
  psn: {
    authBaseUrl: string;
    apiBaseUrl: string;
    webBaseUrl: string;
    dmsBaseUrl: string;
    clientId: string;
    clientSecret: string;
    redirectUri: string;
    scope: string;
    signinMode: "npsso" | "oauth";
    timeoutMs: number;
    budget: { requests: number; windowMs: number };
  };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Configuration is not valid:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

/** Parses the environment into a Config, or throws a ConfigError listing every problem. */
export function parseConfig(source: Record<string, string | undefined>): Config {
  // Empty strings in .env files mean "not set", not "set to nothing".
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ""));
  const result = envSchema.safeParse(cleaned);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const name = issue.path.join(".") || "environment";
      const message =
        issue.code === "invalid_type" && cleaned[name] === undefined ? "required, not set" : issue.message;
      return isRequired(name) ? `${name}: ${message} — ${requiredHints[name]}` : `${name}: ${message}`;
    });
    throw new ConfigError([...new Set(problems)].sort());
  }
  const e = result.data;
  return {
    env: e.NODE_ENV,
    logLevel: e.LOG_LEVEL,
    logFormat: e.LOG_FORMAT ?? (e.NODE_ENV === "development" ? "pretty" : "json"),
    discord: {
      token: e.DISCORD_TOKEN,
      applicationId: e.DISCORD_APPLICATION_ID,
      apiBaseUrl: e.DISCORD_API_BASE_URL,
      devGuildId: e.DISCORD_DEV_GUILD_ID ?? null,
      loginTimeoutMs: e.DISCORD_LOGIN_TIMEOUT_SECONDS * 1000,
    },
    web: { publicBaseUrl: e.PUBLIC_BASE_URL, host: e.WEB_HOST, port: e.WEB_PORT },
    metrics: { host: e.METRICS_HOST, port: e.METRICS_PORT ?? null },
    encryption: {
      key: Buffer.from(e.TOKEN_ENCRYPTION_KEY, "base64"),
      oldKey: e.TOKEN_ENCRYPTION_KEY_OLD ? Buffer.from(e.TOKEN_ENCRYPTION_KEY_OLD, "base64") : null,
      lostKeyIds: e.TOKEN_ENCRYPTION_KEY_LOST ?? [],
    },
    databasePath: e.DATABASE_PATH,
    poll: { intervalSeconds: e.POLL_INTERVAL, concurrency: e.POLL_CONCURRENCY },
    psn: {
      authBaseUrl: e.PSN_AUTH_BASE_URL,
      apiBaseUrl: e.PSN_API_BASE_URL,
      webBaseUrl: e.PSN_WEB_BASE_URL,
      dmsBaseUrl: e.PSN_DMS_BASE_URL,
      clientId: e.PSN_CLIENT_ID,
      clientSecret: e.PSN_CLIENT_SECRET,
      redirectUri: e.PSN_REDIRECT_URI,
      scope: e.PSN_SCOPE,
      signinMode: e.PSN_SIGNIN_MODE,
      timeoutMs: e.PSN_TIMEOUT_MS,
      budget: { requests: e.PSN_BUDGET_REQUESTS, windowMs: e.PSN_BUDGET_WINDOW_SECONDS * 1000 },
    },
  };
}

/**
 * Reads KEY=VALUE lines. Values already in the real environment win, so a
 * container's variables override a stale .env file.
 */
export function readDotEnv(path: string): Record<string, string> {
  if (!existsSync(path)) return {};
  const out: Record<string, string> = {};
  for (const raw of readFileSync(path, "utf8").split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const match = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!match) continue;
    let value = match[2] ?? "";
    const quoted = /^(['"])(.*)\1$/.exec(value);
    if (quoted) value = quoted[2] ?? "";
    else value = value.replace(/\s+#.*$/, "");
    out[match[1] as string] = value;
  }
  return out;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, dotEnvPath = ".env"): Config {
  return parseConfig({ ...readDotEnv(dotEnvPath), ...env });
}
