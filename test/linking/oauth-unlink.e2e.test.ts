import { afterEach, describe, expect, it } from "vitest";
import { linkButtonUrl } from "../../sim/botEnv.js";
import { PsnRateLimitedError } from "../../src/psn/errors.js";
import { eventually, startWorld, type World } from "../e2e/world.js";

let world: World | undefined;
afterEach(async () => {
  await world?.stop();
  world = undefined;
});

function hrefs(html: string): string[] {
  return [...html.matchAll(/href="([^"]+)"/g)].map((m) => (m[1] as string).replaceAll("&amp;", "&"));
}

/** What the member's browser keeps between the sign-in page and PSN's redirect back. */
interface Browser {
  cookie: string;
}

/** GETs a page as a browser does, remembering the cookie it sets. */
async function open(browser: Browser, url: string): Promise<Response> {
  const res = await fetch(url, { headers: browser.cookie ? { cookie: browser.cookie } : {} });
  const set = res.headers.get("set-cookie");
  if (set) browser.cookie = set.split(";")[0] as string;
  return res;
}

/** The sign-in page's button → PSN's authorize and sign-in pages → the callback URL PSN redirects to. */
async function followOAuth(w: World, browser: Browser, pageUrl: string, accountId: string): Promise<string> {
  return signInOnPsn(w, await authorizeUrlOf(w, browser, pageUrl), accountId);
}

/** Opens the sign-in page (a tab) and reads where its "Sign in with PlayStation" button goes. */
async function authorizeUrlOf(w: World, browser: Browser, pageUrl: string): Promise<string> {
  const html = await (await open(browser, pageUrl)).text();
  expect(html).toContain("Sign in with PlayStation");
  expect(html).not.toContain('name="npsso"');
  const authorize = hrefs(html).find((h) => h.startsWith(`${w.psn.url}/api/authz/v3/oauth/authorize`));
  if (!authorize) throw new Error("no authorize link on the page");
  return authorize;
}

async function signInOnPsn(w: World, authorize: string, accountId: string): Promise<string> {
  const toSignin = await fetch(authorize, { redirect: "manual" });
  const signin = new URL(toSignin.headers.get("location") as string);
  const approve = new URL("/_sim/signin/approve", w.psn.url);
  approve.searchParams.set("accountId", accountId);
  for (const k of ["redirect_uri", "state"]) approve.searchParams.set(k, signin.searchParams.get(k) ?? "");
  const back = await fetch(approve, { redirect: "manual" });
  const callback = back.headers.get("location") as string;
  expect(callback.startsWith(`${w.webUrl}/oauth/callback?`)).toBe(true);
  return callback;
}

async function linkPageOf(w: World, user: World["member"]): Promise<string> {
  const seen = new Set(w.discord.dmMessages(user.id).map((m) => m.id));
  await w.slash(user, "link").response();
  return linkButtonUrl((await w.discord.waitForDm(user.id, (m) => !seen.has(m.id))).components);
}

