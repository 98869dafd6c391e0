/**
 * `npm run crash -- --cycles 50`
 *
 * Builds the bot, then starts `node dist/main.js` again and again against the
 * simulators and SIGKILLs it at random moments and around a card's Discord call
 * (see crashRun.ts). Prints one JSON line.
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { runCrash } from "./crashRun.js";

const { values: args } = parseArgs({
  options: {
    cycles: { type: "string", default: "50" },
    members: { type: "string", default: "8" },
    seed: { type: "string", default: "42" },
  },
});

// .bench-build/bench/crash.js → the repository's dist/main.js
const root = dirname(dirname(dirname(fileURLToPath(import.meta.url))));
const result = await runCrash({
  cycles: Number(args.cycles),
  members: Number(args.members),
  seed: Number(args.seed),
  nonceWindowEvery: 7,
  command: { file: process.execPath, args: [join(root, "dist", "main.js")] },
  progress: (line) => process.stderr.write(`${line}\n`),
});
process.stdout.write(`${JSON.stringify(result)}\n`);
