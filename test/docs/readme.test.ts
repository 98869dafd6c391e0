import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, normalize } from "node:path";
import { describe, expect, it } from "vitest";
import { defaultFriendOptions } from "../../src/jobs/friendWatch.js";

/**
 * The README is what a newcomer reads first: short, with a table of contents, and every
 * link it or a docs/ page makes lands on a file and a heading that exist.
 */

const readme = readFileSync("README.md", "utf8");
const pages = [
  "README.md",
  ...readdirSync("docs")
    .filter((f) => f.endsWith(".md"))
    .map((f) => `docs/${f}`),
];

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .replace(/\s/g, "-");
}

function anchorsOf(text: string): Set<string> {
  const withoutCode = text.replace(/^```[\s\S]*?^```/gm, "");
  return new Set([...withoutCode.matchAll(/^#{1,6}\s+(.+)$/gm)].map((m) => slug(m[1] as string)));
}

/** Relative links, [text](target) or ![alt](target), outside code blocks. */
function linksOf(text: string): string[] {
  const withoutCode = text.replace(/^```[\s\S]*?^```/gm, "").replace(/`[^`\n]*`/g, "");
  return [...withoutCode.matchAll(/\]\(([^)\s]+)\)/g)]
    .map((m) => m[1] as string)
    .filter((target) => !/^[a-z]+:/.test(target));
}

describe("README.md", () => {
  it("is at most 20,000 bytes", () => {
    expect(Buffer.byteLength(readme)).toBeLessThanOrEqual(20_000);
  });

  it("opens with a table of contents that links every section", () => {
    const contents = readme.slice(
      readme.indexOf("## Contents"),
      readme.indexOf("\n## ", readme.indexOf("## Contents") + 1),
    );
    expect(contents.length).toBeGreaterThan(0);
    const sections = [...readme.matchAll(/^## (.+)$/gm)]
      .map((m) => m[1] as string)
      .filter((h) => h !== "Contents");
    for (const section of sections) expect(contents, section).toContain(`](#${slug(section)})`);
  });

  it("links the operations, architecture, benchmarks and development pages", () => {
    for (const page of ["operations", "architecture", "benchmarks", "development", "simulators"]) {
      expect(readme).toContain(`](docs/${page}.md)`);
    }
  });
});

describe.each(pages)("the links in %s", (page) => {
  it("land on a file and a heading that exist", () => {
    const broken: string[] = [];
    for (const link of linksOf(readFileSync(page, "utf8"))) {
      const [path = "", anchor] = link.split("#");
      const target = path ? normalize(join(dirname(page), path)) : page;
      if (!existsSync(target)) {
        broken.push(`${link} (no ${target})`);
        continue;
      }
      if (anchor && target.endsWith(".md") && !anchorsOf(readFileSync(target, "utf8")).has(anchor)) {
        broken.push(`${link} (no heading #${anchor} in ${target})`);
      }
    }
    expect(broken).toEqual([]);
  });
});

describe("how polling spends the PSN budget (docs/architecture.md)", () => {
  const text = readFileSync("docs/architecture.md", "utf8").replace(/\s+/g, " ");
  const f = defaultFriendOptions;

  it("names the batch reads' limits the poller applies", () => {
    expect(text).toContain(`at most ${f.readsPerAccountPerTick} batch reads per account per tick`);
    // An account reads for friends only with more than its reserve left: reserve + 1 at least.
    expect(text).toContain(`never from an account with fewer than ${f.reservePerAccount + 1} requests left`);
    expect(text).toContain(`Each account keeps ${f.reservePerAccount} requests for its own reads`);
  });

  it("gives the friend lists per tick as a floor, with what raises it", () => {
    expect(text).toContain(`A tick reads at least ${f.minListsPerTick} lists`);
    expect(text).toContain(`every ${f.refreshMs / 3_600_000} hours`);
  });
});
