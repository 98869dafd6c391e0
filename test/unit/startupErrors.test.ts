import { once } from "node:events";
import { createServer } from "node:http";
import { describe, expect, it } from "vitest";
import {
  DiscordLoginTimeout,
  explainStartupFailure,
  StartupError,
  type StartupStep,
  startupStep,
} from "../../src/composition/startupErrors.js";

const web: StartupStep = { step: "web", host: "psn.example.test", port: 8080 };
const database: StartupStep = { step: "database", path: "/data/bot.sqlite" };
const discord: StartupStep = { step: "discord", apiBaseUrl: "https://discord.com/api" };
const coded = (code: string, message = code) => Object.assign(new Error(message), { code });
/** As undici reports a failed connection: the code on the cause. */
const fetchFailed = (code: string) => new TypeError("fetch failed", { cause: coded(code) });

describe("explainStartupFailure", () => {
  it.each<[string, StartupStep, unknown, RegExp[], RegExp | null]>([
    [
      "web: port in use",
      web,
      coded("EADDRINUSE"),
      [/psn\.example\.test:8080/, /already in use/, /WEB_PORT/],
      /Discord/,
    ],
    [
      "web: not our address",
      web,
      coded("EADDRNOTAVAIL"),
      [/not an address of this machine/, /WEB_HOST/],
      /Discord/,
    ],
    [
      "web: host does not resolve",
      web,
      coded("ENOTFOUND"),
      [/WEB_HOST psn\.example\.test does not resolve/],
      /Discord/,
    ],
    ["web: privileged port", web, coded("EACCES"), [/WEB_PORT to 1024 or above/], /Discord/],
    ["web: anything else", web, coded("EMFILE"), [/EMFILE/, /WEB_HOST and WEB_PORT/], null],
    [
      "database: not a database",
      database,
      coded("SQLITE_NOTADB"),
      [/not a SQLite database/, /DATABASE_PATH/],
      null,
    ],
    [
      "database: permission denied",
      database,
      coded("EACCES"),
      [/permission denied/, /DATABASE_PATH/],
      /Discord/,
    ],
    [
      "database: folder not creatable",
      database,
      coded("ENOENT"),
      [/cannot be created/, /DATABASE_PATH/],
      null,
    ],
    ["database: read-only", database, coded("SQLITE_READONLY"), [/read-only/, /DATABASE_PATH/], null],
    ["database: read-only mount", database, coded("EROFS"), [/read-only/], null],
    ["database: locked", database, coded("SQLITE_BUSY"), [/another copy of the bot/], null],
    [
      "database: a migration failing",
      database,
      coded("SQLITE_ERROR"),
      [/SQLITE_ERROR/, /DATABASE_PATH/],
      null,
    ],
    [
      "discord: refused",
      discord,
      fetchFailed("ECONNREFUSED"),
      [
        /Could not reach the Discord API at https:\/\/discord\.com\/api \(ECONNREFUSED\)/,
        /DISCORD_API_BASE_URL/,
      ],
      null,
    ],
    ["discord: does not resolve", discord, fetchFailed("ENOTFOUND"), [/DISCORD_API_BASE_URL/], /WEB_HOST/],
    [
      "discord: never answers",
      discord,
      new DiscordLoginTimeout(30_000),
      [
        /did not answer within 30 s/,
        /DISCORD_API_BASE_URL https:\/\/discord\.com\/api/,
        /DISCORD_LOGIN_TIMEOUT_SECONDS/,
      ],
      null,
    ],
    [
      "discord: REST gave up",
      discord,
      Object.assign(new Error("This operation was aborted"), { name: "AbortError" }),
      [/did not answer in time/, /DISCORD_API_BASE_URL/],
      null,
    ],
    [
      "discord: bad token",
      discord,
      coded("TokenInvalid", "An invalid token was provided."),
      [/DISCORD_TOKEN/],
      null,
    ],
  ])("%s", (_name, where, cause, says, never) => {
    const text = explainStartupFailure(new StartupError(where, cause));
    for (const re of says) expect(text).toMatch(re);
    if (never) expect(text).not.toMatch(never);
  });

  it("does not guess at an error no step tagged, nor at an unknown Discord failure", () => {
    expect(explainStartupFailure(coded("ECONNREFUSED"))).toBeNull();
    expect(explainStartupFailure(new StartupError(discord, new Error("something new")))).toBeNull();
  });
});

describe("startupStep with real listen failures", () => {
  async function listenFailure(host: string, port: number): Promise<unknown> {
    const where: StartupStep = { step: "web", host, port };
    return startupStep(where, async () => {
      const server = createServer();
      server.listen(port, host);
      await once(server, "listening");
      server.close();
    }).then(
      () => {
        throw new Error("expected the listen to fail");
      },
      (err: unknown) => err,
    );
  }

  it("an unresolvable WEB_HOST names WEB_HOST, not Discord", async () => {
    const err = await listenFailure("no-such-host.invalid", 0);
    expect(err).toBeInstanceOf(StartupError);
    expect((err as StartupError).code).toBe("ENOTFOUND");
    expect(explainStartupFailure(err)).toMatch(/^WEB_HOST no-such-host\.invalid does not resolve/);
  });

  it("a WEB_HOST that is not this machine's names WEB_HOST", async () => {
    // 192.0.2.0/24 is reserved for documentation: never a local address.
    const err = await listenFailure("192.0.2.7", 0);
    expect((err as StartupError).code).toBe("EADDRNOTAVAIL");
    expect(explainStartupFailure(err)).toMatch(/WEB_HOST/);
  });
});
