/**
 * The layer rule, executable. `npm run lint` runs it:
 *   depcruise src --config .dependency-cruiser.cjs
 *
 * Dependencies in src/ point one way, bottom up. A layer may import from the layers
 * below it, never from one above:
 *
 *   main               src/main.ts, src/healthcheck.ts (entry points)
 *    ↑
 *   composition root   src/app.ts (and src/compose*.ts, src/composition/ if added)
 *    ↑
 *   jobs               src/jobs/
 *    ↑
 *   bot | web          src/bot/, src/web/ (siblings: neither imports the other)
 *    ↑
 *   accounts           src/accounts/
 *    ↑
 *   db                 src/db/
 *    ↑
 *   domain             src/domain/
 *    ↑
 *   psn                src/psn/
 *    ↑
 *   config/log/vault/metrics   src/config.ts, src/log.ts, src/vault.ts, src/metrics.ts
 *
 * jobs and bot: jobs does not use the bot, with one sanctioned exception: jobs may
 * import src/bot/embeds/ (the rendered card's hash decides whether a card is edited)
 * and nothing else of src/bot/. That is the `jobs-not-to-bot` rule below; the
 * exception is its `to.pathNot`. What else jobs needs of the bot (the client, the
 * context) the composition root passes in.
 *
 * There is one rule per forbidden direction, named `<lower>-not-to-<upper>` (e.g.
 * `db-not-to-jobs`), generated from LAYERS. Type-only imports count: a type in the
 * wrong layer is still a wrong dependency. Every module in src/ must belong to a layer
 * (`src-not-in-a-layer`, `src-not-to-unlayered`): add a new top-level file or folder
 * to LAYERS. An import that resolves to no file fails too (`src-not-to-unresolvable`),
 * as no layer rule could check it.
 *
 * Only src/db knows the database (`no-database-outside-db`): nothing else in src/, bench/,
 * sim/ or sandbox/ imports drizzle-orm, better-sqlite3, or src/db's insides (client.ts,
 * schema.ts); they hold a `Store` (src/db/store.ts) and call the functions of src/db.
 *
 * Besides the layers: no cycles in src/, src/ never imports test/, bench/, sim/ or sandbox/,
 * bench/, sim/ and sandbox/ never import test/, and src/
 * never imports a devDependency (a production install has none), except type-only
 * imports that resolve to an @types package (`src-not-to-dev-dep`,
 * `src-not-to-types-package-at-runtime`).
 */

/** Bottom up; layers with the same rank are siblings and must not import each other. */
const LAYERS = [
  {
    id: "base",
    label: "config/log/vault/metrics",
    where: "src/config.ts, src/log.ts, src/vault.ts, src/metrics.ts",
    path: "^src/(config|log|vault|metrics)(\\.ts$|/)",
    rank: 0,
  },
  { id: "psn", label: "psn", where: "src/psn", path: "^src/psn/", rank: 1 },
  { id: "domain", label: "domain", where: "src/domain", path: "^src/domain/", rank: 2 },
  { id: "db", label: "db", where: "src/db", path: "^src/db/", rank: 3 },
  { id: "accounts", label: "accounts", where: "src/accounts", path: "^src/accounts/", rank: 4 },
  { id: "bot", label: "bot", where: "src/bot", path: "^src/bot/", rank: 5 },
  { id: "web", label: "web", where: "src/web", path: "^src/web/", rank: 5 },
  { id: "jobs", label: "jobs", where: "src/jobs", path: "^src/jobs/", rank: 6 },
  {
    id: "composition",
    label: "the composition root",
    where: "src/app.ts, src/compose*.ts, src/composition",
    path: "^src/(app\\.ts$|compose[^/]*\\.ts$|composition/)",
    rank: 7,
  },
  {
    id: "main",
    label: "main",
    where: "src/main.ts, src/healthcheck.ts",
    path: "^src/(main|healthcheck)\\.ts$",
    rank: 8,
  },
];

