/** A simulator, a client pointed at it and one signed-in member, for the PSN tests. */

import { type PsnSim, type PsnSimOptions, startPsnSim } from "../../sim/psn/server.js";
import { type Logger, silentLogger } from "../../src/log.js";
import { PsnClient, type PsnClientOptions } from "../../src/psn/client.js";
import type { TokenProvider } from "../../src/psn/http.js";
import type { StoredTokens, TokenManager, TokenStore } from "../../src/psn/tokens.js";
import type { TokenSet } from "../../src/psn/types.js";

export class MemoryTokenStore implements TokenStore {
  readonly tokens = new Map<string, TokenSet>();
  /** The sign-in each key's tokens descend from (0 unless a test signs in again). */
  readonly generations = new Map<string, number>();
  saves = 0;
  load(key: string): StoredTokens | null {
    const tokens = this.tokens.get(key);
    return tokens ? { ...tokens, generation: this.generations.get(key) ?? 0 } : null;
  }
  save(key: string, tokens: TokenSet, generation: number): boolean {
    if ((this.generations.get(key) ?? 0) !== generation) return false;
    this.saves++;
    this.tokens.set(key, tokens);
    return true;
  }
}

export interface Harness {
  sim: PsnSim;
  client: PsnClient;
  alice: { accountId: string; onlineId: string; npsso: string };
  bob: { accountId: string; onlineId: string; npsso: string };
  store: MemoryTokenStore;
  tokens: TokenManager;
  relinks: string[];
  /** Alice's token provider, through the token manager. */
  auth: TokenProvider;
  close(): Promise<void>;
}

export interface HarnessOptions {
  sim?: PsnSimOptions;
  client?: Partial<PsnClientOptions>;
  log?: Logger;
}

export function clientFor(
  sim: PsnSim,
  overrides: Partial<PsnClientOptions> = {},
  log: Logger = silentLogger(),
): PsnClient {
  return new PsnClient({
    authBaseUrl: sim.url,
    apiBaseUrl: sim.url,
    webBaseUrl: sim.url,
    dmsBaseUrl: sim.url,
    clientId: sim.clientId,
    clientSecret: sim.clientSecret,
    redirectUri: sim.redirectUri,
    scope: sim.scope,
    timeoutMs: 2_000,
    retry: { attempts: 3, baseDelayMs: 5, maxDelayMs: 20 },
    log,
    ...overrides,
  });
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const sim = await startPsnSim(options.sim);
  const client = clientFor(sim, options.client, options.log);
  const alice = sim.createAccount({ onlineId: "alice_ps" });
  const bob = sim.createAccount({ onlineId: "bob_ps" });
  // Friends on PSN, as the members of one community mostly are: each may read the other's presence.
  sim.befriend(alice.accountId, bob.accountId);
  const store = new MemoryTokenStore();
  const relinks: string[] = [];
  const tokens = client.tokenManager({ store, onRelinkRequired: (key) => void relinks.push(key) });
  store.tokens.set(alice.accountId, await client.exchangeNpsso(alice.npsso));
  store.saves = 0;
  sim.resetRequests();
  return {
    sim,
    client,
    alice,
    bob,
    store,
    tokens,
    relinks,
    auth: tokens.provider(alice.accountId),
    close: async () => {
      await client.close();
      await sim.close();
    },
  };
}
