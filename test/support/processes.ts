import { type ChildProcess, spawn } from "node:child_process";

/**
 * A command started the way a supervisor starts one: in its own process group, so a
 * test can signal the group as a terminal's Ctrl-C does, and can tell afterwards
 * whether anything it started is still running.
 */
export interface Started {
  child: ChildProcess;
  pid: number;
  output(): string;
  /** Exit code, or the signal's name when killed by one. */
  exited: Promise<number | string>;
  waitFor(text: string | RegExp): Promise<void>;
  /** Whether any process of its group is still alive. */
  groupAlive(): boolean;
}

export function startGroup(
  command: string,
  args: string[],
  options: { cwd: string; env: Record<string, string>; uid?: number; gid?: number },
): Started {
  const child = spawn(command, args, { ...options, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  if (child.pid === undefined) throw new Error(`could not start ${command}`);
  const pid = child.pid;
  let output = "";
  const waiters = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    output += chunk.toString("utf8");
    for (const w of waiters) w();
  };
  child.stdout?.on("data", onData);
  child.stderr?.on("data", onData);
  const exited = new Promise<number | string>((resolve) =>
    child.on("exit", (code, signal) => resolve(code ?? signal ?? "unknown")),
  );
  return {
    child,
    pid,
    output: () => output,
    exited,
    waitFor: (text) =>
      new Promise<void>((resolve, reject) => {
        const check = () => {
          if (typeof text === "string" ? output.includes(text) : text.test(output)) {
            waiters.delete(check);
            resolve();
          }
        };
        waiters.add(check);
        check();
        void exited.then(() => reject(new Error(`exited before printing ${text}:\n${output}`)));
      }),
    groupAlive: () => {
      try {
        process.kill(-pid, 0);
        return true;
      } catch {
        return false;
      }
    },
  };
}

/** Resolves with what happened first: the exit, or "deadline" after ms. */
export function exitWithin(started: Started, ms: number): Promise<number | string> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve("deadline"), ms);
  });
  return Promise.race([started.exited, deadline]).finally(() => clearTimeout(timer));
}

/** Kills whatever a failed test left in the group. */
export function killGroup(started: Started | undefined): void {
  if (!started) return;
  try {
    process.kill(-started.pid, "SIGKILL");
  } catch {
    // already gone
  }
}

/**
 * Resolves true once no process of the group is left, false if some still is after ms.
 * The group's leader (npm) may exit a moment before the program it ran has finished
 * stopping; what matters to the person at the terminal is that nothing is left behind.
 */
export async function groupGoneWithin(started: Started, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (started.groupAlive()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return true;
}
