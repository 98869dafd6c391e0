/**
 * The container's HEALTHCHECK (`node dist/healthcheck.js`): exits 0 when the bot's own
 * `/healthz` answers 200, 1 otherwise. Slim images have no curl, and this reads the
 * same WEB_HOST/WEB_PORT the bot listens on, so the two cannot disagree.
 */
import { z } from "zod";
import { readDotEnv } from "./config.js";

const TIMEOUT_MS = 4000;

const listenSchema = z.object({
  WEB_HOST: z.string().trim().min(1).default("0.0.0.0"),
  WEB_PORT: z.coerce.number().int().min(1).max(65535).default(8080),
});

/** Where to ask: a wildcard listen address is reached through loopback. */
function healthzUrl(source: Record<string, string | undefined>): string {
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ""));
  const env = listenSchema.parse(cleaned);
  const wildcard = env.WEB_HOST === "0.0.0.0" || env.WEB_HOST === "::";
  const host = wildcard ? "127.0.0.1" : env.WEB_HOST;
  return `http://${host.includes(":") ? `[${host}]` : host}:${env.WEB_PORT}/healthz`;
}

async function check(): Promise<number> {
  const url = healthzUrl({ ...readDotEnv(".env"), ...process.env });
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS) });
    const body = await res.text();
    if (res.ok) return 0;
    process.stderr.write(`unhealthy: ${res.status} ${body.slice(0, 500)}\n`);
  } catch (err) {
    process.stderr.write(`unhealthy: ${url}: ${err instanceof Error ? err.message : String(err)}\n`);
  }
  return 1;
}

process.exitCode = await check();