describe("OAuth redirect sign-in", () => {
  it("links through PSN's authorize page and the callback; the state works once", async () => {
    world = await startWorld({ signinMode: "oauth" });
    const w = world;
    const account = w.psn.createAccount({ onlineId: "Oauth_Hero" });
    const browser = { cookie: "" };
    const callback = await followOAuth(w, browser, await linkPageOf(w, w.member), account.accountId);
    expect(browser.cookie).toMatch(/^ppb_oauth=/);

    const done = await open(browser, callback);
    expect(done.status).toBe(200);
    expect(await done.text()).toContain("Linked as Oauth_Hero");

    const replay = await open(browser, callback);
    expect(replay.status).toBe(410);
    expect(await replay.text()).toContain("already been used");

    const forged = await fetch(`${w.webUrl}/oauth/callback?code=v3.abc&state=${"Z".repeat(43)}`);
    expect(forged.status).toBe(404);
    const cancelled = await fetch(`${w.webUrl}/oauth/callback?error=access_denied&state=${"Z".repeat(43)}`);
    expect(cancelled.status).toBe(404);
  });

  it("the link page open in two tabs: signing in from the first still works, and the link still works once", async () => {
    world = await startWorld({ signinMode: "oauth" });
    const w = world;
    const account = w.psn.createAccount({ onlineId: "Two_Tabs" });
    const page = await linkPageOf(w, w.member);
    const browser = { cookie: "" };
    const firstTab = await authorizeUrlOf(w, browser, page);
    const secondTab = await authorizeUrlOf(w, browser, page);

    const done = await open(browser, await signInOnPsn(w, firstTab, account.accountId));
    expect(done.status).toBe(200);
    expect(await done.text()).toContain("Linked as Two_Tabs");

    const again = await open(browser, await signInOnPsn(w, secondTab, account.accountId));
    expect(again.status).toBe(410);
    expect(await again.text()).toContain("already been used");
  });

  it("a refused code leaves the link usable", async () => {
    world = await startWorld({ signinMode: "oauth" });
    const w = world;
    const account = w.psn.createAccount({ onlineId: "Retry_Hero" });
    const url = await linkPageOf(w, w.member);
    const browser = { cookie: "" };
    const callback = new URL(await followOAuth(w, browser, url, account.accountId));
    callback.searchParams.set("code", "v3.wrong");
    const bad = await open(browser, callback.href);
    expect(bad.status).toBe(401);
    expect(await bad.text()).toContain("Sign in with PlayStation");
    const good = await open(browser, await followOAuth(w, browser, url, account.accountId));
    expect(await good.text()).toContain("Linked as Retry_Hero");
  });

  it("refuses a PSN sign-in started from someone else's page (a phished victim is not linked to the attacker)", async () => {
    world = await startWorld({ signinMode: "oauth" });
    const w = world;
    const victim = w.psn.createAccount({ onlineId: "Victim_PS" });
    // The attacker opens their own /link page and sends its PSN sign-in URL to the victim,
    // who signs in on PSN's real page; PSN sends the victim's browser back with a code.
    const attackerPage = await linkPageOf(w, w.member);
    const attackerBrowser = { cookie: "" };
    const callback = await followOAuth(w, attackerBrowser, attackerPage, victim.accountId);

    const victimBrowser = { cookie: "" };
    const refused = await open(victimBrowser, callback);
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain("not started from your sign-in page in this browser");
    // A cookie of the victim's own sign-in page does not fit the attacker's state either.
    await followOAuth(w, victimBrowser, await linkPageOf(w, w.admin), victim.accountId);
    expect((await open(victimBrowser, callback)).status).toBe(403);

    const me = await w.slash(w.member, "me").response();
    expect(me.content).toContain("/link");
    // No attempt was spent: the attacker's link still shows its sign-in button.
    expect(await (await fetch(attackerPage)).text()).toContain("Sign in with PlayStation");
  });
});

