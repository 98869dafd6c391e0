import { spawnSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
} from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BOT_TOKEN, testEnv } from "../../sim/botEnv.js";
import { type DiscordSim, startDiscordSim } from "../../sim/discord/server.js";
import { parseDockerfile, processOf, type ReplayedStage, replayStage } from "../support/dockerfile.js";
import { exitWithin, killGroup, type Started, startGroup } from "../support/processes.js";

/**
 * The Dockerfile, replayed step by step without Docker (no engine and no base image
 * registry on these machines): the deps stage's `npm ci --omit=dev`, the build stage's
 * compiler install and build, each in a fresh directory, then the runtime stage's copies,
 * its user and its command. What the image would do, this does, so the Dockerfile cannot
 * drift from a working install.
 *
 * The deps stage's node_modules with the build stage's dist/ is also the production
 * install of docs/operations.md (a build made elsewhere, production dependencies only),
 * so `npm start` is tested there too.
 */

const REPO = process.cwd();
const STOP_DEADLINE_MS = 10_000;

let sim: DiscordSim;
let workspace: string;
let deps: ReplayedStage;
let build: ReplayedStage;
let runtime: ReplayedStage;
const log: string[] = [];
let running: Started | undefined;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

/**
 * A Docker build downloads better-sqlite3's prebuilt binary from its GitHub release;
 * tests cannot reach GitHub and would compile it instead (two minutes on two cores).
 * prebuild-install's own `local-prebuilds` option takes the same archive from a
 * directory: here, the binary the project's install already has, packed the way the
 * release packs it (node ABI, platform and arch in the name).
 */
function localSqlitePrebuild(dir: string): Record<string, string> {
  const pkgDir = join(REPO, "node_modules/better-sqlite3");
  const binary = join(pkgDir, "build/Release/better_sqlite3.node");
  if (process.platform !== "linux" || !existsSync(binary)) return {};
  const { version } = JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8")) as { version: string };
  const name = `better-sqlite3-v${version}-node-v${process.versions.modules}-linux-${process.arch}.tar.gz`;
  mkdirSync(dir, { recursive: true });
  const tar = spawnSync("tar", ["-czf", join(dir, name), "-C", pkgDir, "build/Release/better_sqlite3.node"]);
  if (tar.status !== 0) return {};
  return { npm_config_better_sqlite3_local_prebuilds: dir };
}

/** What an operator's .env holds for this run: everything but the image's own paths. */
async function operatorEnv(databasePath: string): Promise<Record<string, string>> {
  const env = testEnv(sim.apiUrl, sim.applicationId, databasePath);
  return { ...env, LOG_LEVEL: "info", WEB_PORT: String(await freePort()) };
}

beforeAll(async () => {
  sim = await startDiscordSim({ botToken: BOT_TOKEN });
  sim.createGuild({ name: "Server" });
  workspace = mkdtempSync(join(tmpdir(), "ppb-image-"));
  const dockerfile = parseDockerfile(readFileSync(join(REPO, "Dockerfile"), "utf8"));
  const baseEnv = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: process.env.HOME ?? workspace,
    // The packages are in npm's cache from the project's own install; a Docker build
    // downloads the same ones.
    npm_config_prefer_offline: "true",
    ...localSqlitePrebuild(join(workspace, "prebuilds")),
  };
  deps = replayStage(dockerfile.stage("deps"), {
    context: REPO,
    workspace,
    baseEnv,
    onOutput: (t) => log.push(t),
  });
  build = replayStage(dockerfile.stage("build"), {
    context: REPO,
    workspace,
    stages: { deps },
    baseEnv,
    onOutput: (t) => log.push(t),
  });
  runtime = replayStage(dockerfile.stage("runtime"), {
    context: REPO,
    workspace,
    stages: { deps, build },
    baseEnv,
    onOutput: (t) => log.push(t),
  });
}, 600_000);

afterAll(async () => {
  killGroup(running);
  await sim?.stop();
  // Two copies of node_modules: slow to delete on a busy machine.
  if (workspace) rmSync(workspace, { recursive: true, force: true });
}, 180_000);

/** Test tooling only: none of it may be installed anywhere in the image's build. */
const TEST_TOOLING = [
  "@stryker-mutator/core",
  "@sparticuz/chromium",
  "playwright-core",
  "vitest",
  "@biomejs/biome",
  "tsx",
];

describe("the deps stage", () => {
  it("installs the production dependencies and no dev dependency", () => {
    expect(deps.ran).toEqual([expect.stringMatching(/^npm ci --omit=dev\b/)]);
    // Only Debian package installs are left out of the replay.
    for (const skipped of deps.skipped) expect(skipped).toMatch(/^apt-get update && apt-get install/);
    const modules = join(deps.workdir, "node_modules");
    expect(existsSync(join(modules, "better-sqlite3/build/Release/better_sqlite3.node"))).toBe(true);
    expect(existsSync(join(modules, "discord.js"))).toBe(true);
    for (const dev of ["typescript", ...TEST_TOOLING]) {
      expect(existsSync(join(modules, dev)), `${dev} is a dev dependency`).toBe(false);
    }
  });
});

describe("the build stage", () => {
  it("compiles with the lockfile's TypeScript and installs none of the test tooling", () => {
    expect(build.ran).toEqual([expect.stringMatching(/typescript@/), "npm run build"]);
    expect(build.skipped).toEqual([]);
    const modules = join(build.workdir, "node_modules");
    expect(existsSync(join(build.workdir, "dist/main.js"))).toBe(true);
    const lock = JSON.parse(readFileSync(join(REPO, "package-lock.json"), "utf8")) as {
      packages: Record<string, { version: string }>;
    };
    const installed = JSON.parse(readFileSync(join(modules, "typescript/package.json"), "utf8")) as {
      version: string;
    };
    expect(installed.version).toBe(lock.packages["node_modules/typescript"]?.version);
    for (const tool of TEST_TOOLING) {
      expect(existsSync(join(modules, tool)), `${tool} is test tooling`).toBe(false);
    }
  });
});

