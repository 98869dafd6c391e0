import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { testEnv } from "../../sim/botEnv.js";

/**
 * The entry point's log format, read from what it prints: a database it cannot create
 * is the quickest way to make it log a line (fatal) and exit.
 */
async function fatalLine(env: Record<string, string>): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "ppb-logformat-"));
  try {
    const child = spawn(join(process.cwd(), "node_modules/.bin/tsx"), [join(process.cwd(), "src/main.ts")], {
      cwd: dir,
      env: {
        PATH: process.env.PATH ?? "",
        ...testEnv("http://127.0.0.1:1/api", "123456789012345678", "/dev/null/bot.sqlite"),
        LOG_LEVEL: "info",
        NO_COLOR: "1",
        ...env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString("utf8");
    });
    await new Promise((resolve) => child.on("exit", resolve));
    return output.split("\n").find((l) => l.includes("Check DATABASE_PATH")) ?? `(no fatal line)\n${output}`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const json = /^\{"level":60,/;
const pretty = /^\[\d\d:\d\d:\d\d\] FATAL/;

// The defaults (LOG_FORMAT unset) are decided in the configuration and tested there;
// these check that the entry point follows LOG_FORMAT, whatever NODE_ENV says.
describe.concurrent("LOG_FORMAT", () => {
  it.each<[string, Record<string, string>, RegExp]>([
    ["pretty in production", { NODE_ENV: "production", LOG_FORMAT: "pretty" }, pretty],
    ["json in development", { NODE_ENV: "development", LOG_FORMAT: "json" }, json],
  ])("%s", async (_name, env, format) => {
    expect(await fatalLine(env)).toMatch(format);
  });
});
