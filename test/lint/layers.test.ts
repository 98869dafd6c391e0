/**
 * The layer rule in .dependency-cruiser.cjs bites: dependency-cruiser, run with the
 * repo's real rule file against a small fixture tree laid out like src/, reports every
 * forbidden direction under its rule's name and leaves the allowed ones alone.
 *
 * The fixture lives in a temporary directory, so this test does not depend on the
 * state of the real src/ tree. Each layer has a leaf module (`target`) that imports
 * nothing, and one module (`uses`) that imports the target of every other layer; a
 * violation is identified by its (from, to) pair.
 */
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { cruise, type IViolation } from "dependency-cruiser";
import extractDepcruiseOptions from "dependency-cruiser/config-utl/extract-depcruise-options";
import extractTSConfig from "dependency-cruiser/config-utl/extract-ts-config";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const ruleFile = join(repoRoot, ".dependency-cruiser.cjs");

/**
 * The layer order the rule file must enforce, written out independently of it: bottom
 * up, same rank = siblings. `uses` imports every other layer's `target`.
 */
const layers = [
  { id: "base", rank: 0, uses: "src/config.ts", target: "src/log.ts" },
  { id: "psn", rank: 1, uses: "src/psn/uses.ts", target: "src/psn/target.ts" },
  { id: "domain", rank: 2, uses: "src/domain/uses.ts", target: "src/domain/target.ts" },
  { id: "db", rank: 3, uses: "src/db/uses.ts", target: "src/db/target.ts" },
  { id: "accounts", rank: 4, uses: "src/accounts/uses.ts", target: "src/accounts/target.ts" },
  { id: "bot", rank: 5, uses: "src/bot/uses.ts", target: "src/bot/router.ts" },
  { id: "web", rank: 5, uses: "src/web/uses.ts", target: "src/web/server.ts" },
  { id: "jobs", rank: 6, uses: "src/jobs/uses.ts", target: "src/jobs/schedule.ts" },
  { id: "composition", rank: 7, uses: "src/app.ts", target: "src/compose.ts" },
  { id: "main", rank: 8, uses: "src/main.ts", target: "src/main.ts" },
] as const;
type Layer = (typeof layers)[number];

/** More modules that belong to a layer: the other base files, bot's embeds, a composition folder. */
const extraTargets: { layer: Layer["id"]; target: string }[] = [
  { layer: "base", target: "src/vault.ts" },
  { layer: "base", target: "src/metrics.ts" },
  { layer: "bot", target: "src/bot/embeds/card.ts" },
  { layer: "composition", target: "src/composition/root.ts" },
];

type Row = { from: string; to: string; expected: string | null; why: string };

function expectedFor(from: Layer, to: Layer, target: string): Row {
  if (from.rank < to.rank) {
    return { from: from.uses, to: target, expected: `${from.id}-not-to-${to.id}`, why: "upward" };
  }
  if (from.rank === to.rank) {
    return { from: from.uses, to: target, expected: `${from.id}-not-to-${to.id}`, why: "sibling" };
  }
  if (from.id === "jobs" && to.id === "bot") {
    return target.startsWith("src/bot/embeds/")
      ? { from: from.uses, to: target, expected: null, why: "the sanctioned exception: jobs → bot/embeds" }
      : { from: from.uses, to: target, expected: "jobs-not-to-bot", why: "jobs → bot outside embeds" };
  }
  return { from: from.uses, to: target, expected: null, why: "downward" };
}

const allTargets = [...layers.map((layer) => ({ layer: layer.id, target: layer.target })), ...extraTargets];

const layerRows: Row[] = layers.flatMap((from) =>
  allTargets
    .filter(({ layer, target }) => layer !== from.id && target !== from.uses)
    .map(({ layer, target }) => {
      const to = layers.find((l) => l.id === layer);
      if (!to) throw new Error(`unknown layer ${layer}`);
      return expectedFor(from, to, target);
    }),
);

