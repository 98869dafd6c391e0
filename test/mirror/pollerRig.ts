/**
 * The poller on its own, for tests that drive it tick by tick: the PSN simulator over
 * real HTTP, the real PsnClient, a real SQLite file in a temporary directory, and
 * members linked straight into the database (no Discord involved) with the tokens a
 * real sign-in against the simulator gave them.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type PsnSim, startPsnSim } from "../../sim/psn/server.js";
import { optIn } from "../../src/db/guildMembers.js";
import { openStore, type Store } from "../../src/db/store.js";
import { upsertLinkedUser } from "../../src/db/users.js";
import type { PartySink } from "../../src/domain/partyUpdate.js";
import type { FriendOptions } from "../../src/jobs/friendWatch.js";
import { Poller } from "../../src/jobs/poller.js";
import { silentLogger } from "../../src/log.js";
import type { PsnClient } from "../../src/psn/client.js";
import { staticToken } from "../../src/psn/http.js";
import { clientFor } from "../psn/harness.js";

/** What linking needs of a simulator account. */
type Account = Pick<ReturnType<PsnSim["createAccount"]>, "accountId" | "onlineId" | "npsso">;

export const RIG_GUILD = "400000000000000000";

export interface PollerRig {
  sim: PsnSim;
  psn: PsnClient;
  database: Store;
  /** Access tokens by PSN account id, from the sign-ins. */
  tokens: Map<string, string>;
  close(): Promise<void>;
}

export async function startPollerRig(options: { latencyMs?: number } = {}): Promise<PollerRig> {
  const sim = await startPsnSim(options.latencyMs === undefined ? {} : { latencyMs: options.latencyMs });
  const dir = mkdtempSync(join(tmpdir(), "ppb-poller-"));
  const database = await openStore(join(dir, "bot.sqlite"));
  const psn = clientFor(sim, { retry: { attempts: 1 }, timeoutMs: 10_000 });
  return {
    sim,
    psn,
    database,
    tokens: new Map(),
    async close() {
      await psn.close();
      await database.close();
      await sim.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Signs the account in and stores it as the Discord user's link (replacing one they had),
 * announced in RIG_GUILD unless told otherwise.
 */
export async function linkAccount(
  rig: PollerRig,
  account: Account,
  discordUserId: string,
  at: Date,
  options: { announced?: boolean } = {},
): Promise<void> {
  const signIn = await rig.psn.signInWithNpsso(account.npsso);
  rig.tokens.set(account.accountId, signIn.tokens.accessToken);
  await upsertLinkedUser(
    rig.database,
    {
      discordUserId,
      psnAccountId: account.accountId,
      psnOnlineId: account.onlineId,
      accessTokenEnc: "unused",
      accessTokenExpiresAt: new Date(at.getTime() + 3_600_000),
      refreshTokenEnc: "unused",
      refreshTokenExpiresAt: new Date(at.getTime() + 86_400_000),
    },
    at,
  );
  if (options.announced !== false) await optIn(rig.database, RIG_GUILD, discordUserId);
}

/** A poller over the rig, on the test's clock, every 30 s. */
export function rigPoller(
  rig: PollerRig,
  options: { now: () => Date; sink: PartySink; concurrency?: number; friends?: Partial<FriendOptions> },
) {
  return new Poller({
    db: rig.database,
    psn: rig.psn,
    tokens: { provider: (id) => staticToken(id, rig.tokens.get(id) ?? "") },
    sink: options.sink,
    log: silentLogger(),
    now: options.now,
    intervalSeconds: 30,
    concurrency: options.concurrency ?? 4,
    ...(options.friends ? { friends: options.friends } : {}),
  });
}