describe("/unlink", () => {
  it("asks to confirm, only the member may confirm, and leaves no row about them in any table", async () => {
    world = await startWorld();
    const w = world;
    const linked = await w.linkMember(w.member, "Gone_Soon");
    const other = await w.linkMember(w.admin, "Stays_Here");
    // A pending link token too.
    await w.slash(w.member, "link").response();
    // And a pause PSN imposed on the account (a 429): the budget's ledger holds it by account id.
    w.psn.fault("presence", { status: 429, headers: { "retry-after": "300" }, times: 1 });
    await expect(
      w.app.ctx.psn.getPresence(w.app.ctx.tokens.provider(linked.accountId), "me"),
    ).rejects.toBeInstanceOf(PsnRateLimitedError);

    const ask = await w.slash(w.member, "unlink").response();
    expect(ask.ephemeral).toBe(true);
    expect(ask.content).toContain("Gone_Soon");
    const rows = ask.components as Array<{ components: Array<{ custom_id?: string; label?: string }> }>;
    const buttons = rows.flatMap((r) => r.components);
    const confirm = buttons.find((b) => b.label === "Unlink")?.custom_id as string;
    expect(confirm).toMatch(/^unlink:confirm:/);

    const stranger = await w.discord
      .clickButton({
        channelId: ask.channelId,
        messageId: ask.messageId,
        customId: confirm,
        userId: w.admin.id,
        guildId: w.guild.id,
      })
      .response();
    expect(stranger.content).toContain("Only the member who ran /unlink");

    const done = await w.discord
      .clickButton({
        channelId: ask.channelId,
        messageId: ask.messageId,
        customId: confirm,
        userId: w.member.id,
        guildId: w.guild.id,
      })
      .response();
    expect(done.content).toContain("Unlinked **Gone_Soon**");
    expect(done.content).toContain("pending sign-in links");

    const sqlite = (await import("better-sqlite3")).default;
    const db = new sqlite(w.config.databasePath, { readonly: true });
    try {
      const tables = db
        .prepare(
          "select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like '__drizzle%'",
        )
        .all() as Array<{ name: string }>;
      expect(tables.map((t) => t.name)).toEqual(
        expect.arrayContaining(["users", "guild_members", "link_tokens"]),
      );
      for (const { name } of tables) {
        const dump = JSON.stringify(db.prepare(`select * from "${name}"`).all());
        expect(dump, `table ${name}`).not.toContain(w.member.id);
        expect(dump, `table ${name}`).not.toContain(linked.accountId);
        expect(dump, `table ${name}`).not.toContain("Gone_Soon");
      }
      const users = db.prepare("select psn_online_id from users").all();
      expect(users).toEqual([{ psn_online_id: other.onlineId }]);
    } finally {
      db.close();
    }

    const me = await w.slash(w.member, "me").response();
    expect(me.content).toContain("/link");
  });

  it("acknowledges the confirm click before ending the member's cards (slow under rate limits)", async () => {
    world = await startWorld();
    const w = world;
    await w.linkMember(w.member, "Slow_Cards");
    let release: () => void = () => {};
    const cardsEnded = new Promise<void>((resolve) => {
      release = resolve;
    });
    let endCalled = false;
    w.app.ctx.cards = {
      endCardsOfUser: async () => {
        endCalled = true;
        await cardsEnded;
      },
    };
    const ask = await w.slash(w.member, "unlink").response();
    const rows = ask.components as Array<{ components: Array<{ custom_id?: string; label?: string }> }>;
    const confirm = rows.flatMap((r) => r.components).find((b) => b.label === "Unlink")?.custom_id as string;
    const click = w.discord.clickButton({
      channelId: ask.channelId,
      messageId: ask.messageId,
      customId: confirm,
      userId: w.member.id,
      guildId: w.guild.id,
    });
    // DEFERRED_UPDATE_MESSAGE while the cards are still being ended.
    expect(await click.acknowledged()).toBe(6);
    await eventually(() => endCalled, "the cards being ended");
    release();
    const done = await click.response();
    expect(done.content).toContain("Unlinked **Slow_Cards**");
    expect(done.components).toEqual([]);
  });

  it("the confirmation expires", async () => {
    let clock = Date.now();
    world = await startWorld({ app: { now: () => new Date(clock) } });
    const w = world;
    await w.linkMember(w.member, "Still_Here");
    const ask = await w.slash(w.member, "unlink").response();
    const rows = ask.components as Array<{ components: Array<{ custom_id?: string; label?: string }> }>;
    const confirm = rows.flatMap((r) => r.components).find((b) => b.label === "Unlink")?.custom_id as string;
    clock += 6 * 60_000;
    const late = await w.discord
      .clickButton({
        channelId: ask.channelId,
        messageId: ask.messageId,
        customId: confirm,
        userId: w.member.id,
        guildId: w.guild.id,
      })
      .response();
    expect(late.content).toContain("expired");
    const me = await w.slash(w.member, "me").response();
    expect(me.embeds[0]).toMatchObject({ title: "Linked as Still\\_Here" });
  });
});
