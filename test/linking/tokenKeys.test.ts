import { randomBytes } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { checkKeys, keysInUse, UnknownTokenKeyError } from "../../src/accounts/tokenKeys.js";
import { type App, startApp } from "../../src/app.js";
import { explainStartupFailure } from "../../src/composition/startupErrors.js";
import type { Config } from "../../src/config.js";
import { findUser } from "../../src/db/users.js";
import { silentLogger } from "../../src/log.js";
import { createVault, keyIdOf } from "../../src/vault.js";
import { eventually, startWorld, type World } from "../e2e/world.js";

const A = createVault(randomBytes(32));
const B = createVault(randomBytes(32));
const row = (id: string, access: string, refresh = access) => ({
  psnAccountId: id,
  accessTokenEnc: access,
  refreshTokenEnc: refresh,
});

describe("which keys the stored tokens need (pure)", () => {
  const rows = [
    row("1", A.encrypt("a")),
    row("2", A.encrypt("a"), B.encrypt("r")),
    row("3", B.encrypt("a")),
    row("4", "garbage"),
  ];

  it("counts each member once per key, and names values that are not vault values", () => {
    expect(keysInUse(rows)).toEqual([
      { keyId: A.currentKeyId, members: 2 },
      { keyId: B.currentKeyId, members: 2 },
      { keyId: "unreadable", members: 1 },
    ]);
  });

  it.each([
    ["all keys known", [A.currentKeyId, B.currentKeyId, "unreadable"], [], { ok: true, forget: [] }],
    [
      "B unknown",
      [A.currentKeyId, "unreadable"],
      [],
      { ok: false, unknown: [{ keyId: B.currentKeyId, members: 2 }] },
    ],
    ["B declared lost", [A.currentKeyId, "unreadable"], [B.currentKeyId], { ok: true, forget: ["2", "3"] }],
  ])("%s", (_, known, lost, expected) => {
    expect(checkKeys(rows, new Set(known), lost)).toEqual(expected);
  });

  it("no links: nothing to check", () => {
    expect(checkKeys([], new Set([A.currentKeyId]), [])).toEqual({ ok: true, forget: [] });
  });
});

describe("starting with a TOKEN_ENCRYPTION_KEY that does not match the stored tokens", () => {
  let world: World;
  let second: App | undefined;
  afterEach(async () => {
    await second?.stop();
    second = undefined;
    await world?.stop();
  });

  async function linkedWorld(): Promise<{ previous: Buffer; accountId: string }> {
    world = await startWorld();
    const linked = await world.linkMember(world.member);
    await world.app.stop();
    return { previous: world.config.encryption.key, accountId: linked.accountId };
  }
  const withKeys = (key: Buffer, oldKey: Buffer | null, lostKeyIds: string[] = []): Config => ({
    ...world.config,
    encryption: { key, oldKey, lostKeyIds },
  });
  const start = (config: Config) =>
    startApp(config, { log: silentLogger(), rest: { retries: 0, offset: 0 } });

  it("refuses to start, saying how many members, which key, and what to do", async () => {
    const { previous } = await linkedWorld();
    const fresh = randomBytes(32);
    const failure = await start(withKeys(fresh, null)).then(
      (app) => {
        second = app;
        return null;
      },
      (err: unknown) => err,
    );
    expect(failure).toBeInstanceOf(UnknownTokenKeyError);
    const message = explainStartupFailure(failure);
    expect(message).toContain("1 linked member's PSN tokens");
    expect(message).toContain(keyIdOf(previous));
    expect(message).toContain(`TOKEN_ENCRYPTION_KEY is key ${keyIdOf(fresh)}`);
    expect(message).toContain("TOKEN_ENCRYPTION_KEY_OLD");
    expect(message).toContain(`TOKEN_ENCRYPTION_KEY_LOST=${keyIdOf(previous)}`);
    // No key material in the message, only ids.
    expect(message).not.toContain(previous.toString("base64"));
    expect(message).not.toContain(fresh.toString("base64"));
  });

  it("starts when the previous key is TOKEN_ENCRYPTION_KEY_OLD", async () => {
    const { previous } = await linkedWorld();
    second = await start(withKeys(randomBytes(32), previous));
    expect((await findUser(second.ctx.db, world.member.id))?.linkState).toBe("active");
  });

  it("with the lost key named in TOKEN_ENCRYPTION_KEY_LOST, starts and asks the member to sign in again", async () => {
    const { previous } = await linkedWorld();
    const seen = new Set(world.discord.dmMessages(world.member.id).map((m) => m.id));
    second = await start(withKeys(randomBytes(32), null, [keyIdOf(previous)]));
    const app = second;
    await eventually(
      async () => (await findUser(app.ctx.db, world.member.id))?.linkState === "needs_relink",
      "the link marked as needing a new sign-in",
    );
    const dm = await world.discord.waitForDm(world.member.id, (m) => !seen.has(m.id));
    expect(dm.content).toContain("Sign in again");
  });
});
