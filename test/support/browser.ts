import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, normalize } from "node:path";
import { brotliDecompressSync } from "node:zlib";

/**
 * The Chromium the browser test drives: Debian's when it is installed, otherwise the
 * one `npm ci` brings (@sparticuz/chromium), so `npm test` needs nothing else.
 *
 * PPB_CHROMIUM overrides the choice: `bundled` forces the npm one, `system` Debian's,
 * anything else is the path of a Chromium binary.
 */

export const SYSTEM_CHROMIUM = "/usr/bin/chromium";

export type ChromiumChoice = { kind: "path"; path: string } | { kind: "bundled" };

export function chooseChromium(
  override: string | undefined,
  exists: (path: string) => boolean = existsSync,
): ChromiumChoice {
  if (override === "bundled") return { kind: "bundled" };
  if (override === "system") return { kind: "path", path: SYSTEM_CHROMIUM };
  if (override) return { kind: "path", path: override };
  return exists(SYSTEM_CHROMIUM) ? { kind: "path", path: SYSTEM_CHROMIUM } : { kind: "bundled" };
}

export interface ChromiumLaunch {
  /** What was chosen, for messages: "/usr/bin/chromium" or "@sparticuz/chromium". */
  label: string;
  executablePath: string;
  /** The environment Chromium runs in (the bundled one finds its own libraries through it). */
  env: Record<string, string>;
}

export async function resolveChromium(env: NodeJS.ProcessEnv = process.env): Promise<ChromiumLaunch> {
  const choice = chooseChromium(env.PPB_CHROMIUM);
  const inherited = Object.fromEntries(
    Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined),
  );
  if (choice.kind === "path") {
    if (!existsSync(choice.path)) {
      throw new Error(`PPB_CHROMIUM: no Chromium at ${choice.path} (unset it to use the bundled one)`);
    }
    return { label: choice.path, executablePath: choice.path, env: inherited };
  }
  const { default: sparticuz } = await import("@sparticuz/chromium");
  // Decompresses the browser, its fonts and SwiftShader into the temporary directory once.
  const executablePath = await sparticuz.executablePath();
  const libDir = bundledLibraries();
  return {
    label: "@sparticuz/chromium",
    executablePath,
    env: {
      ...inherited,
      // The binary links against NSS and expat, which a bare Debian or a slim container
      // image lacks; the package ships them (built for Amazon Linux, glibc 2.34), and
      // they run on any newer glibc.
      LD_LIBRARY_PATH: [libDir, inherited.LD_LIBRARY_PATH].filter(Boolean).join(":"),
      FONTCONFIG_PATH: inherited.FONTCONFIG_PATH ?? join(tmpdir(), "fonts"),
    },
  };
}

/**
 * Unpacks the shared libraries @sparticuz/chromium ships (its al2023.tar.br, which the
 * package itself only unpacks on Amazon Linux) and returns their directory.
 */
function bundledLibraries(): string {
  const target = join(tmpdir(), "ppb-chromium-libs");
  const libDir = join(target, "lib");
  if (existsSync(join(libDir, "libnss3.so"))) return libDir;
  const pkgEntry = createRequire(import.meta.url).resolve("@sparticuz/chromium");
  const archive = join(dirname(pkgEntry), "..", "..", "bin", "al2023.tar.br");
  // Unpacked beside the target and renamed into place, so a concurrent run never sees half a directory.
  const staging = mkdtempSync(`${target}-`);
  extractTar(brotliDecompressSync(readFileSync(archive)), staging);
  try {
    renameSync(staging, target);
  } catch {
    // Another run got there first; its copy is as good as ours.
    rmSync(staging, { recursive: true, force: true });
  }
  return libDir;
}

/** Regular files of a ustar archive; enough for the flat archive of libraries above. */
function extractTar(tar: Buffer, into: string): void {
  const field = (offset: number, length: number) =>
    tar
      .subarray(offset, offset + length)
      .toString("utf8")
      .replace(/\0.*$/s, "")
      .trim();
  for (let at = 0; at + 512 <= tar.length; ) {
    const name = field(at, 100);
    if (!name) break;
    const size = Number.parseInt(field(at + 124, 12) || "0", 8);
    const type = field(at + 156, 1);
    const path = normalize(join(into, name));
    if (!path.startsWith(`${into}/`)) throw new Error(`refusing to unpack ${name} outside ${into}`);
    if (type === "0" || type === "") {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, tar.subarray(at + 512, at + 512 + size));
    }
    at += 512 + Math.ceil(size / 512) * 512;
  }
}
