#!/usr/bin/env node
/**
 * `npm start`: builds when the sources are newer than dist/, then runs the bot in
 * this same process. No second process means a stop signal (systemd, a container
 * runtime, Ctrl-C) reaches the bot itself, and nothing is left behind when it exits.
 * package.json runs this with `exec`, so the shell npm starts is replaced, not kept.
 */
import { pathToFileURL } from "node:url";
import { BuildError, buildIfStale, ENTRY } from "./build.mjs";

try {
  buildIfStale();
} catch (err) {
  process.stderr.write(`${err instanceof BuildError ? err.message : err}\n`);
  process.exit(1);
}
process.setSourceMapsEnabled(true);
await import(pathToFileURL(ENTRY).href);