/** Fixture modules beyond the layer grid: each one exercises one more kind of import. */
const extraFiles: Record<string, string> = {
  // A type-only upward import is still an upward import.
  "src/db/watch.ts": 'import type { Target } from "../jobs/schedule.js";\nexport type W = Target;\n',
  // So is a dynamic one, and a re-export.
  "src/psn/lazy.ts": 'export const load = () => import("../db/target.js");\n',
  "src/domain/reexport.ts": 'export { target } from "../accounts/target.js";\n',
  // The jobs module from the brief: the card renderer is fine, the router is not.
  "src/jobs/x.ts":
    'import { target as card } from "../bot/embeds/card.js";\nimport { target as router } from "../bot/router.js";\nexport const x = [card, router];\n',
  // The message protocol's two users import it, never each other; it imports neither.
  "src/jobs/messages/protocol.ts":
    'import { target } from "../cards/applyAction.js";\nexport const protocol = target;\n',
  "src/jobs/cards/applyAction.ts": "export const target = 1;\n",
  "src/jobs/cards/writer.ts":
    'import { target } from "./applyAction.js";\nimport { protocol } from "../messages/protocol.js";\nexport const w = [target, protocol];\n',
  "src/jobs/board/writer.ts":
    'import { target } from "../cards/applyAction.js";\nimport { protocol } from "../messages/protocol.js";\nexport const w = [target, protocol];\n',
  // A cycle through a dynamic import, and a type-only cycle.
  "src/bot/commands/help.ts":
    'export const help = async () => (await import("./index.js")).commands;\nexport const name = "help";\n',
  "src/bot/commands/index.ts": 'import { name } from "./help.js";\nexport const commands = [name];\n',
  "src/domain/a.ts": 'import type { B } from "./b.js";\nexport type A = { b?: B };\n',
  "src/domain/b.ts": 'import type { A } from "./a.js";\nexport type B = { a?: A };\n',
  // src/ never imports test/ or bench/.
  "src/web/fromTest.ts":
    'import { helper } from "../../test/helper.js";\nimport { bench } from "../../bench/poll.js";\nexport const t = [helper, bench];\n',
  "test/helper.ts": "export const helper = 1;\n",
  // Only src/db knows the database: drizzle, the driver and src/db's insides stay in it; the store is for all.
  "src/jobs/database.ts": [
    'import { eq } from "drizzle-orm";',
    'import Database from "better-sqlite3";',
    'import { dbOf } from "../db/client.js";',
    'import { users } from "../db/schema.js";',
    'import { openStore } from "../db/store.js";',
    "export const d = [eq, Database, dbOf, users, openStore];",
    "",
  ].join("\n"),
  "src/db/client.ts":
    'import { eq } from "drizzle-orm";\nimport Database from "better-sqlite3";\nexport const dbOf = [eq, Database];\n',
  "src/db/schema.ts": 'import { eq } from "drizzle-orm";\nexport const users = eq;\n',
  "src/db/store.ts": 'export { dbOf as openStore } from "./client.js";\n',
  "bench/database.ts": [
    'import { eq } from "drizzle-orm";',
    'import { dbOf } from "../src/db/client.js";',
    'import { openStore } from "../src/db/store.js";',
    'import { helper } from "../test/helper.js";',
    "export const b = [eq, dbOf, openStore, helper];",
    "",
  ].join("\n"),
  "bench/crashRun.ts": 'import Database from "better-sqlite3";\nexport const c = Database;\n',
  "bench/poll.ts": "export const bench = 1;\n",
  // Nor sim/ or sandbox/, the tools that ship beside it; and the tools never import test/.
  "src/web/fromTools.ts":
    'import { sim } from "../../sim/psn.js";\nimport { view } from "../../sandbox/view.js";\nexport const t = [sim, view];\n',
  "sim/psn.ts": 'import { helper } from "../test/helper.js";\nexport const sim = helper;\n',
  "sandbox/view.ts": 'import { helper } from "../test/helper.js";\nexport const view = helper;\n',
  "bench/usesTest.ts": 'import { helper } from "../test/helper.js";\nexport const b = helper;\n',
  // Packages: a devDependency is out (even type-only), @types type-only is fine, a dependency is fine.
  "src/psn/packages.ts": [
    'import { fake } from "fake-dev";',
    'import type { FakeDev } from "fake-dev-typed";',
    'import type { OnlyTypes } from "fake-types-only";',
    'import { prod } from "fake-prod";',
    "export const p: [unknown, FakeDev?, OnlyTypes?] = [fake, prod];",
    "",
  ].join("\n"),
  // An @types package has nothing at runtime: only `import type` from it.
  "src/psn/sideEffect.ts": 'import "fake-types-only";\n',
  // A module outside every layer, and an import that resolves to nothing.
  "src/util.ts": 'import { target } from "./psn/target.js";\nexport const util = target;\n',
  "src/psn/usesUtil.ts": 'import { util } from "../util.js";\nexport const u = util;\n',
  "src/psn/typo.ts": 'import { gone } from "./missing.js";\nexport const g = gone;\n',
  // The fixture's own package manifest, packages and tsconfig.
  "package.json": JSON.stringify({
    name: "layers-fixture",
    private: true,
    type: "module",
    dependencies: { "fake-prod": "1.0.0", "drizzle-orm": "1.0.0", "better-sqlite3": "1.0.0" },
    devDependencies: { "fake-dev": "1.0.0", "fake-dev-typed": "1.0.0", "@types/fake-types-only": "1.0.0" },
  }),
  "node_modules/fake-prod/package.json": JSON.stringify({
    name: "fake-prod",
    version: "1.0.0",
    main: "index.js",
  }),
  "node_modules/fake-prod/index.js": "export const prod = 1;\n",
  "node_modules/drizzle-orm/package.json": JSON.stringify({
    name: "drizzle-orm",
    version: "1.0.0",
    main: "index.js",
  }),
  "node_modules/drizzle-orm/index.js": "export const eq = 1;\n",
  "node_modules/better-sqlite3/package.json": JSON.stringify({
    name: "better-sqlite3",
    version: "1.0.0",
    main: "index.js",
  }),
  "node_modules/better-sqlite3/index.js": "export default 1;\n",
  "node_modules/fake-dev/package.json": JSON.stringify({
    name: "fake-dev",
    version: "1.0.0",
    main: "index.js",
  }),
  "node_modules/fake-dev/index.js": "export const fake = 1;\n",
  "node_modules/fake-dev-typed/package.json": JSON.stringify({
    name: "fake-dev-typed",
    version: "1.0.0",
    main: "index.js",
    types: "index.d.ts",
  }),
  "node_modules/fake-dev-typed/index.js": "export {};\n",
  "node_modules/fake-dev-typed/index.d.ts": "export type FakeDev = number;\n",
  "node_modules/@types/fake-types-only/package.json": JSON.stringify({
    name: "@types/fake-types-only",
    version: "1.0.0",
    types: "index.d.ts",
  }),
  "node_modules/@types/fake-types-only/index.d.ts": "export type OnlyTypes = number;\n",
  "tsconfig.json": JSON.stringify({
    compilerOptions: {
      target: "ES2022",
      module: "NodeNext",
      moduleResolution: "NodeNext",
      strict: true,
      verbatimModuleSyntax: true,
    },
    include: ["src", "test", "bench", "sim", "sandbox"],
  }),
};

