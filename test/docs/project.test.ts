import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const pkg = JSON.parse(readFileSync("package.json", "utf8")) as { license: string; version: string };

describe("LICENSE", () => {
  it("is the licence package.json names", () => {
    expect(pkg.license).toBe("MIT");
    const text = readFileSync("LICENSE", "utf8");
    expect(text.split("\n")[0]).toBe("MIT License");
    expect(text).toContain("Copyright (c) 2026 psn-party-bridge contributors");
  });
});

describe("CHANGELOG.md", () => {
  const changelog = readFileSync("CHANGELOG.md", "utf8");
  const section = (heading: string) => {
    const start = changelog.indexOf(`## ${heading}`);
    const next = changelog.indexOf("\n## ", start + 1);
    return start < 0 ? "" : changelog.slice(start, next < 0 ? undefined : next);
  };

  it("keeps an Unreleased section above a section for the version package.json names", () => {
    expect(changelog.indexOf("## [Unreleased]")).toBeGreaterThan(-1);
    expect(changelog.indexOf("## [Unreleased]")).toBeLessThan(changelog.indexOf(`## [${pkg.version}]`));
  });

  it("names the settings issue 9 added, under Unreleased", () => {
    const unreleased = section("[Unreleased]");
    for (const name of ["DISCORD_DEV_GUILD_ID", "LOG_FORMAT", "METRICS_PORT"]) {
      expect(unreleased, name).toContain(name);
    }
  });
});
