import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type PsnSim, startPsnSim } from "../../sim/psn/server.js";

let sim: PsnSim;
beforeEach(async () => {
  sim = await startPsnSim();
});
afterEach(async () => {
  await sim.close();
});

async function call(
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${sim.url}${path}`, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}

describe("the simulator's HTTP control API", () => {
  it("stages accounts, presence, parties and faults for a person at a terminal", async () => {
    const created = (await call("POST", "/_sim/accounts", { onlineId: "carol" })).json as {
      accountId: string;
      npsso: string;
    };
    expect(created.accountId).toMatch(/^[1-9]\d{18}$/);
    expect(created.npsso).toMatch(/^[A-Za-z0-9]{64}$/);
    expect(
      (await call("POST", `/_sim/accounts/${created.accountId}/presence`, { online: true })).status,
    ).toBe(200);

    const party = (await call("POST", "/_sim/parties", { host: created.accountId, joinability: "open" }))
      .json as {
      sessionId: string;
      shareUrl: string;
    };
    expect(party.shareUrl).toMatch(/^https:\/\/party\.playstation\.com\/js_/);
    const listed = (await call("GET", "/_sim/parties")).json as Array<{ sessionId: string }>;
    expect(listed.map((p) => p.sessionId)).toEqual([party.sessionId]);

    expect(
      (await call("POST", "/_sim/faults", { endpoint: "partyInfo", status: 503, times: null })).status,
    ).toBe(200);
    const shareId = party.shareUrl.split("/").pop();
    for (let i = 0; i < 3; i++)
      expect((await fetch(`${sim.url}/api/cpss/v1/partyInfo/${shareId}`)).status).toBe(503);
    await call("DELETE", "/_sim/faults");
    expect((await fetch(`${sim.url}/api/cpss/v1/partyInfo/${shareId}`)).status).toBe(200);

    const log = (await call("GET", "/_sim/requests")).json as Array<{ endpoint: string; status: number }>;
    expect(log.map((r) => r.status)).toEqual([503, 503, 503, 200]);
    await call("DELETE", `/_sim/parties/${party.sessionId}`);
    expect((await fetch(`${sim.url}/api/cpss/v1/partyInfo/${shareId}`)).status).toBe(404);
  });

  it("answers a bad control request with 400 and the reason", async () => {
    const res = await call("POST", "/_sim/parties", { host: "nobody", joinability: "open" });
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ error: "no account nobody" });
  });

  it("answers unknown PSN paths with PSN's error shape", async () => {
    const res = await call("GET", "/api/nothing/here");
    expect(res.status).toBe(404);
    expect(res.json).toMatchObject({ error: { code: expect.any(Number), message: expect.any(String) } });
  });
});