/**
 * The crash run (npm run crash) ages the card rows of a killed bot's file, as time
 * passing while it is down would: SQL on the file, which no function of the bot's store
 * should offer. Its other database work goes through the store.
 */
const CRASH_RUN_AGES_ROWS = "^bench/crashRun\\.ts$";

/** Where jobs may reach into bot: the card renderer and nothing else. */
const JOBS_MAY_USE_FROM_BOT = "^src/bot/embeds/";

const ORDER =
  "config/log/vault/metrics → psn → domain → db → accounts → bot | web → jobs → composition root (src/app.ts) → main";

const DOMAIN_RANK = 2;

function upwardComment(lower, upper) {
  const typesHint = lower.rank >= DOMAIN_RANK ? " (shared types usually belong in src/domain)" : "";
  return (
    `${lower.label} (${lower.where}) must not import from ${upper.label} (${upper.where}): ` +
    `${lower.label} sits below ${upper.label} (layer order, bottom up: ${ORDER}). ` +
    `Move what both need down to ${lower.label} or a layer below it${typesHint}, or have the ` +
    "composition root (src/app.ts) pass it in as a parameter."
  );
}

function siblingComment(from, to) {
  return (
    `${from.label} (${from.where}) must not import from ${to.label} (${to.where}): bot and web are ` +
    "siblings, neither imports the other. Move what both need down to src/accounts or a layer below it, " +
    "or have the composition root (src/app.ts) connect them."
  );
}

function layerRules() {
  const rules = [];
  for (const from of LAYERS) {
    for (const to of LAYERS) {
      if (from === to || from.rank > to.rank) continue;
      rules.push({
        name: `${from.id}-not-to-${to.id}`,
        comment: from.rank === to.rank ? siblingComment(from, to) : upwardComment(from, to),
        severity: "error",
        from: { path: from.path },
        to: { path: to.path },
      });
    }
  }
  return rules;
}

