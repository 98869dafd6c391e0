/**
 * The party-mirror world: the shared e2e world (Discord simulator, real app, temp
 * SQLite) plus the PSN simulator, a configured party channel and mention role, and
 * members linked through the real linking service against the PSN simulator.
 * Polls run only when a test calls `tick()`.
 */

import type { SimUser } from "../../sim/discord/server.js";
import type { PsnSim } from "../../sim/psn/server.js";
import { optIn } from "../../src/db/guildMembers.js";
import { updateGuild } from "../../src/db/guilds.js";
import type { TickStats } from "../../src/jobs/poller.js";
import { startWorld, type World, type WorldOptions } from "../e2e/world.js";

export interface LinkedMember {
  user: SimUser;
  accountId: string;
  onlineId: string;
  /** For signing in again through the real flow. */
  npsso: string;
}

export interface MirrorWorld {
  world: World;
  psn: PsnSim;
  roleId: string;
  /** A Discord user with a PSN account, linked and announced in the world's server, online. */
  linkedMember(username: string, onlineId: string): Promise<LinkedMember>;
  /** A Discord user in the server, not linked. */
  plainUser(username: string): SimUser;
  /** Moves the app's clock one poll interval (30 s) forward, then runs one poll. */
  tick(): Promise<TickStats>;
  /** The app's clock. */
  now(): Date;
  /** Time passes for the app and for Discord alike (e.g. past the nonce window); no poll runs. */
  advance(ms: number): void;
  stop(): Promise<void>;
}

export async function startMirrorWorld(
  options: Pick<WorldOptions, "env" | "psn" | "log"> = {},
): Promise<MirrorWorld> {
  let clock = Date.now();
  const now = () => new Date(clock);
  const world = await startWorld({ ...options, app: { schedulePolls: false, now } });
  const psn = world.psn;
  const role = world.discord.createRole(world.guild.id, { name: "Party people", permissions: 0n });
  await updateGuild(world.app.ctx.db, world.guild.id, {
    channelId: world.partyChannel.id,
    mentionRoleId: role.id,
  });

  return {
    world,
    psn,
    roleId: role.id,
    async linkedMember(username, onlineId) {
      const user = world.discord.createUser({ username });
      world.discord.addMember(world.guild.id, user.id);
      // Through the real flow: /link, the DM's button, the sign-in page.
      const account = await world.linkMember(user, onlineId);
      // Linking from a server announces the member there; made explicit so the test does not depend on it.
      await optIn(world.app.ctx.db, world.guild.id, user.id);
      psn.setPresence(account.accountId, { online: true, platform: "PS5", game: { name: "Helldivers 2" } });
      return { user, accountId: account.accountId, onlineId, npsso: account.npsso };
    },
    plainUser(username) {
      const user = world.discord.createUser({ username });
      world.discord.addMember(world.guild.id, user.id);
      return user;
    },
    now,
    advance(ms) {
      clock += ms;
      world.discord.advanceClock(ms);
    },
    tick: () => {
      clock += 30_000;
      return world.app.poller.tick();
    },
    stop: () => world.stop(),
  };
}
