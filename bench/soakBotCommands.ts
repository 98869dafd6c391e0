/** The IPC protocol between bench/soakRun.ts and the bot's process (bench/soakBot.ts). */
import { type ChildProcess, fork } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export type BotCommand =
  | { op: "start"; env: Record<string, string>; clock: number }
  | { op: "clock"; clock: number }
  | { op: "tick"; clock: number }
  | { op: "channel"; guildId: string; channelId: string }
  | { op: "optIn"; guildId: string; userId: string }
  | { op: "optOut"; guildId: string; userId: string }
  | { op: "memory" }
  | { op: "takeUnhandled" }
  | { op: "stop" };

interface Answer {
  id: number;
  ok: boolean;
  value: unknown;
}

/** The bot's process, seen from the soak: one command at a time, answered in order. */
export class BotProcess {
  private next = 1;
  private readonly waiting = new Map<number, (answer: Answer) => void>();
  readonly ready: Promise<void>;

  private constructor(private readonly child: ChildProcess) {
    let readyNow!: () => void;
    this.ready = new Promise((resolve, reject) => {
      readyNow = resolve;
      child.once("exit", (code) => reject(new Error(`the bot's process exited (${code})`)));
    });
    child.on("message", (answer: Answer) => {
      if (answer.id === 0) return readyNow();
      this.waiting.get(answer.id)?.(answer);
      this.waiting.delete(answer.id);
    });
    child.on("exit", (code) => {
      for (const settle of this.waiting.values())
        settle({ id: 0, ok: false, value: `the bot's process exited (${code})` });
      this.waiting.clear();
    });
  }

  static fork(): BotProcess {
    const here = dirname(fileURLToPath(import.meta.url));
    // Compiled (npm run soak) the bot runs as plain JavaScript; from source (npm test), through tsx.
    const compiled = import.meta.url.endsWith(".js");
    const child = fork(join(here, compiled ? "soakBot.js" : "soakBot.ts"), [], {
      execArgv: [...(compiled ? ["--enable-source-maps"] : ["--import", "tsx"]), "--expose-gc"],
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    return new BotProcess(child);
  }

  async send<T = null>(cmd: BotCommand): Promise<T> {
    const id = this.next++;
    const answer = await new Promise<Answer>((resolve) => {
      this.waiting.set(id, resolve);
      this.child.send({ id, cmd });
    });
    if (!answer.ok) throw new Error(String(answer.value));
    return answer.value as T;
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once("exit", resolve));
    await this.send({ op: "stop" }).catch(() => {});
    this.child.disconnect();
    await exited;
  }
}
