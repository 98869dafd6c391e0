import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { onlineMembersOf } from "../../src/db/boards.js";
import { dbOf, openStore, type Store } from "../../src/db/client.js";
import { guildMembers, guilds, users } from "../../src/db/schema.js";
import { findDueMembers, findWatchedMember, type PresenceFacts, saveWatchState } from "../../src/db/watch.js";
import type { WatchState } from "../../src/domain/watch.js";
import { newWatchState } from "../../src/jobs/schedule.js";
import type { GameTitle } from "../../src/psn/types.js";

const game = (name: string, status: string | null = null): GameTitle => ({
  titleId: `PPSA-${name}`,
  name,
  iconUrl: null,
  status,
});

describe("the watch state on the users row", () => {
  let dir: string;
  let database: Store;
  const t0 = new Date("2026-03-01T20:00:00Z");
  const at = (minutes: number) => new Date(t0.getTime() + minutes * 60_000);

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "ppb-watch-"));
    database = await openStore(join(dir, "bot.sqlite"));
    dbOf(database).insert(guilds).values({ guildId: "g1", channelId: "c1" }).run();
    dbOf(database)
      .insert(users)
      .values({
        discordUserId: "alice",
        psnAccountId: "1001",
        psnOnlineId: "alice_psn",
        accessTokenEnc: "x",
        accessTokenExpiresAt: t0,
        refreshTokenEnc: "x",
        refreshTokenExpiresAt: t0,
        nextPollAt: t0,
      })
      .run();
    dbOf(database).insert(guildMembers).values({ guildId: "g1", discordUserId: "alice" }).run();
  });
  afterEach(async () => {
    await database.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const alice = async () => {
    const m = await findWatchedMember(database, "alice");
    if (!m) throw new Error("alice is gone");
    return m;
  };
  const board = async () => (await onlineMembersOf(database, "g1"))[0] ?? null;
  const save = async (state: Partial<WatchState>, now: Date, presence?: PresenceFacts) =>
    await saveWatchState(database, "alice", { ...(await alice()).state, ...state }, now, presence);

  it("does not save a state read for the account the member was linked to before signing in to another", async () => {
    const old = (await alice()).state;
    // Signed in to another account while a poll of the old one was out.
    dbOf(database).update(users).set({ psnAccountId: "2002", online: null }).run();
    await saveWatchState(database, "alice", { ...old, online: true, nextPollAt: at(30) }, at(1), {
      game: game("Old Account's Game"),
      platform: "PS5",
    });
    const now = await alice();
    expect(now.state).toMatchObject({ accountId: "2002", online: null, nextPollAt: t0 });
    expect(now.game).toBeNull();
  });

  it("keeps every field of the state, nulls included, and finds the member due by it", async () => {
    const state: WatchState = {
      ...newWatchState("1001", t0),
      online: true,
      offlineStreak: 0,
      errorStreak: 2,
      nextPollAt: at(3),
      lastPresenceAt: at(1),
      lastPartiesAt: null,
      inParty: true,
      recheckPresence: true,
    };
    await saveWatchState(database, "alice", state, at(1));
    expect((await alice()).state).toEqual(state);
    expect(await findDueMembers(database, at(2))).toEqual([]);
    expect((await findDueMembers(database, at(3))).map((m) => m.discordUserId)).toEqual(["alice"]);

    await save({ online: null, lastPresenceAt: null, inParty: false, recheckPresence: false }, at(2));
    expect((await alice()).state).toMatchObject({ online: null, lastPresenceAt: null, inParty: false });
  });

  it("keeps the game and platform when the read carried no presence, and clears the game when it says none", async () => {
    await save({ online: true }, at(0), { game: game("Helldivers 2"), platform: "PS5" });
    await save({ online: true, nextPollAt: at(1) }, at(1));
    expect(await alice()).toMatchObject({ game: game("Helldivers 2"), platform: "PS5" });
    await save({ online: true }, at(2), { game: null, platform: "PS4" });
    expect(await alice()).toMatchObject({ game: null, platform: "PS4" });
  });

  it("keeps the board's since while the game is the same, moves it when the game changes, clears it offline", async () => {
    await save({ online: true }, at(0), { game: game("Astro Bot"), platform: "PS5" });
    expect((await board())?.since).toEqual(at(0));
    // A new rich-presence text is the same game.
    await save({ online: true }, at(1), { game: game("Astro Bot", "World 2"), platform: "PS5" });
    // A tick that read only parties says nothing about the game.
    await save({ online: true }, at(2));
    expect(await board()).toMatchObject({ game: "Astro Bot", since: at(0) });
    await save({ online: true }, at(3), { game: game("Gran Turismo 7"), platform: "PS5" });
    expect(await board()).toMatchObject({ game: "Gran Turismo 7", since: at(3) });
    await save({ online: true }, at(4), { game: null, platform: "PS5" });
    expect(await board()).toMatchObject({ game: null, since: at(4) });
    await save({ online: false }, at(5), { game: null, platform: "PS5" });
    expect(await board()).toBeNull();
    expect(
      dbOf(database)
        .select({ since: users.presenceSince })
        .from(users)
        .all()
        .map((r) => r.since),
    ).toEqual([null]);
    await save({ online: true }, at(6), { game: null, platform: "PS5" });
    expect((await board())?.since).toEqual(at(6));
  });

  it("an unknown presence leaves the since alone", async () => {
    await save({ online: true }, at(0), { game: game("Astro Bot"), platform: "PS5" });
    await save({ online: null }, at(1), { game: game("Tekken 8"), platform: "PS5" });
    expect(dbOf(database).select({ since: users.presenceSince }).from(users).get()?.since).toEqual(at(0));
  });

  it("a state that needs a re-link ends the link, and only that state", async () => {
    await save({ online: false }, at(0));
    expect(dbOf(database).select({ s: users.linkState }).from(users).get()?.s).toBe("active");
    await save({ needsRelink: true }, at(1));
    expect(dbOf(database).select({ s: users.linkState }).from(users).get()?.s).toBe("needs_relink");
    expect(await findDueMembers(database, at(60))).toEqual([]);
    // A later save of an older state (a tick that started before) does not bring the link back.
    await saveWatchState(database, "alice", { ...(await alice()).state, needsRelink: false }, at(2));
    expect(dbOf(database).select({ s: users.linkState }).from(users).get()?.s).toBe("needs_relink");
  });

  it("writes the time of the save", async () => {
    await save({ online: false }, at(7));
    expect(dbOf(database).select({ u: users.updatedAt }).from(users).get()?.u).toEqual(at(7));
  });
});