const extraRows: Row[] = [
  { from: "src/db/watch.ts", to: "src/jobs/schedule.ts", expected: "db-not-to-jobs", why: "type-only" },
  { from: "src/psn/lazy.ts", to: "src/db/target.ts", expected: "psn-not-to-db", why: "dynamic import" },
  {
    from: "src/domain/reexport.ts",
    to: "src/accounts/target.ts",
    expected: "domain-not-to-accounts",
    why: "re-export",
  },
  { from: "src/jobs/x.ts", to: "src/bot/embeds/card.ts", expected: null, why: "the sanctioned exception" },
  {
    from: "src/jobs/x.ts",
    to: "src/bot/router.ts",
    expected: "jobs-not-to-bot",
    why: "jobs → bot outside embeds",
  },
  {
    from: "src/jobs/board/writer.ts",
    to: "src/jobs/cards/applyAction.ts",
    expected: "message-users-apart",
    why: "board → cards",
  },
  { from: "src/jobs/board/writer.ts", to: "src/jobs/messages/protocol.ts", expected: null, why: "a user" },
  { from: "src/jobs/cards/writer.ts", to: "src/jobs/messages/protocol.ts", expected: null, why: "a user" },
  {
    from: "src/jobs/cards/writer.ts",
    to: "src/jobs/cards/applyAction.ts",
    expected: null,
    why: "within cards",
  },
  {
    from: "src/jobs/messages/protocol.ts",
    to: "src/jobs/cards/applyAction.ts",
    expected: "messages-not-to-its-users",
    why: "protocol → a user",
  },
  {
    from: "src/bot/commands/help.ts",
    to: "src/bot/commands/index.ts",
    expected: "no-circular",
    why: "cycle",
  },
  {
    from: "src/bot/commands/index.ts",
    to: "src/bot/commands/help.ts",
    expected: "no-circular",
    why: "cycle",
  },
  { from: "src/domain/a.ts", to: "src/domain/b.ts", expected: "no-circular", why: "type-only cycle" },
  { from: "src/web/fromTest.ts", to: "test/helper.ts", expected: "src-not-to-test", why: "test/" },
  { from: "src/web/fromTest.ts", to: "bench/poll.ts", expected: "src-not-to-test", why: "bench/" },
  { from: "src/web/fromTools.ts", to: "sim/psn.ts", expected: "src-not-to-test", why: "sim/" },
  { from: "src/web/fromTools.ts", to: "sandbox/view.ts", expected: "src-not-to-test", why: "sandbox/" },
  { from: "sim/psn.ts", to: "test/helper.ts", expected: "tools-not-to-test", why: "sim/ → test/" },
  { from: "sandbox/view.ts", to: "test/helper.ts", expected: "tools-not-to-test", why: "sandbox/ → test/" },
  { from: "bench/usesTest.ts", to: "test/helper.ts", expected: "tools-not-to-test", why: "bench/ → test/" },
  {
    from: "src/psn/packages.ts",
    to: "node_modules/fake-dev/index.js",
    expected: "src-not-to-dev-dep",
    why: "devDependency",
  },
  {
    from: "src/psn/packages.ts",
    to: "node_modules/fake-dev-typed/index.js",
    expected: "src-not-to-dev-dep",
    why: "devDependency, type-only",
  },
  {
    from: "src/psn/packages.ts",
    to: "node_modules/@types/fake-types-only/index.d.ts",
    expected: null,
    why: "@types, type-only",
  },
  { from: "src/psn/packages.ts", to: "node_modules/fake-prod/index.js", expected: null, why: "dependency" },
  {
    from: "src/psn/sideEffect.ts",
    to: "node_modules/@types/fake-types-only/index.d.ts",
    expected: "src-not-to-types-package-at-runtime",
    why: "@types, not type-only",
  },
  { from: "src/util.ts", to: "src/psn/target.ts", expected: "src-not-in-a-layer", why: "unlayered module" },
  {
    from: "src/psn/usesUtil.ts",
    to: "src/util.ts",
    expected: "src-not-to-unlayered",
    why: "unlayered module",
  },
  { from: "src/psn/typo.ts", to: "./missing.js", expected: "src-not-to-unresolvable", why: "unresolvable" },
  ...[
    "node_modules/drizzle-orm/index.js",
    "node_modules/better-sqlite3/index.js",
    "src/db/client.ts",
    "src/db/schema.ts",
  ].map((to) => ({
    from: "src/jobs/database.ts",
    to,
    expected: "no-database-outside-db",
    why: "the database",
  })),
  { from: "src/jobs/database.ts", to: "src/db/store.ts", expected: null, why: "the store" },
  { from: "src/db/client.ts", to: "node_modules/drizzle-orm/index.js", expected: null, why: "inside src/db" },
  {
    from: "src/db/client.ts",
    to: "node_modules/better-sqlite3/index.js",
    expected: null,
    why: "inside src/db",
  },
  { from: "src/db/schema.ts", to: "node_modules/drizzle-orm/index.js", expected: null, why: "inside src/db" },
  { from: "src/db/store.ts", to: "src/db/client.ts", expected: null, why: "inside src/db" },
  {
    from: "bench/database.ts",
    to: "node_modules/drizzle-orm/index.js",
    expected: "no-database-outside-db",
    why: "bench/ too",
  },
  {
    from: "bench/database.ts",
    to: "src/db/client.ts",
    expected: "no-database-outside-db",
    why: "bench/ too",
  },
  { from: "bench/database.ts", to: "src/db/store.ts", expected: null, why: "the store" },
  {
    from: "bench/database.ts",
    to: "test/helper.ts",
    expected: "tools-not-to-test",
    why: "tools use no tests",
  },
  {
    from: "bench/crashRun.ts",
    to: "node_modules/better-sqlite3/index.js",
    expected: null,
    why: "the crash run ages a dead bot's rows",
  },
];

