import { parseArgs } from "node:util";

/**
 * The port a standalone simulator listens on: `--port <n>`, else the environment
 * variable, else 0 (any free port). A fixed port keeps a `.env` pointed at the
 * simulator valid across its restarts.
 */
export function portOption(argv: string[], fromEnv: string | undefined, envName: string): number {
  const { values } = parseArgs({ args: argv, options: { port: { type: "string" } }, strict: true });
  const raw = values.port ?? fromEnv;
  if (raw === undefined || raw === "") return 0;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`expected a TCP port (0-65535) in --port or ${envName}, got ${raw}`);
  }
  return port;
}
