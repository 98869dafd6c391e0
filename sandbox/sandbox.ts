/**
 * The sandbox: the demo world (both simulators and a demo server, world.ts) with the real
 * bot (startApp, what `npm start` runs) in this same process, wired to it with a generated
 * configuration. Both the view (`npm run sandbox`) and the scripted scene (`--scene`) drive
 * it through here. Being in-process, it lets a PSN change be seen at once (time skips to
 * the bot's next look) and moves time for the bot and both simulators together.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type App, startApp } from "../src/app.js";
import { type Config, parseConfig } from "../src/config.js";
import { findUserByAccountId, type UserRow } from "../src/db/users.js";
import { type Logger, silentLogger } from "../src/log.js";
import { type DemoWorld, type Needs, startWorld } from "./world.js";

export {
  type ActivityEntry,
  buttonLabel,
  DEMO_GAMES,
  type DemoMember,
  namesOf,
  type PresenceState,
  type PsnFriend,
  type SandboxParty,
  type SlashRequest,
} from "./world.js";

/** The bot reads an online member's presence every 5 minutes: settle may skip that far, and a tick more. */
const SETTLE_MAX_SKIP_MS = 6 * 60_000;
const SETTLE_MAX_ROUNDS = 16;

export interface SandboxOptions {
  /** The bot's logger (silent by default). */
  log?: Logger;
  /** true: the bot's poller runs on its own schedule, as with `npm start`. false: only `poll()`/settling. */
  schedulePolls?: boolean;
  /** Where the simulators and the bot's sign-in pages listen (default 127.0.0.1). */
  host?: string;
}

export interface Sandbox extends DemoWorld {
  app: App;
  config: Config;
  /** Moves the shared clock forward and runs one poll, as if that much time had passed. */
  passTime(ms: number): Promise<void>;
  /** One poll now. */
  poll(): Promise<void>;
}

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const cleanup: Array<() => unknown> = [];
  const runCleanup = async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  };
  try {
    // One clock for the bot and both simulators: real time, plus whatever `passTime` added.
    let offsetMs = 0;
    const now = () => Date.now() + offsetMs;
    const advance = (ms: number) => {
      offsetMs += ms;
    };

    const dir = mkdtempSync(join(tmpdir(), "ppb-sandbox-"));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const world = await startWorld({ now, ...(options.host ? { host: options.host } : {}) });
    // Taken now: the sandbox's own stop replaces world.stop below, and runs this one.
    const stopWorld = world.stop;
    cleanup.push(stopWorld);

    // Generated: nothing to configure.
    const config = parseConfig({
      NODE_ENV: "development",
      LOG_LEVEL: "info",
      ...world.botEnv(),
      TOKEN_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
      DATABASE_PATH: join(dir, "bot.sqlite"),
    });
    const app = await startApp(config, {
      log: options.log ?? silentLogger(),
      now: () => new Date(now()),
      psnClock: now,
      schedulePolls: options.schedulePolls ?? true,
    });
    cleanup.push(() => app.stop());

    /**
     * Lets the bot see a PSN change now instead of on its schedule: time skips to the moment
     * the poller next looks at one of these accounts (never backwards) and one poll runs,
     * until the bot has read what the change needs (the presence, or the parties that many
     * times), by its own record in the database. Bounded, and never while PSN is failing.
     */
    const settle = async (accountIds: readonly string[], needs: Needs) => {
      const rows = async () => {
        const found = await Promise.all(
          accountIds.map(async (id) => await findUserByAccountId(app.ctx.db, id)),
        );
        return found.filter((r): r is UserRow => r !== undefined && r.linkState === "active");
      };
      const since = now();
      let partyReads = 0;
      let lastPartiesAt = Math.max(0, ...(await rows()).map((r) => r.lastPartiesAt?.getTime() ?? 0));
      for (let round = 0; round < SETTLE_MAX_ROUNDS; round++) {
        const failing = world.psnFailing();
        const due = (await rows()).map((r) => r.nextPollAt.getTime());
        const wait = due.length > 0 && !failing ? Math.min(...due) - now() : 0;
        const tooFar = now() + wait - since > SETTLE_MAX_SKIP_MS;
        if (wait > 0 && !tooFar) advance(wait);
        await app.poller.tick();
        if (tooFar) return;
        const after = await rows();
        const partiesAt = Math.max(0, ...after.map((r) => r.lastPartiesAt?.getTime() ?? 0));
        if (partiesAt > lastPartiesAt) partyReads++;
        lastPartiesAt = partiesAt;
        const presenceRead =
          !needs.presence || after.some((r) => (r.lastPresenceAt?.getTime() ?? 0) >= since);
        if (after.length === 0 || failing || (presenceRead && partyReads >= needs.partyReads)) return;
      }
    };
    world.attachBot({
      settle,
      poll: async () => {
        await app.poller.tick();
      },
    });

    const sandbox: Sandbox = Object.assign(world, {
      app,
      config,
      async passTime(ms: number) {
        advance(ms);
        world.note(`${Math.round(ms / 1000)} s passed`);
        await app.poller.tick();
      },
      async poll() {
        await app.poller.tick();
      },
      stop: runCleanup,
    });

    // The admin sets the server up the way an operator would: through the real /config.
    const admin = world.members.find((m) => m.admin)!;
    await sandbox
      .slash(admin.user.id, {
        name: "config",
        subcommand: "channel",
        options: { channel: world.partyChannel.id },
      })
      .response();
    await sandbox
      .slash(admin.user.id, { name: "config", subcommand: "role", options: { role: world.partyRoleId } })
      .response();
    return sandbox;
  } catch (err) {
    await runCleanup();
    throw err;
  }
}
