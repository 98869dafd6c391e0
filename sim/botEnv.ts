import { randomBytes } from "node:crypto";
import { createServer } from "node:net";
import type { PsnSim } from "./psn/server.js";

/**
 * What it takes to run the real bot against the simulators: its environment, a free
 * port, the sign-in link out of a DM. Shared by the tests' world, the sandbox and the
 * benchmarks, so they all configure the bot the way an operator would.
 */

export const BOT_TOKEN = "e2e-bot-token.0123456789.abcdefghijklmnop";

export function testEnv(
  discordApiUrl: string,
  applicationId: string,
  databasePath: string,
): Record<string, string> {
  return {
    NODE_ENV: "test",
    LOG_LEVEL: "silent",
    DISCORD_TOKEN: BOT_TOKEN,
    DISCORD_APPLICATION_ID: applicationId,
    DISCORD_API_BASE_URL: discordApiUrl,
    PUBLIC_BASE_URL: "http://127.0.0.1:1",
    WEB_HOST: "127.0.0.1",
    WEB_PORT: "0",
    TOKEN_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
    DATABASE_PATH: databasePath,
    // Nothing listens here yet; the PSN simulator replaces these when it joins the world.
    PSN_AUTH_BASE_URL: "http://127.0.0.1:1",
    PSN_API_BASE_URL: "http://127.0.0.1:1",
    PSN_WEB_BASE_URL: "http://127.0.0.1:1",
    PSN_DMS_BASE_URL: "http://127.0.0.1:1",
    PSN_CLIENT_ID: "e2e-client",
    PSN_CLIENT_SECRET: "e2e-client-secret",
    PSN_REDIRECT_URI: "com.example.e2e://redirect",
  };
}

/** The bot's PSN settings pointing at a PSN simulator. */
export function psnEnv(psn: Pick<PsnSim, "url" | "clientId" | "clientSecret" | "redirectUri">): {
  [name: string]: string;
} {
  return {
    PSN_AUTH_BASE_URL: psn.url,
    PSN_API_BASE_URL: psn.url,
    PSN_WEB_BASE_URL: psn.url,
    PSN_DMS_BASE_URL: psn.url,
    PSN_CLIENT_ID: psn.clientId,
    PSN_CLIENT_SECRET: psn.clientSecret,
    PSN_REDIRECT_URI: psn.redirectUri,
  };
}

/** A TCP port free right now on `host` (127.0.0.1 by default). */
export async function freePort(host = "127.0.0.1"): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, host, () => resolve());
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address === "string") throw new Error("no port");
  return address.port;
}

/** The URL of the first link button in a message's components (Discord's JSON). */
export function linkButtonUrl(components: unknown): string {
  const rows = Array.isArray(components)
    ? (components as Array<{ components?: Array<{ url?: string }> }>)
    : [];
  const url = rows.flatMap((row) => row.components ?? []).find((c) => typeof c.url === "string")?.url;
  if (!url) throw new Error("the message has no link button");
  return url;
}
