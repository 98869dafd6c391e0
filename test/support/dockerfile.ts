import { spawnSync } from "node:child_process";
import { chmodSync, cpSync, existsSync, mkdirSync, statSync } from "node:fs";
import { basename, isAbsolute, join, resolve } from "node:path";

/**
 * Replays a Dockerfile without Docker: each stage gets a directory standing in for its
 * image's filesystem, COPY copies into it, RUN runs the same command there with the
 * stage's ENV and USER. Only what this project's Dockerfile uses is understood, and
 * anything else throws, so the file cannot grow a step the test silently skips.
 *
 * What cannot be replayed here is named, not guessed: installing Debian packages
 * (`apt-get`: no package mirror is reachable from tests) is recorded as skipped, and
 * only a RUN made of nothing but apt steps may be skipped.
 */

export interface Instruction {
  op: string;
  args: string;
  line: number;
}

export interface Stage {
  name: string;
  image: string;
  instructions: Instruction[];
}

export interface Dockerfile {
  stages: Stage[];
  stage(name: string): Stage;
}

const KNOWN = new Set([
  "ARG",
  "FROM",
  "ENV",
  "WORKDIR",
  "COPY",
  "RUN",
  "USER",
  "VOLUME",
  "EXPOSE",
  "HEALTHCHECK",
  "ENTRYPOINT",
  "CMD",
]);

function substitute(text: string, vars: Record<string, string>): string {
  return text.replace(/\$\{(\w+)(?::-([^}]*))?\}|\$(\w+)/g, (_, braced, fallback, bare) => {
    const name = braced ?? bare;
    return vars[name] ?? fallback ?? "";
  });
}

