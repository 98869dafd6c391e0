import { afterEach, describe, expect, it } from "vitest";
import { linkButtonUrl } from "../../sim/botEnv.js";
import type { SimUser } from "../../sim/discord/server.js";
import { hashLinkToken } from "../../src/accounts/oneTimeLink.js";
import { findLinkToken } from "../../src/db/linkTokens.js";
import { findUser } from "../../src/db/users.js";
import { embedFields, startWorld, type World } from "../e2e/world.js";

let world: World | undefined;
afterEach(async () => {
  await world?.stop();
  world = undefined;
});

async function runLink(w: World, user: SimUser) {
  const seen = new Set(w.discord.dmMessages(user.id).map((m) => m.id));
  const reply = await w.slash(user, "link").response();
  const dm = await w.discord.waitForDm(user.id, (m) => !seen.has(m.id));
  return { reply, dm, url: linkButtonUrl(dm.components) };
}

function postNpsso(url: string, npsso: string) {
  return fetch(url, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ npsso }),
  });
}

const tokenOf = (url: string) => url.split("/").pop() as string;

describe("/link end to end (NPSSO)", () => {
  it("DMs a link, the page links the account, /me shows it", async () => {
    world = await startWorld();
    const w = world;
    const account = w.psn.createAccount({ onlineId: "Kratos_77" });
    const { reply, dm, url } = await runLink(w, w.member);
    expect(reply.ephemeral).toBe(true);
    expect(reply.content).toContain("Check your DMs");
    expect(url.startsWith(`${w.webUrl}/link/`)).toBe(true);
    expect(dm.content).toContain("expires");

    // Only the hash is stored, with the user, the server and an expiry 10 minutes out.
    const token = tokenOf(url);
    const row = await findLinkToken(w.app.ctx.db, hashLinkToken(token));
    expect(row?.discordUserId).toBe(w.member.id);
    expect(row?.guildId).toBe(w.guild.id);
    expect((row?.expiresAt.getTime() ?? 0) - Date.now()).toBeGreaterThan(9 * 60_000);

    const page = await fetch(url);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("@member");
    // Where this bot signs in (here the PSN simulator) gives the NPSSO, not Sony's site.
    expect(html).toContain(`${w.psn.url}/api/v1/ssocookie`);
    expect(page.headers.get("content-security-policy")).toContain("default-src 'none'");
    expect(page.headers.get("referrer-policy")).toBe("no-referrer");
    expect(page.headers.get("cache-control")).toBe("no-store");
    expect(page.headers.get("x-content-type-options")).toBe("nosniff");

    const seen = new Set(w.discord.dmMessages(w.member.id).map((m) => m.id));
    const done = await postNpsso(url, `{"npsso":"${account.npsso}"}`);
    expect(done.status).toBe(200);
    expect(await done.text()).toContain("Linked as Kratos_77");
    const confirmation = await w.discord.waitForDm(w.member.id, (m) => !seen.has(m.id));
    expect(confirmation.content).toContain("Kratos_77");

    const user = await findUser(w.app.ctx.db, w.member.id);
    expect(user?.psnAccountId).toBe(account.accountId);
    expect(user?.linkState).toBe("active");

    const me = await w.slash(w.member, "me").response();
    expect(me.ephemeral).toBe(true);
    const fields = embedFields(me);
    // Escaped for Markdown: Discord shows "Kratos_77".
    expect(me.embeds[0]).toMatchObject({ title: "Linked as Kratos\\_77" });
    expect(fields.Link).toBe("Active");
    expect(fields.Presence).toBe("Offline");
    expect(fields["Announced in"]).toContain("PlayStation Friends");
    expect(fields.Invitations).toContain("Automatic");

    // Single use.
    const again = await fetch(url);
    expect(again.status).toBe(410);
    expect(await again.text()).toContain("run /link in Discord again".replace("run", "Run"));
  });

  it("/me shows the game being played and 'presence unavailable' when PSN fails", async () => {
    world = await startWorld();
    const w = world;
    const linked = await w.linkMember(w.member, "Aloy");
    w.psn.setPresence(linked.accountId, { online: true, platform: "PS5", game: { name: "Helldivers 2" } });
    expect(embedFields(await w.slash(w.member, "me").response()).Presence).toBe(
      "Online on PS5, playing **Helldivers 2**",
    );
    w.psn.fault("presence", { status: 503, times: Number.POSITIVE_INFINITY });
    expect(embedFields(await w.slash(w.member, "me").response()).Presence).toBe(
      "Presence unavailable right now",
    );
  });

  it("says who is linked already and offers to replace it", async () => {
    world = await startWorld();
    const w = world;
    await w.linkMember(w.member, "First_One");
    const { reply, dm, url } = await runLink(w, w.member);
    expect(reply.content).toContain("First_One");
    expect(dm.content).toContain("replacing **First_One**");
    const second = w.psn.createAccount({ onlineId: "Second_One" });
    expect(await (await postNpsso(url, second.npsso)).text()).toContain("Linked as Second_One");
    expect((await findUser(w.app.ctx.db, w.member.id))?.psnOnlineId).toBe("Second_One");
  });

  it("refuses expired, reused and unknown links, and a new /link invalidates the old one", async () => {
    let clock = Date.now();
    world = await startWorld({ app: { now: () => new Date(clock) } });
    const w = world;
    const account = w.psn.createAccount({ onlineId: "Ellie" });

    const unknown = await fetch(`${w.webUrl}/link/${"A".repeat(43)}`);
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).toContain("Run /link in Discord again");
    expect((await fetch(`${w.webUrl}/link/..%2F..%2Fetc`)).status).toBe(404);
    expect((await postNpsso(`${w.webUrl}/link/${"B".repeat(43)}`, account.npsso)).status).toBe(404);

    const first = await runLink(w, w.member);
    const second = await runLink(w, w.member);
    const replaced = await fetch(first.url);
    expect(replaced.status).toBe(404);

    clock += 10 * 60_000 + 1;
    const expired = await postNpsso(second.url, account.npsso);
    expect(expired.status).toBe(410);
    expect(await expired.text()).toContain("expired");
    expect(await findUser(w.app.ctx.db, w.member.id)).toBeUndefined();

    const third = await runLink(w, w.member);
    expect((await postNpsso(third.url, account.npsso)).status).toBe(200);
    const reused = await postNpsso(third.url, account.npsso);
    expect(reused.status).toBe(410);
    expect(await reused.text()).toContain("already been used");
  });

  it("a wrong NPSSO keeps the form usable, the right one then links; five attempts spend the link", async () => {
    world = await startWorld();
    const w = world;
    const account = w.psn.createAccount({ onlineId: "Joel" });
    const { url } = await runLink(w, w.member);

    const malformed = await postNpsso(url, "not-an-npsso");
    expect(malformed.status).toBe(400);
    expect(await malformed.text()).toContain("64 characters");

    const wrong = await postNpsso(url, "x".repeat(64));
    expect(wrong.status).toBe(401);
    const wrongPage = await wrong.text();
    expect(wrongPage).toContain("did not accept that NPSSO");
    expect(wrongPage).toContain('name="npsso"');
    expect(wrongPage).toContain("4 attempts left");

    expect(await (await postNpsso(url, account.npsso)).text()).toContain("Linked as Joel");

    const other = await runLink(w, w.member);
    for (let i = 0; i < 4; i++) expect((await postNpsso(other.url, "y".repeat(64))).status).toBe(401);
    const last = await postNpsso(other.url, "y".repeat(64));
    expect(last.status).toBe(410);
    expect(await last.text()).toContain("Run /link in Discord again");
    const spent = await postNpsso(other.url, account.npsso);
    expect(spent.status).toBe(410);
    expect(await spent.text()).toContain("too many times");
  });

  it("PSN down or rate limited: try again in a minute", async () => {
    world = await startWorld();
    const w = world;
    const account = w.psn.createAccount({ onlineId: "Nathan" });
    const { url } = await runLink(w, w.member);
    w.psn.fault("authorize", {
      status: 429,
      headers: { "retry-after": "600" },
      times: Number.POSITIVE_INFINITY,
    });
    const limited = await postNpsso(url, account.npsso);
    expect(limited.status).toBe(503);
    expect(await limited.text()).toContain("Try again in a minute");
    w.psn.clearFaults();
    expect((await postNpsso(url, account.npsso)).status).toBe(200);
  });

  it("DMs closed: the ephemeral reply carries the link", async () => {
    world = await startWorld();
    const w = world;
    w.discord.setDmsClosed(w.member.id, true);
    const reply = await w.slash(w.member, "link").response();
    expect(reply.ephemeral).toBe(true);
    expect(reply.content).toContain("could not DM you");
    const url = linkButtonUrl(reply.components);
    const account = w.psn.createAccount({ onlineId: "Lara" });
    expect(await (await postNpsso(url, account.npsso)).text()).toContain("Linked as Lara");
  });

  it("/me without a link says to run /link; /healthz reports the process state", async () => {
    world = await startWorld();
    const w = world;
    const me = await w.slash(w.member, "me").response();
    expect(me.content).toContain("/link");
    const health = await fetch(`${w.webUrl}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: "ok", discord: { ready: true }, db: { ok: true } });
    const css = await fetch(`${w.webUrl}/static/style.css`);
    expect(css.headers.get("content-type")).toContain("text/css");
  });
});
