#!/usr/bin/env node
/**
 * Compiles src/ to dist/ with TypeScript and stamps the result, so `npm start` can
 * tell a current build from a stale one without compiling again (tsc takes 5 to 10 s on
 * two cores; starting takes one).
 *
 *   node scripts/build.mjs           build now (`npm run build`)
 *   import { buildIfStale } ...      build only when an input is newer than the stamp
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
export const STAMP = join(ROOT, "dist", ".build-stamp");
export const ENTRY = join(ROOT, "dist", "main.js");

/** What the build reads: a change to any of them makes dist/ stale. */
// Not package-lock.json: tsc's output does not depend on installed packages, and
// `npm prune` rewrites the lockfile, which would make every production build stale.
const INPUTS = ["src", "tsconfig.json", "tsconfig.build.json"];

/** @param {string} path @returns {number} */
function newestMtime(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs; // a deleted source file shows as a newer directory
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

/**
 * Why dist/ must be rebuilt, or null when it is current.
 * @param {string} [root]
 * @returns {string | null}
 */
export function staleReason(root = ROOT) {
  const stamp = join(root, "dist", ".build-stamp");
  if (!existsSync(join(root, "dist", "main.js")) || !existsSync(stamp)) return "dist/ has not been built yet";
  const built = statSync(stamp).mtimeMs;
  const changed = INPUTS.find((input) => newestMtime(join(root, input)) > built);
  return changed ? `${changed} changed since the last build` : null;
}

/** The TypeScript compiler, or null in a production install (no devDependencies). */
function findTsc() {
  try {
    return createRequire(join(ROOT, "package.json")).resolve("typescript/bin/tsc");
  } catch {
    return null;
  }
}

export class BuildError extends Error {}

export function build() {
  const tsc = findTsc();
  if (!tsc) {
    throw new BuildError(
      "TypeScript is not installed, so dist/ cannot be built here. This is a production install " +
        "(npm ci --omit=dev): build first with `npm ci && npm run build`, then `npm prune --omit=dev`, " +
        'or copy a built dist/ in (see docs/operations.md, "A production install").',
    );
  }
  const result = spawnSync(process.execPath, [tsc, "-p", join(ROOT, "tsconfig.build.json")], {
    cwd: ROOT,
    stdio: "inherit",
  });
  if (result.status !== 0) throw new BuildError(`the TypeScript build failed (tsc exited ${result.status})`);
  writeFileSync(STAMP, `${new Date().toISOString()}\n`);
}

/**
 * Builds when dist/ is stale. Without a compiler (a production install) a stale but
 * complete dist/ still runs: it is what the operator deployed.
 * @param {(line: string) => void} [log]
 */
export function buildIfStale(log = (line) => process.stderr.write(`${line}\n`)) {
  const reason = staleReason();
  if (!reason) return;
  if (!findTsc() && existsSync(ENTRY)) {
    log(`psn-party-bridge: ${reason}, but TypeScript is not installed; running the existing build`);
    return;
  }
  log(`psn-party-bridge: building (${reason})…`);
  build();
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    build();
  } catch (err) {
    process.stderr.write(`${err instanceof BuildError ? err.message : err}\n`);
    process.exitCode = 1;
  }
}