export function parseDockerfile(text: string): Dockerfile {
  const lines = text.split("\n");
  const logical: Instruction[] = [];
  let current: { text: string; line: number } | null = null;
  lines.forEach((raw, index) => {
    if (/^\s*#/.test(raw) && current === null) return;
    const body = raw.replace(/\s+$/, "");
    if (current === null) {
      if (!body.trim()) return;
      current = { text: "", line: index + 1 };
    } else if (/^\s*#/.test(raw)) return;
    if (body.endsWith("\\")) {
      current.text += `${body.slice(0, -1)} `;
      return;
    }
    current.text += body;
    const match = /^\s*(\w+)\s+([\s\S]*)$/.exec(current.text);
    if (!match) throw new Error(`Dockerfile line ${current.line}: cannot read "${current.text}"`);
    const op = (match[1] as string).toUpperCase();
    if (!KNOWN.has(op)) throw new Error(`Dockerfile line ${current.line}: ${op} is not replayed by the test`);
    logical.push({ op, args: (match[2] as string).trim(), line: current.line });
    current = null;
  });

  const globalArgs: Record<string, string> = {};
  const stages: Stage[] = [];
  for (const ins of logical) {
    if (ins.op === "FROM") {
      const from = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(substitute(ins.args, globalArgs));
      if (!from) throw new Error(`Dockerfile line ${ins.line}: cannot read FROM ${ins.args}`);
      stages.push({ image: from[1] as string, name: from[2] ?? String(stages.length), instructions: [] });
    } else if (stages.length === 0) {
      if (ins.op !== "ARG") throw new Error(`Dockerfile line ${ins.line}: ${ins.op} before FROM`);
      const [name, value = ""] = ins.args.split("=", 2) as [string, string?];
      globalArgs[name] = value;
    } else {
      (stages.at(-1) as Stage).instructions.push(ins);
    }
  }
  return {
    stages,
    stage(name) {
      const found = stages.find((s) => s.name === name);
      if (!found) throw new Error(`the Dockerfile has no stage named ${name}`);
      return found;
    },
  };
}

/** `["node", "x"]` (exec form) or `node x` (shell form, run by sh -c). */
export function commandOf(args: string): string[] {
  const trimmed = args.trim();
  if (trimmed.startsWith("[")) return JSON.parse(trimmed) as string[];
  return ["sh", "-c", trimmed];
}

/** Splits `A=1 B="two words"` (and the legacy `A 1`) into pairs. */
function parseEnv(args: string): Array<[string, string]> {
  if (!args.includes("=")) {
    const [name, ...rest] = args.split(/\s+/);
    return [[name as string, rest.join(" ")]];
  }
  const pairs: Array<[string, string]> = [];
  for (const m of args.matchAll(/(\w+)=("([^"]*)"|\S*)/g)) pairs.push([m[1] as string, m[3] ?? m[2] ?? ""]);
  return pairs;
}

export interface ReplayedStage {
  name: string;
  /** The directory standing in for the image's "/". */
  root: string;
  /** The image's WORKDIR, mapped under root. */
  workdir: string;
  /** ENV as the image would hold it, image paths mapped under root. */
  env: Record<string, string>;
  /** uid:gid from USER, or null for root. */
  user: { uid: number; gid: number } | null;
  volumes: string[];
  exposed: number[];
  healthcheck: string[] | null;
  entrypoint: string[];
  cmd: string[];
  /** RUN steps not replayed, with why. */
  skipped: string[];
  /** RUN steps replayed, as written in the Dockerfile. */
  ran: string[];
}

export interface ReplayOptions {
  /** The build context (the repository). */
  context: string;
  /** Where stage roots are made. */
  workspace: string;
  /** Stages replayed before, for COPY --from. */
  stages?: Record<string, ReplayedStage>;
  /** Environment RUN steps get besides the stage's ENV (PATH, npm cache…). */
  baseEnv: Record<string, string>;
  /** Steps' output goes here. */
  onOutput?: (text: string) => void;
}

const APT_STEP = /^(apt-get (update|install)\b[^&;|]*|rm -rf \/var\/lib\/apt\/lists\/\*)$/;

export function isSystemPackageStep(command: string): boolean {
  return command.split("&&").every((part) => APT_STEP.test(part.trim()));
}

/**
 * Without root, files can only be given to ourselves: `chown 1000:1000` becomes our
 * own ids, and the image's USER becomes us (see userFor).
 */
function asThisUser(command: string): string {
  const uid = process.getuid?.();
  if (uid === undefined || uid === 0) return command;
  return command.replace(/\bchown \d+:\d+/g, `chown ${uid}:${process.getgid?.()}`);
}

/** The processes' user: the image's USER when this test may switch to it, else ours. */
function userFor(user: ReplayedStage["user"]): { uid?: number; gid?: number } {
  if (!user || process.getuid?.() !== 0) return {};
  return { uid: user.uid, gid: user.gid };
}

export function replayStage(stage: Stage, options: ReplayOptions): ReplayedStage {
  const root = join(options.workspace, stage.name);
  mkdirSync(root, { recursive: true });
  // Other users (the image's USER) must be able to reach their files, as in an image.
  chmodSync(options.workspace, 0o755);
  chmodSync(root, 0o755);

  const imageDirs = new Set<string>();
  for (const ins of stage.instructions) {
    if (ins.op === "WORKDIR") imageDirs.add(ins.args.trim());
    if (ins.op === "VOLUME") for (const v of commandOf(ins.args)) if (isAbsolute(v)) imageDirs.add(v);
  }
  const mapPaths = (text: string) => {
    let out = text;
    for (const dir of imageDirs) {
      const escaped = dir.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      out = out.replace(new RegExp(`(^|[\\s=:"'])${escaped}(?=$|[/\\s"':])`, "g"), `$1${root}${dir}`);
    }
    return out;
  };

  const result: ReplayedStage = {
    name: stage.name,
    root,
    workdir: root,
    env: {},
    user: null,
    volumes: [],
    exposed: [],
    healthcheck: null,
    entrypoint: [],
    cmd: [],
    skipped: [],
    ran: [],
  };
  const inImage = (path: string) => (isAbsolute(path) ? join(root, path) : resolve(result.workdir, path));

  for (const ins of stage.instructions) {
    const args = substitute(ins.args, result.env);
    switch (ins.op) {
      case "ARG":
        break;
      case "ENV":
        for (const [name, value] of parseEnv(args)) result.env[name] = mapPaths(value);
        break;
      case "WORKDIR":
        result.workdir = inImage(args);
        mkdirSync(result.workdir, { recursive: true });
        break;
      case "USER": {
        const [uid, gid] = args.split(":").map(Number);
        if (!Number.isInteger(uid)) throw new Error(`Dockerfile line ${ins.line}: USER must be numeric here`);
        result.user = uid === 0 ? null : { uid: uid as number, gid: gid ?? (uid as number) };
        break;
      }
      case "COPY": {
        const words = args.split(/\s+/);
        const flags = words.filter((w) => w.startsWith("--"));
        const paths = words.filter((w) => !w.startsWith("--"));
        const from = flags.find((f) => f.startsWith("--from="))?.slice("--from=".length);
        if (flags.some((f) => !f.startsWith("--from="))) {
          throw new Error(`Dockerfile line ${ins.line}: COPY flags other than --from are not replayed`);
        }
        const dest = paths.pop() as string;
        const sourceRoot = from ? options.stages?.[from]?.root : options.context;
        if (!sourceRoot) throw new Error(`Dockerfile line ${ins.line}: stage ${from} was not replayed first`);
        const destPath = inImage(dest);
        for (const source of paths) {
          const sourcePath = join(sourceRoot, source);
          if (!existsSync(sourcePath))
            throw new Error(`Dockerfile line ${ins.line}: ${source} does not exist`);
          const isDir = statSync(sourcePath).isDirectory();
          const target = dest.endsWith("/") && !isDir ? join(destPath, basename(source)) : destPath;
          cpSync(sourcePath, target, { recursive: true, verbatimSymlinks: true });
        }
        break;
      }
      case "RUN": {
        if (isSystemPackageStep(args)) {
          result.skipped.push(`${args} (Debian packages: no package mirror in tests)`);
          break;
        }
        const run = spawnSync("sh", ["-c", asThisUser(mapPaths(args))], {
          cwd: result.workdir,
          env: { ...options.baseEnv, ...result.env },
          encoding: "utf8",
          ...userFor(result.user),
        });
        options.onOutput?.(`$ ${args}\n${run.stdout ?? ""}${run.stderr ?? ""}`);
        if (run.status !== 0) {
          throw new Error(`Dockerfile line ${ins.line}: RUN ${args} exited ${run.status}:\n${run.stderr}`);
        }
        result.ran.push(args);
        break;
      }
      case "VOLUME":
        result.volumes.push(...commandOf(args).map((v) => inImage(v)));
        break;
      case "EXPOSE":
        result.exposed.push(...args.split(/\s+/).map((p) => Number.parseInt(p, 10)));
        break;
      case "HEALTHCHECK": {
        const cmd = /\bCMD\s+(.*)$/.exec(args);
        result.healthcheck = cmd ? commandOf(cmd[1] as string) : null;
        break;
      }
      case "ENTRYPOINT":
        result.entrypoint = commandOf(args);
        break;
      case "CMD":
        result.cmd = commandOf(args);
        break;
      default:
        throw new Error(`Dockerfile line ${ins.line}: ${ins.op} is not replayed by the test`);
    }
  }
  return result;
}

/** How to spawn the image's process (or healthcheck) as the image would run it. */
export function processOf(stage: ReplayedStage): { uid?: number; gid?: number; cwd: string } {
  return { cwd: stage.workdir, ...userFor(stage.user) };
}
