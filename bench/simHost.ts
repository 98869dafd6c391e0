/**
 * The PSN simulator in its own process for the poll benchmark, so the poller's CPU
 * and memory figures are the poller's alone. Driven over IPC by bench/poll.ts:
 * each message is `{ id, cmds: SimCommand[] }`, answered with `{ id, results }`.
 */
import { Agent, request } from "undici";
import { prng } from "../sim/prng.js";
import { startPsnSim } from "../sim/psn/server.js";
import type { SimCommand } from "./simCommands.js";

const latencyMs = Number(process.env.BENCH_LATENCY_MS ?? "50");
const sim = await startPsnSim({ latencyMs });
const agent = new Agent({ connections: 512 });
/** Requests per account since the last takeRequestsByAccount (counted at each takeRequestCount). */
const byAccount = new Map<string, number>();
let rateLimited = 0;
const byEndpoint = new Map<string, number>();

/** Signs an account in over HTTP the way the bot does (authorize with the NPSSO cookie, then the code). */
async function signIn(npsso: string): Promise<string> {
  const authorize = new URL("/api/authz/v3/oauth/authorize", sim.url);
  for (const [k, v] of Object.entries({
    access_type: "offline",
    client_id: sim.clientId,
    redirect_uri: sim.redirectUri,
    response_type: "code",
    scope: sim.scope,
  }))
    authorize.searchParams.set(k, v);
  const first = await request(authorize, { dispatcher: agent, headers: { cookie: `npsso=${npsso}` } });
  await first.body.dump();
  const location = String(first.headers.location ?? "");
  const code = new URL(location.replace(/^[^:]+:\/\//, "http://x/")).searchParams.get("code") ?? "";
  const token = await request(new URL("/api/authz/v3/oauth/token", sim.url), {
    dispatcher: agent,
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      authorization: `Basic ${Buffer.from(`${sim.clientId}:${sim.clientSecret}`).toString("base64")}`,
    },
    body: new URLSearchParams({
      code,
      redirect_uri: sim.redirectUri,
      grant_type: "authorization_code",
      token_format: "jwt",
    }).toString(),
  });
  const body = (await token.body.json()) as { access_token: string };
  return body.access_token;
}

/**
 * PSN-like account ids (19 digits) from the seed. The simulator's own are random, and the
 * schedule spreads members by a hash of their id: the same seed must give the same phases.
 */
function accountIds(count: number, seed: number): string[] {
  const random = prng(seed);
  const digit = () => String(Math.floor(random() * 10));
  const ids = new Set<string>();
  while (ids.size < count)
    ids.add(`${1 + Math.floor(random() * 9)}${Array.from({ length: 18 }, digit).join("")}`);
  return [...ids];
}

async function setup(count: number, concurrency: number, seed: number) {
  const ids = accountIds(count, seed);
  const accounts = ids.map((accountId, i) => sim.createAccount({ onlineId: `bench_${i}`, accountId }));
  const out: { accountId: string; onlineId: string; accessToken: string }[] = new Array(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < accounts.length) {
        const i = next++;
        const a = accounts[i]!;
        out[i] = { accountId: a.accountId, onlineId: a.onlineId, accessToken: await signIn(a.npsso) };
      }
    }),
  );
  sim.resetRequests();
  return out;
}

async function run(cmd: SimCommand): Promise<unknown> {
  switch (cmd.op) {
    case "setup":
      return setup(cmd.count, cmd.concurrency, cmd.seed);
    case "presence":
      sim.setPresence(cmd.accountId, {
        online: cmd.online,
        game: cmd.online ? { name: "Bench Game" } : null,
      });
      return null;
    case "startParty": {
      const sessionId = sim.startParty(cmd.host, { joinability: "open" });
      for (const m of cmd.members) sim.joinParty(sessionId, m);
      return sessionId;
    }
    case "endParty":
      sim.endParty(cmd.sessionId);
      return null;
    case "takeRequestCount": {
      const requests = sim.requests();
      sim.resetRequests();
      for (const r of requests) {
        if (r.accountId) byAccount.set(r.accountId, (byAccount.get(r.accountId) ?? 0) + 1);
        const e = r.endpoint ?? "other";
        byEndpoint.set(e, (byEndpoint.get(e) ?? 0) + 1);
      }
      rateLimited += requests.filter((r) => r.status === 429).length;
      return requests.length;
    }
    case "befriend":
      for (const [a, b] of cmd.pairs) sim.befriend(a, b);
      return null;
    case "takeRequestsByAccount": {
      const out = {
        max: Math.max(0, ...byAccount.values()),
        rateLimited,
        byEndpoint: Object.fromEntries(byEndpoint),
      };
      byAccount.clear();
      byEndpoint.clear();
      rateLimited = 0;
      return out;
    }
    case "url":
      return sim.url;
  }
}

process.on("message", (message: { id: number; cmds: SimCommand[] }) => {
  void (async () => {
    const results: unknown[] = [];
    for (const cmd of message.cmds) results.push(await run(cmd));
    process.send?.({ id: message.id, results });
  })();
});
process.on("disconnect", () => {
  void sim.close().then(() => process.exit(0));
});
process.send?.({ id: 0, results: ["ready"] });
