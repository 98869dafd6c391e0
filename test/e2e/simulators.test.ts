import { spawn } from "node:child_process";
import { once } from "node:events";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { freePort } from "../../sim/botEnv.js";
import { DEMO_FRIENDS, DEMO_MEMBERS } from "../../sim/cast.js";

/** `npm run sim:discord` / `npm run sim:psn` as a person runs them, on a port they chose. */
async function runSim(
  script: string,
  args: string[],
  env: Record<string, string>,
  readyText: string,
): Promise<{ printed: string; stop: () => Promise<void> }> {
  const child = spawn(join(process.cwd(), "node_modules/.bin/tsx"), [script, ...args], {
    cwd: process.cwd(),
    env: { PATH: process.env.PATH ?? "", LOG_LEVEL: "silent", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let printed = "";
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      printed += chunk.toString("utf8");
      if (printed.includes(readyText)) resolve();
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.on("exit", () => reject(new Error(`${script} exited:\n${printed}`)));
  });
  return {
    printed,
    stop: async () => {
      const exited = once(child, "exit");
      child.kill("SIGTERM");
      await exited;
    },
  };
}

const settings = (printed: string) =>
  ["API URL", "Bot token", "Application id"].map(
    (label) => new RegExp(`${label}\\s+(\\S+)`).exec(printed)?.[1],
  );

describe.concurrent("the simulators on a fixed port", () => {
  it("sim:discord --port: the same settings after a restart, served on that port", async () => {
    const port = await freePort();
    const first = await runSim("sim/discord/main.ts", ["--port", String(port)], {}, "Ctrl-C");
    const [apiUrl, token] = settings(first.printed);
    expect(apiUrl).toBe(`http://127.0.0.1:${port}/api`);
    const me = await fetch(`${apiUrl}/v10/users/@me`, { headers: { authorization: `Bot ${token}` } });
    expect(me.status).toBe(200);
    await first.stop();

    // The demo server of npm run sim: the members whose PSN accounts sim:psn holds.
    const members = /Members\s+(.*)/
      .exec(first.printed)?.[1]
      ?.split(", ")
      .map((m) => m.replace(/ \d+$/, ""));
    expect(members).toEqual(["ada (admin)", "alice", "bob", "carol"]);
    expect(first.printed).toContain("PlayStation Friends");

    const second = await runSim("sim/discord/main.ts", [], { DISCORD_SIM_PORT: String(port) }, "Ctrl-C");
    expect(settings(second.printed)).toEqual(settings(first.printed));
    await second.stop();
  });

  it.each<[string, string[], Record<string, string>]>([
    ["--port", ["--port"], {}],
    ["PSN_SIM_PORT", [], { PSN_SIM_PORT: "" }],
  ])("sim:psn with %s listens on that port", async (_how, args, env) => {
    const port = String(await freePort());
    const sim = await runSim(
      "sim/psn/main.ts",
      args.length ? [...args, port] : [],
      Object.fromEntries(Object.keys(env).map((k) => [k, port])),
      "control API",
    );
    try {
      expect(sim.printed).toContain(`PSN simulator listening on http://127.0.0.1:${port}`);
      const accounts = await fetch(`http://127.0.0.1:${port}/_sim/accounts`);
      expect(accounts.status).toBe(200);
      // The same people as the Discord simulator's demo server, and the friend outside it.
      expect(((await accounts.json()) as { onlineId: string }[]).map((a) => a.onlineId)).toEqual([
        ...DEMO_MEMBERS.map((m) => m.onlineId),
        ...DEMO_FRIENDS.map((f) => f.onlineId),
      ]);
      expect(DEMO_MEMBERS.map((m) => m.key)).toEqual(["ada", "alice", "bob", "carol"]);
    } finally {
      await sim.stop();
    }
  });
});
