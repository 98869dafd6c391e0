/**
 * A benchmark's helper process, driven over IPC one command at a time: `{ id, cmd }`
 * answered `{ id, ok, value }`, id 0 meaning "ready". The soak runs the bot this way and
 * the poll benchmark its poller, so each one's memory and CPU are measured alone.
 */
import { type ChildProcess, fork } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

interface Answer {
  id: number;
  ok: boolean;
  value: unknown;
}

/** The parent's side: commands sent in order, each answered or rejected with the child's error. */
export class CommandChild<C> {
  private next = 1;
  private readonly waiting = new Map<number, (answer: Answer) => void>();
  readonly ready: Promise<void>;

  private constructor(
    private readonly child: ChildProcess,
    private readonly name: string,
  ) {
    let readyNow!: () => void;
    this.ready = new Promise((resolve, reject) => {
      readyNow = resolve;
      child.once("exit", (code) => reject(new Error(`${name} exited (${code})`)));
    });
    child.on("message", (answer: Answer) => {
      if (answer.id === 0) return readyNow();
      this.waiting.get(answer.id)?.(answer);
      this.waiting.delete(answer.id);
    });
    child.on("exit", (code) => {
      for (const settle of this.waiting.values())
        settle({ id: 0, ok: false, value: `${name} exited (${code})` });
      this.waiting.clear();
    });
  }

  /**
   * Starts `<script>.js` beside the calling module when it runs compiled (npm run …),
   * `<script>.ts` through tsx when it runs from source (npm test). Started with
   * --expose-gc, so the child can measure live memory rather than garbage.
   */
  static fork<C>(callerUrl: string, script: string, options: { name: string; env?: NodeJS.ProcessEnv }) {
    const here = dirname(fileURLToPath(callerUrl));
    const compiled = callerUrl.endsWith(".js");
    const child = fork(join(here, `${script}${compiled ? ".js" : ".ts"}`), [], {
      execArgv: [...(compiled ? ["--enable-source-maps"] : ["--import", "tsx"]), "--expose-gc"],
      env: options.env ?? process.env,
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    return new CommandChild<C>(child, options.name);
  }

  async send<T = null>(cmd: C): Promise<T> {
    const id = this.next++;
    const answer = await new Promise<Answer>((resolve) => {
      this.waiting.set(id, resolve);
      this.child.send({ id, cmd });
    });
    if (!answer.ok) throw new Error(String(answer.value));
    return answer.value as T;
  }

  /** Sends `stop` (when given) and waits for the process to end. */
  async close(stop?: C): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once("exit", resolve));
    if (stop !== undefined) await this.send(stop).catch(() => {});
    this.child.disconnect();
    await exited;
  }
}

/** The child's side: runs each command in turn and answers it; says ready once listening. */
export function serveCommands<C>(run: (cmd: C) => Promise<unknown>, onDisconnect: () => Promise<void>): void {
  process.on("message", (message: { id: number; cmd: C }) => {
    run(message.cmd).then(
      (value) => process.send?.({ id: message.id, ok: true, value }),
      (err: unknown) => process.send?.({ id: message.id, ok: false, value: String(err) }),
    );
  });
  process.on("disconnect", () => {
    void onDisconnect().finally(() => process.exit(0));
  });
  process.send?.({ id: 0, ok: true, value: "ready" });
}
