import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { envSchema } from "../../src/config.js";

const variables = Object.keys(envSchema.shape).sort();

describe("configuration documentation", () => {
  it(".env.example names exactly the variables the bot reads", () => {
    const text = readFileSync(".env.example", "utf8");
    const named = [...text.matchAll(/^#?\s*([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]).sort();
    expect([...new Set(named)]).toEqual(variables);
  });

  it("the README documents every variable", () => {
    const readme = readFileSync("README.md", "utf8");
    const missing = variables.filter((v) => !readme.includes(`\`${v}\``));
    expect(missing).toEqual([]);
  });
});