/** @type {import("dependency-cruiser").IConfiguration} */
module.exports = {
  forbidden: [
    ...layerRules(),
    {
      // The sanctioned exception, written beside the rule: jobs may use src/bot/embeds/.
      name: "jobs-not-to-bot",
      comment:
        "jobs (src/jobs) must not import from bot (src/bot), except src/bot/embeds/: the rendered card's " +
        "hash decides whether to edit a card, so jobs renders cards with the bot's embeds, and uses " +
        "nothing else of src/bot. Take what jobs needs of the bot (the client, the context) as a " +
        "parameter that the composition root (src/app.ts) passes in.",
      severity: "error",
      from: { path: "^src/jobs/" },
      to: { path: "^src/bot/", pathNot: JOBS_MAY_USE_FROM_BOT },
    },
    {
      name: "message-users-apart",
      comment:
        "The presence board (src/jobs/board) and the party cards (src/jobs/cards) are the two users of the " +
        "message protocol and import nothing from each other: what both need (the exactly-once protocol, " +
        "the Discord error policy, the nonce) lives in src/jobs/messages.",
      severity: "error",
      from: { path: "^src/jobs/(cards|board)/" },
      to: { path: "^src/jobs/(cards|board)/", pathNot: "^src/jobs/$1/" },
    },
    {
      name: "messages-not-to-its-users",
      comment:
        "The message protocol (src/jobs/messages) knows no card and no board: what differs between them " +
        "(the row store, how their message is known, what it shows) is passed in by cards/ and board/.",
      severity: "error",
      from: { path: "^src/jobs/messages/" },
      to: { path: "^src/jobs/(cards|board)/" },
    },
    {
      name: "no-database-outside-db",
      comment:
        "Only src/db knows the database: outside it, nothing imports drizzle-orm, better-sqlite3 or " +
        "src/db's insides (client.ts: the connection and transactions; schema.ts: the tables). Take the " +
        "Store (type and openStore from src/db/store.ts) and call the functions of src/db, which all take " +
        "it and return a promise: await them. If none does what you need, add one to the module of its " +
        "table in src/db; writes that must agree are one such function, its transaction inside it " +
        "(inTransaction in src/db/client.ts), never opened by a caller.",
      severity: "error",
      from: { path: "^(src|bench|sim|sandbox)/", pathNot: ["^src/db/", CRASH_RUN_AGES_ROWS] },
      to: {
        path: [
          "(^|/)node_modules/(drizzle-orm|better-sqlite3|@types/better-sqlite3)/",
          "^src/db/(client|schema)\\.ts$",
        ],
      },
    },
    {
      name: "src-not-in-a-layer",
      comment:
        "Every module in src/ belongs to a layer, and this one matches none. Put it in a layer's folder, " +
        "or add it to LAYERS in .dependency-cruiser.cjs at its place in the order: " +
        `${ORDER}.`,
      severity: "error",
      from: { path: "^src/", pathNot: LAYERS.map((layer) => layer.path) },
      to: {},
    },
    {
      name: "src-not-to-unlayered",
      comment:
        "This import points at a module in src/ that belongs to no layer. Put that module in a layer's " +
        "folder, or add it to LAYERS in .dependency-cruiser.cjs at its place in the order: " +
        `${ORDER}.`,
      severity: "error",
      from: { path: "^src/" },
      to: { path: "^src/", pathNot: LAYERS.map((layer) => layer.path) },
    },
    {
      name: "no-circular",
      comment:
        "This import is part of a cycle in src/ (type-only and dynamic imports included). Break it: move " +
        "what both sides need down a layer, or pass it in as a parameter instead of importing it.",
      severity: "error",
      from: { path: "^src/" },
      to: { circular: true },
    },
    {
      name: "src-not-to-test",
      comment:
        "src/ must not import from test/, bench/, sim/ or sandbox/: the bot does not ship with them. Move " +
        "the shared code into src/ (at the lowest layer that needs it) and import it from there instead.",
      severity: "error",
      from: { path: "^src/" },
      to: { path: "^(test|bench|sim|sandbox)/" },
    },
    {
      name: "tools-not-to-test",
      comment:
        "bench/, sim/ and sandbox/ must not import from test/: they are tools people run (the benchmarks, " +
        "the simulators, the sandbox), and test/ holds tests and their support only. Move what both need " +
        "into sim/ (simulators and what drives the bot against them) and import it from the test.",
      severity: "error",
      from: { path: "^(bench|sim|sandbox)/" },
      to: { path: "^test/" },
    },
    {
      name: "src-not-to-dev-dep",
      comment:
        "src/ must not import a devDependency: a production install (npm ci --omit=dev) does not have it. " +
        "Move the package to dependencies in package.json, or keep the import out of src/. Only " +
        "type-only imports from @types packages are fine.",
      severity: "error",
      from: { path: "^src/" },
      to: { dependencyTypes: ["npm-dev"], pathNot: "^node_modules/@types/" },
    },
    {
      name: "src-not-to-types-package-at-runtime",
      comment:
        "An @types package only has types, and it is a devDependency: import from it with `import type` " +
        "so nothing of it is left at runtime.",
      severity: "error",
      from: { path: "^src/" },
      to: { dependencyTypes: ["npm-dev"], dependencyTypesNot: ["type-only"], path: "^node_modules/@types/" },
    },
    {
      name: "src-not-to-unresolvable",
      comment:
        "This import can't be resolved to a file, so the layer rules can't check it. Fix the path (a .ts " +
        "file is imported with a .js suffix) or install the package.",
      severity: "error",
      from: { path: "^src/" },
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: "(^|/)node_modules/" },
    // A type in the wrong layer is still a wrong dependency: keep type-only imports.
    tsPreCompilationDeps: true,
    // NodeNext: `./x.js` in a .ts file means ./x.ts. dependency-cruiser retries a .js
    // specifier that has no .js file as .ts, like tsc; the repo's tsconfig supplies the
    // compiler options (and paths, should any be added). `src-not-to-unresolvable`
    // catches an import that resolves to nothing, which no layer rule could check.
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default", "types"],
      mainFields: ["module", "main", "types", "typings"],
    },
    skipAnalysisNotInRules: true,
  },
};
