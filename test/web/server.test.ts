import { randomBytes } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import type { LinkingDeps } from "../../src/accounts/linking.js";
import { openDatabase } from "../../src/db/client.js";
import { silentLogger } from "../../src/log.js";
import { createVault } from "../../src/vault.js";
import { startWebServer, type WebServer } from "../../src/web/server.js";

let server: WebServer | undefined;
let close: (() => void) | undefined;
afterEach(async () => {
  await server?.close();
  close?.();
  server = undefined;
});

async function start(health: { discordReady: boolean; dbOk: boolean }) {
  const database = openDatabase(":memory:");
  close = database.close;
  const linking: LinkingDeps = {
    db: database.db,
    vault: createVault(randomBytes(32)),
    psn: {
      signInWithNpsso: () => Promise.reject(new Error("not in this test")),
      signInWithCode: () => Promise.reject(new Error("not in this test")),
      authorizeUrl: () => "https://example.invalid/authorize",
    },
    log: silentLogger(),
    now: () => new Date(),
    publicBaseUrl: "http://127.0.0.1",
    notifier: { dm: () => Promise.reject(new Error("not in this test")) },
  };
  server = await startWebServer(
    {
      linking,
      signinMode: "npsso",
      log: silentLogger(),
      describeUser: async (id) => id,
      health: () => health,
    },
    { host: "127.0.0.1", port: 0 },
  );
  return server.url;
}

describe("web server", () => {
  it.each([
    [{ discordReady: true, dbOk: true }, 200, "ok"],
    [{ discordReady: false, dbOk: true }, 503, "unavailable"],
    [{ discordReady: true, dbOk: false }, 503, "unavailable"],
  ])("/healthz with %o answers %i", async (health, status, state) => {
    const url = await start(health);
    const answer = await fetch(`${url}/healthz`);
    expect(answer.status).toBe(status);
    const body = (await answer.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      status: state,
      discord: { ready: health.discordReady },
      db: { ok: health.dbOk },
    });
    expect(typeof body.uptimeSeconds).toBe("number");
  });

  it.each([
    ["GET", "/nowhere", 404],
    ["GET", "/oauth/callback?code=x&state=y", 404],
    ["DELETE", `/link/${"a".repeat(43)}`, 405],
  ])("%s %s → %i, with the security headers", async (method, path, status) => {
    const url = await start({ discordReady: true, dbOk: true });
    const answer = await fetch(`${url}${path}`, { method });
    expect(answer.status).toBe(status);
    expect(answer.headers.get("content-security-policy")).toBe(
      "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
    );
    expect(answer.headers.get("x-content-type-options")).toBe("nosniff");
  });

  it("a 405 lists the methods the path takes in Allow", async () => {
    const url = await start({ discordReady: true, dbOk: true });
    const answer = await fetch(`${url}/link/${"a".repeat(43)}`, { method: "PUT" });
    expect(answer.status).toBe(405);
    expect(answer.headers.get("allow")).toBe("GET, HEAD, POST");
  });

  it("refuses a body that is not a form, or too large", async () => {
    const url = await start({ discordReady: true, dbOk: true });
    const json = await fetch(`${url}/link/${"a".repeat(43)}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    expect(json.status).toBe(415);
    const big = await fetch(`${url}/link/${"a".repeat(43)}`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: `npsso=${"x".repeat(20_000)}`,
    });
    expect(big.status).toBe(413);
  });
});
