import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { describe, expect, it } from "vitest";
import { envSchema, parseConfig, readDotEnv, requiredHints } from "../../src/config.js";
import { configProblems, VALID_ENV as valid } from "../support/config.js";

const problems = configProblems;

describe("configuration", () => {
  it("applies the documented defaults", () => {
    const c = parseConfig(valid);
    expect(c.databasePath).toBe("./data/bot.sqlite");
    expect(c.poll.intervalSeconds).toBe(30);
    expect(c.web.port).toBe(8080);
    expect(c.web.publicBaseUrl).toBe("https://psn.example.com");
    expect(c.psn.authBaseUrl).toBe("https://ca.account.sony.com");
    expect(c.psn.apiBaseUrl).toBe("https://m.np.playstation.com");
    expect(c.psn.webBaseUrl).toBe("https://web.np.playstation.com");
    expect(c.discord.apiBaseUrl).toBe("https://discord.com/api");
    expect(c.psn.budget).toEqual({ requests: 300, windowMs: 900_000 });
    expect(c.encryption.key.length).toBe(32);
  });

  it("lists every missing required variable at once, one line each", () => {
    const names = problems({}).map((p) => p.split(":")[0]);
    expect(names).toEqual([
      "DISCORD_APPLICATION_ID",
      "DISCORD_TOKEN",
      "PSN_CLIENT_ID",
      "PSN_CLIENT_SECRET",
      "PSN_REDIRECT_URI",
      "PUBLIC_BASE_URL",
      "TOKEN_ENCRYPTION_KEY",
    ]);
  });

  // What an operator must look up or make, per required variable: the hint's telling part.
  const hints: Array<[string, string]> = [
    ["DISCORD_TOKEN", "Bot → Reset Token"],
    ["DISCORD_APPLICATION_ID", "General Information → Application ID"],
    ["PUBLIC_BASE_URL", "HTTPS reverse proxy in front of WEB_PORT"],
    ["TOKEN_ENCRYPTION_KEY", "openssl rand -base64 32"],
    ["PSN_CLIENT_ID", '"A PSN client"'],
    ["PSN_CLIENT_SECRET", '"A PSN client"'],
    ["PSN_REDIRECT_URI", "the redirect URI registered for that PSN client"],
  ];

  it("has a hint for exactly the variables without a default", () => {
    const required = Object.entries(envSchema.shape)
      .filter(([, schema]) => !schema.safeParse(undefined).success)
      .map(([name]) => name);
    expect(required.sort()).toEqual(hints.map(([name]) => name).sort());
    expect(Object.keys(requiredHints).sort()).toEqual(required);
  });

  it.each(hints)("says where %s comes from when it is missing, and when it is wrong", (name, hint) => {
    const without = Object.fromEntries(Object.entries(valid).filter(([key]) => key !== name));
    expect(problems(without)).toEqual([expect.stringMatching(new RegExp(`^${name}: required, not set — `))]);
    expect(problems(without)[0]).toContain(hint);
    const wrong = problems({ ...valid, [name]: " " });
    expect(wrong).toHaveLength(1);
    expect(wrong[0]).toContain(hint);
  });

  it("gives the key's generating command in the line, not only a pointer to the docs", () => {
    const [line] = problems({ ...valid, TOKEN_ENCRYPTION_KEY: "c2hvcnQ=" });
    expect(line).toContain("`openssl rand -base64 32`");
    expect(line).toContain("randomBytes(32).toString('base64')");
  });

  it.each([
    ["WEB_PORT", "http", "WEB_PORT: expected a TCP port"],
    ["POLL_INTERVAL", "1", "POLL_INTERVAL: expected the poll interval in seconds of at least 5"],
    ["TOKEN_ENCRYPTION_KEY", "c2hvcnQ=", "TOKEN_ENCRYPTION_KEY: expected 32 random bytes in base64"],
    ["PUBLIC_BASE_URL", "psn.example.com", "PUBLIC_BASE_URL: expected an absolute http(s) URL"],
    ["DISCORD_APPLICATION_ID", "abc", "DISCORD_APPLICATION_ID: expected the application id"],
    ["PSN_SIGNIN_MODE", "password", "PSN_SIGNIN_MODE: expected npsso or oauth"],
  ])("names %s when it is %j", (name, value, expected) => {
    const found = problems({ ...valid, [name]: value });
    expect(found).toHaveLength(1);
    expect(found[0]).toContain(expected);
  });

  it("requires the callback redirect URI in oauth mode", () => {
    expect(problems({ ...valid, PSN_SIGNIN_MODE: "oauth" })[0]).toContain(
      "PSN_REDIRECT_URI: in oauth mode expected https://psn.example.com/oauth/callback",
    );
    expect(
      problems({
        ...valid,
        PSN_SIGNIN_MODE: "oauth",
        PSN_REDIRECT_URI: "https://psn.example.com/oauth/callback",
      }),
    ).toEqual([]);
  });

  it("reads a .env file, with quotes, comments and export", () => {
    const dir = mkdtempSync(join(tmpdir(), "ppb-env-"));
    const file = join(dir, ".env");
    writeFileSync(file, `# comment\nexport A=1\nB="two words"\nC=3 # trailing\nD=\n`);
    expect(readDotEnv(file)).toEqual({ A: "1", B: "two words", C: "3", D: "" });
    rmSync(dir, { recursive: true });
  });

  it("npm start with an empty environment prints what is missing and exits 1 without a stack trace", () => {
    // What `npm start` runs: the build, then the compiled entry point (here from an
    // empty folder, so no .env of the developer's is read).
    const root = process.cwd();
    const build = spawnSync(join(root, "node_modules/.bin/tsc"), ["-p", join(root, "tsconfig.build.json")], {
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(build.status, build.stdout).toBe(0);
    const dir = mkdtempSync(join(tmpdir(), "ppb-start-"));
    const run = spawnSync(process.execPath, [join(root, "dist", "main.js")], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? "" },
      encoding: "utf8",
      timeout: 20_000,
    });
    rmSync(dir, { recursive: true });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("DISCORD_TOKEN");
    expect(run.stderr).toContain("TOKEN_ENCRYPTION_KEY");
    expect(run.stderr).not.toMatch(/\n\s+at /);
  }, 90_000);
});
