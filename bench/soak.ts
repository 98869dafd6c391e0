/**
 * `npm run soak -- --users 1000 --guilds 200 --minutes 30`
 *
 * The real bot against both simulators on an accelerated clock, with faults on both
 * sides (see soakRun.ts). Prints one JSON line.
 */
import { parseArgs } from "node:util";
import { runSoak } from "./soakRun.js";

const { values: args } = parseArgs({
  options: {
    users: { type: "string", default: "1000" },
    guilds: { type: "string", default: "200" },
    minutes: { type: "string", default: "30" },
    seed: { type: "string", default: "42" },
  },
});

const result = await runSoak({
  users: Number(args.users),
  guilds: Number(args.guilds),
  minutes: Number(args.minutes),
  seed: Number(args.seed),
  progress: (line) => process.stderr.write(`${line}\n`),
});
process.stdout.write(`${JSON.stringify(result)}\n`);