function writeFixture(root: string): void {
  const files: Record<string, string> = { ...extraFiles };
  const targets = new Set(allTargets.map(({ target }) => target));
  for (const target of targets) files[target] ??= "export const target = 1;\n";
  for (const layer of layers) {
    const imports = allTargets
      .filter(({ target }) => target !== layer.uses)
      .map(({ target }, i) => {
        const specifier = relative(dirname(layer.uses), target).replace(/\.ts$/, ".js");
        return `import { target as t${i} } from "${specifier.startsWith(".") ? specifier : `./${specifier}`}";`;
      });
    const used = imports.map((_, i) => `t${i}`).join(", ");
    files[layer.uses] = `${imports.join("\n")}\nexport const uses = [${used}];\n`;
  }
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
}

let root: string;
let violations: IViolation[];

beforeAll(async () => {
  root = realpathSync(mkdtempSync(join(tmpdir(), "layers-")));
  writeFixture(root);
  const options = await extractDepcruiseOptions(ruleFile);
  const tsConfigFile = join(root, "tsconfig.json");
  const result = await cruise(
    // What `npm run lint:layers` cruises.
    ["src", "bench", "sim", "sandbox"],
    { ...options, baseDir: root, tsConfig: { fileName: tsConfigFile } },
    {},
    { tsConfig: extractTSConfig(tsConfigFile) },
  );
  const { output } = result;
  if (typeof output === "string") throw new Error("expected a cruise result object");
  violations = output.summary.violations;
});

afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

/** The edges of a cycle violation: from → cycle[0] → … → the last, which is `from` again. */
function cycleEdges(v: IViolation): string[] {
  const path = [v.from, ...(v.cycle ?? []).map((step) => step.name)];
  return path.slice(1).map((to, i) => `${path[i]} → ${to}`);
}

/** The rules reported on the import from → to; a cycle is reported once, on one of its edges. */
function rulesBetween(from: string, to: string): string[] {
  return violations
    .filter((v) => (v.from === from && v.to === to) || cycleEdges(v).includes(`${from} → ${to}`))
    .map((v) => v.rule.name)
    .sort();
}

describe("the layer rule (.dependency-cruiser.cjs)", () => {
  it.each(layerRows)("$from → $to ($why): $expected", ({ from, to, expected }) => {
    expect(rulesBetween(from, to)).toEqual(expected ? [expected] : []);
  });

  it.each(extraRows)("$from → $to ($why): $expected", ({ from, to, expected }) => {
    expect(rulesBetween(from, to)).toEqual(expected ? [expected] : []);
  });

  it("reports nothing the table does not expect", () => {
    const expected = new Set(
      [...layerRows, ...extraRows].filter((row) => row.expected).map((row) => `${row.from} → ${row.to}`),
    );
    expect(violations.map((v) => `${v.from} → ${v.to}`).filter((pair) => !expected.has(pair))).toEqual([]);
  });

  it("exercises every rule in the rule file", async () => {
    const { ruleSet } = await extractDepcruiseOptions(ruleFile);
    const exercised = new Set([...layerRows, ...extraRows].map((row) => row.expected));
    expect(
      (ruleSet?.forbidden ?? [])
        .map((rule) => rule.name ?? "(a rule without a name)")
        .filter((name) => !exercised.has(name)),
    ).toEqual([]);
  });
});
