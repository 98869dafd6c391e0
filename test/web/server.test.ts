import { randomBytes } from "node:crypto";
import { connect } from "node:net";
import { Writable } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import type { LinkingDeps } from "../../src/accounts/linking.js";
import { openStore } from "../../src/db/store.js";
import { createLogger, silentLogger } from "../../src/log.js";
import { npssoSource, PSN_AUTH_BASE_URL } from "../../src/psn/auth.js";
import { createVault } from "../../src/vault.js";
import { startWebServer, type WebServer } from "../../src/web/server.js";

let server: WebServer | undefined;
let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await server?.close();
  await close?.();
  server = undefined;
});

/** Sends bytes as they are (fetch refuses a malformed target) and returns the whole answer. */
function rawRequest(url: string, request: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.end(request));
    let answer = "";
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      answer += chunk;
    });
    socket.on("end", () => resolve(answer));
    socket.on("error", reject);
  });
}

async function start(health: { discordReady: boolean; dbOk: boolean }, log = silentLogger()) {
  const database = await openStore(":memory:");
  close = () => database.close();
  const linking: LinkingDeps = {
    db: database,
    vault: createVault(randomBytes(32)),
    psn: {
      signInWithNpsso: () => Promise.reject(new Error("not in this test")),
      signInWithCode: () => Promise.reject(new Error("not in this test")),
      authorizeUrl: () => "https://example.invalid/authorize",
      npssoSource: () => npssoSource(PSN_AUTH_BASE_URL),
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
      log,
      describeUser: async (id) => id,
      health: async () => health,
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

  it.each([["http://["], ["http://a:99999/"], ["//[::1"]])(
    "answers 400, not 500, to the malformed request target %s, and logs no error",
    async (target) => {
      const lines: string[] = [];
      const log = createLogger({
        level: "debug",
        destination: new Writable({
          write(chunk, _enc, done) {
            lines.push(String(chunk));
            done();
          },
        }),
      });
      const url = await start({ discordReady: true, dbOk: true }, log);
      const answer = await rawRequest(url, `GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
      expect(answer).toMatch(/^HTTP\/1\.1 400 /);
      expect(answer.toLowerCase()).toContain("content-security-policy:");
      expect(lines.filter((l) => JSON.parse(l).level >= 50)).toEqual([]);
    },
  );

  it("a member who closes the tab while sending the form is not an error in the log", async () => {
    const lines: Array<{ level: number; msg: string }> = [];
    let logged: () => void = () => {};
    const firstLine = new Promise<void>((resolve) => {
      logged = resolve;
    });
    const log = createLogger({
      level: "debug",
      destination: new Writable({
        write(chunk, _enc, done) {
          const line = JSON.parse(String(chunk)) as { level: number; msg: string };
          if (line.msg !== "web server listening") {
            lines.push(line);
            logged();
          }
          done();
        },
      }),
    });
    const url = await start({ discordReady: true, dbOk: true }, log);
    const { hostname, port } = new URL(url);
    const socket = connect(Number(port), hostname, () => {
      socket.write(
        `POST /link/${"a".repeat(43)} HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\nnpsso=abc`,
        () => socket.destroy(),
      );
    });
    await firstLine;
    expect(lines).toEqual([expect.objectContaining({ level: 20 })]);
  });
});
