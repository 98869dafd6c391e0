/**
 * /healthz watches the poller: the app's clock is moved by hand, so "three intervals
 * without a finished tick" is reached without waiting for it.
 */
import { afterEach, describe, expect, it } from "vitest";
import { findUser } from "../../src/db/users.js";
import { type MirrorWorld, startMirrorWorld } from "../mirror/harness.js";

interface Health {
  status: string;
  problems?: string[];
  poller?: { ok: boolean; lastTickFinishedAt: string | null; membersDue?: number };
}

const INTERVAL_MS = 30_000;

describe("/healthz and the poller", () => {
  let m: MirrorWorld;
  afterEach(async () => {
    await m.stop();
  });

  async function health(): Promise<{ status: number; body: Health }> {
    const res = await fetch(`${m.world.webUrl}/healthz`);
    return { status: res.status, body: (await res.json()) as Health };
  }

  it("answers 503 when no tick has finished within three intervals while members are due", async () => {
    m = await startMirrorWorld();
    const alice = await m.linkedMember("alice", "alice_ps");
    // In a party, she is read every tick once seen: due again one interval after each tick.
    m.psn.startParty(alice.accountId, { joinability: "open" });
    const fresh = await health();
    expect(fresh.status).toBe(200);
    expect(fresh.body.poller).toEqual({ ok: true, lastTickFinishedAt: null });

    m.advance(3 * INTERVAL_MS + 1_000);
    const stuck = await health();
    expect(stuck.status).toBe(503);
    expect(stuck.body.status).toBe("unavailable");
    expect(stuck.body.problems).toEqual([expect.stringMatching(/no poll tick has finished in 3 intervals/)]);
    expect(stuck.body.poller).toEqual({ ok: false, lastTickFinishedAt: null, membersDue: 1 });

    await m.world.app.poller.tick();
    const recovered = await health();
    expect(recovered.status).toBe(200);
    expect(recovered.body.poller?.lastTickFinishedAt).toBe(m.now().toISOString());

    // That first tick after a long gap put her back on her phase, as after a restart;
    // once a tick has seen her in her party, she is due every interval.
    const seen = async () => (await findUser(m.world.app.ctx.db, alice.user.id))?.inParty === true;
    for (let i = 0; i < 6 && !(await seen()); i++) await m.tick();
    expect(await seen()).toBe(true);

    // Counted from the last finished tick now: three intervals are fine, a little more is not.
    m.advance(3 * INTERVAL_MS);
    expect((await health()).status).toBe(200);
    m.advance(1_000);
    expect((await health()).status).toBe(503);
  });

  it("stays 200 however long since the last tick when nobody is due", async () => {
    m = await startMirrorWorld();
    m.advance(10 * INTERVAL_MS);
    const idle = await health();
    expect(idle.status).toBe(200);
    expect(idle.body.poller).toEqual({ ok: true, lastTickFinishedAt: null, membersDue: 0 });
  });
});
