/**
 * Log lines per second through the bot's logger, with no secret registered and with
 * 1,000 (a thousand members' tokens sent in the last minutes), beside pino without
 * scrubbing: what scrubbing by value costs. `npx tsx bench/logScrub.ts`
 */
import { randomBytes, randomUUID } from "node:crypto";
import { Writable } from "node:stream";
import pino from "pino";
import { createLogger, type Logger, SecretRegistry } from "../src/log.js";

const LINES = 50_000;
const sink = () =>
  new Writable({
    write(_chunk, _enc, done) {
      done();
    },
  });

/** Lines like the poller's: ids, a reason quoting PSN, an error now and then. */
function writeLines(log: Pick<Logger, "info" | "warn">): number {
  const started = process.hrtime.bigint();
  for (let i = 0; i < LINES; i++) {
    if (i % 10 === 0) {
      log.warn(
        {
          account: "1234567890123456789",
          endpoint: "friends",
          status: 400,
          err: new Error("PSN friends: HTTP 400 (Bad request)"),
        },
        "friend list read failed; tried again later",
      );
    } else {
      log.info(
        {
          account: "1234567890123456789",
          reason: `PSN presence: HTTP 503 (Service unavailable ${i})`,
          ms: 42,
        },
        "PSN poll failed; backing off",
      );
    }
  }
  return Math.round(LINES / (Number(process.hrtime.bigint() - started) / 1e9));
}

function secretsWith(count: number): SecretRegistry {
  const secrets = new SecretRegistry();
  for (let i = 0; i < count; i++)
    secrets.remember(i % 2 ? randomUUID() : `eyJhbGciOiJIUzI1NiJ9.${randomBytes(48).toString("base64url")}`);
  return secrets;
}

const runs: Array<[string, () => Pick<Logger, "info" | "warn">]> = [
  ["pino, no scrubbing", () => pino({ level: "info" }, sink())],
  ["bot logger, 0 secrets registered", () => createLogger({ destination: sink(), secrets: secretsWith(0) })],
  [
    "bot logger, 1000 secrets registered",
    () => createLogger({ destination: sink(), secrets: secretsWith(1000) }),
  ],
];
writeLines(createLogger({ destination: sink() })); // warm-up
for (const [name, make] of runs)
  process.stdout.write(`${name}: ${writeLines(make()).toLocaleString("en")} lines/s\n`);
