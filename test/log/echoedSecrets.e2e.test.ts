import { afterEach, describe, expect, it } from "vitest";
import { linkButtonUrl } from "../../sim/botEnv.js";
import { ECHO_SHAPES, type EchoShape } from "../../sim/psn/faults.js";
import { decryptTokens } from "../../src/accounts/tokenCrypto.js";
import { findUser } from "../../src/db/users.js";
import { createVault } from "../../src/vault.js";
import { startWorld, type World } from "../e2e/world.js";
import { capturingLogger } from "../support/capturingLogger.js";

let world: World | undefined;
afterEach(async () => {
  await world?.stop();
  world = undefined;
});

/** Every way a value can sit in a log line's text. */
function encodings(value: string): Array<[string, string]> {
  return [
    ["raw", value],
    ["URL-encoded", encodeURIComponent(value)],
    ["JSON-escaped", JSON.stringify(value).slice(1, -1)],
    ["base64", Buffer.from(value).toString("base64")],
    ["base64url", Buffer.from(value).toString("base64url")],
  ];
}

describe("PSN error answers that quote the request's secrets back", () => {
  it.each(ECHO_SHAPES.map((s) => [s]))(
    "echoed as %s, on sign-in, the code exchange, a friend list read and a refresh: no secret reaches the log",
    async (shape: EchoShape) => {
      const logs = capturingLogger();
      world = await startWorld({ log: logs.log, app: { schedulePolls: false }, showParties: true });
      const w = world;
      const account = w.psn.createAccount({ onlineId: "Echo_Target" });

      // One sign-in link, three tries: PSN's sign-in echoes the NPSSO, then its token
      // endpoint echoes the authorization code, then the sign-in goes through.
      await w.slash(w.member, "link").response();
      const dm = await w.discord.waitForDm(w.member.id);
      const signIn = async () => {
        const answer = await fetch(linkButtonUrl(dm.components), {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded" },
          body: new URLSearchParams({ npsso: account.npsso }),
        });
        return answer.text();
      };
      w.psn.fault("authorize", { status: 400, echoSecrets: shape });
      expect(await signIn()).not.toContain("Linked as");
      w.psn.fault("token", { status: 400, echoSecrets: shape });
      expect(await signIn()).not.toContain("Linked as");
      expect(await signIn()).toContain("Linked as Echo_Target");

      // The member's friend list: read on the next tick, answered with the bearer token quoted.
      w.psn.fault("friends", { status: 400, echoSecrets: shape, times: Number.POSITIVE_INFINITY });
      await w.app.poller.tick();
      w.psn.clearFaults();

      // An expired access token: /me refreshes, and the token endpoint quotes the refresh token.
      w.psn.expireAccessTokens();
      w.psn.fault("token", { status: 400, echoSecrets: shape });
      await w.slash(w.member, "me").response();

      const user = await findUser(w.app.ctx.db, w.member.id);
      if (!user) throw new Error("not linked");
      const vault = createVault(w.config.encryption.key, w.config.encryption.oldKey);
      const tokens = decryptTokens(vault, user.psnAccountId, user);
      const echoed = w.psn.echoedSecrets();
      // Each kind was quoted back: the NPSSO, a code, the access token, the refresh token.
      expect(echoed).toEqual(
        expect.arrayContaining([account.npsso, tokens.accessToken, tokens.refreshToken]),
      );
      expect(echoed.length).toBeGreaterThanOrEqual(4);

      // A library error quoting the configuration's secrets, encoded, as the app's own log would get it.
      const envKey = w.config.encryption.key.toString("base64");
      logs.log.warn(
        `upstream said ${Buffer.from(w.config.discord.token).toString("base64")} ${encodeURIComponent(envKey)}`,
      );
      await w.app.stop();
      const log = logs.text();
      for (const failure of ["PSN sign-in failed", "friend list read failed", "/me could not read presence"])
        expect(log).toContain(failure);
      const planted = [
        ...echoed,
        tokens.accessToken,
        tokens.refreshToken,
        w.config.discord.token,
        w.config.encryption.key.toString("base64"),
      ];
      const leaks = planted.flatMap((secret) =>
        encodings(secret)
          .filter(([, text]) => log.includes(text))
          .map(([how]) => `${secret.slice(0, 12)}… (${how})`),
      );
      expect(leaks).toEqual([]);
    },
    60_000,
  );
});