describe("a production install from the stages' parts", () => {
  it("(production dependencies, a built dist/) starts with `npm start` without compiling, and SIGTERM to npm leaves no process", async () => {
    // What docs/operations.md describes for a build made elsewhere: dist/ next to the
    // project's scripts and migrations, over `npm ci --omit=dev`.
    const install = mkdtempSync(join(workspace, "prod-install-"));
    cpSync(join(REPO, "package.json"), join(install, "package.json"));
    for (const dir of ["scripts", "migrations"])
      cpSync(join(REPO, dir), join(install, dir), { recursive: true });
    cpSync(join(build.workdir, "dist"), join(install, "dist"), { recursive: true, preserveTimestamps: true });
    symlinkSync(join(deps.workdir, "node_modules"), join(install, "node_modules"));
    const dataDir = mkdtempSync(join(workspace, "prod-data-"));
    const stamp = statSync(join(install, "dist/.build-stamp")).mtimeMs;
    running = startGroup("npm", ["start"], {
      cwd: install,
      env: {
        PATH: process.env.PATH ?? "",
        HOME: workspace,
        ...(await operatorEnv(join(dataDir, "bot.sqlite"))),
      },
    });
    await running.waitFor("psn-party-bridge is running");
    expect(running.output()).not.toContain("building");
    expect(statSync(join(install, "dist/.build-stamp")).mtimeMs).toBe(stamp);

    process.kill(running.pid, "SIGTERM");
    expect(await exitWithin(running, STOP_DEADLINE_MS)).toBe(0);
    expect(running.output()).toContain('"msg":"stopped"');
    expect(running.groupAlive()).toBe(false);
  }, 60_000);
});

describe("the runtime stage", () => {
  it("holds dist/ and production dependencies only, and runs as a non-root user with /data as its volume", () => {
    expect(existsSync(join(runtime.workdir, "dist/main.js"))).toBe(true);
    expect(existsSync(join(runtime.workdir, "src"))).toBe(false);
    expect(existsSync(join(runtime.workdir, "node_modules/typescript"))).toBe(false);
    expect(runtime.user?.uid).toBeGreaterThan(0);
    expect(runtime.volumes).toEqual([join(runtime.root, "/data")]);
    expect(runtime.env.DATABASE_PATH).toBe(join(runtime.root, "/data/bot.sqlite"));
    expect(runtime.entrypoint[0]).toMatch(/tini$/);
    expect(runtime.healthcheck).not.toBeNull();
  });

  it("starts as that user, answers its HEALTHCHECK, keeps the database in /data and stops cleanly on SIGTERM", async () => {
    const { DATABASE_PATH: _own, ...env } = await operatorEnv("unused");
    // The image's ENV first, the operator's .env over it (as `docker run --env-file`),
    // but the image's paths are the compose file's too.
    const imageEnv = {
      PATH: process.env.PATH ?? "",
      ...runtime.env,
      ...env,
      DATABASE_PATH: runtime.env.DATABASE_PATH as string,
    };
    // tini is PID 1 in the image; here the command runs directly and gets the signal tini would forward.
    const [command, ...args] = runtime.cmd as [string, ...string[]];
    running = startGroup(command, args, { ...processOf(runtime), env: imageEnv });
    await running.waitFor("psn-party-bridge is running");

    const [hcCommand, ...hcArgs] = runtime.healthcheck as [string, ...string[]];
    const healthy = spawnSync(hcCommand, hcArgs, { ...processOf(runtime), env: imageEnv, encoding: "utf8" });
    expect(healthy.status, healthy.stderr).toBe(0);
    expect(existsSync(join(runtime.root, "data/bot.sqlite"))).toBe(true);

    process.kill(running.pid, "SIGTERM");
    expect(await exitWithin(running, STOP_DEADLINE_MS)).toBe(0);
    expect(running.groupAlive()).toBe(false);

    const afterStop = spawnSync(hcCommand, hcArgs, {
      ...processOf(runtime),
      env: imageEnv,
      encoding: "utf8",
    });
    expect(afterStop.status).toBe(1);
    expect(afterStop.stderr).toContain("unhealthy");
  }, 60_000);
});

describe("compose.yaml", () => {
  const compose = readFileSync(join(REPO, "compose.yaml"), "utf8");
  // The published ports: quoted list items, comments left out.
  const published = [...compose.matchAll(/^\s+- "([^"]+)"$/gm)].map((m) => m[1] as string);

  it("reads .env, keeps the database on a volume at the image's /data and publishes the web port", () => {
    expect(compose).toMatch(/^\s+env_file: \.env$/m);
    expect(compose).toMatch(/^\s+- [\w-]+:\/data$/m);
    expect(compose).toMatch(/DATABASE_PATH: \/data\/bot\.sqlite/);
    // The container listens on the image's port whatever .env says; WEB_PORT picks the host's.
    expect(compose).toMatch(/^\s+WEB_PORT: 8080$/m);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: compose's own interpolation, matched as written
    expect(published).toContain("127.0.0.1:${WEB_PORT:-8080}:8080");
    expect(runtime.exposed).toEqual([8080]);
  });

  it("publishes every port on loopback only, for the HTTPS proxy on the same machine", () => {
    expect(published.length).toBeGreaterThan(0);
    for (const port of published) expect(port).toMatch(/^127\.0\.0\.1:/);
  });
});
