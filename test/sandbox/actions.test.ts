import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Sandbox, startSandbox } from "../../sandbox/sandbox.js";
import { startView, type ViewServer } from "../../sandbox/view/server.js";

const linkButtonUrlOf = (components: unknown): string | undefined =>
  (components as Array<{ components?: Array<{ url?: string }> }>)
    .flatMap((row) => row.components ?? [])
    .find((c) => c.url?.includes("/link/"))?.url;

/**
 * The view's control panel over HTTP, as its script posts it: each action reaches the
 * real bot through the simulators, and a refused form says why.
 */

let sandbox: Sandbox;
let view: ViewServer;

beforeAll(async () => {
  sandbox = await startSandbox({ schedulePolls: false });
  view = await startView(sandbox);
});
afterAll(async () => {
  await view?.close();
  await sandbox?.stop();
});

async function act(
  action: string,
  form: Record<string, string>,
): Promise<{ status: number; ok: boolean; message: string }> {
  const res = await fetch(new URL(`act/${action}`, view.url), {
    method: "POST",
    headers: { "x-sandbox": "fetch", "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(form),
  });
  const answer = (await res.json()) as { ok: boolean; message: string };
  return { status: res.status, ...answer };
}

const field = (embed: unknown, name: string) =>
  (embed as { fields: { name: string; value: string }[] }).fields.find((f) => f.name === name)?.value;
const description = (embed: unknown) => (embed as { description: string }).description;

describe("the control panel", () => {
  it("runs slash commands with typed options as the chosen member, through Discord's interaction path", async () => {
    const alice = sandbox.member("alice");
    const answer = await act("slash", { as: alice.user.id, name: "help" });
    expect(answer).toMatchObject({ ok: true, message: "@alice ran /help: the bot answered." });
    const replies = sandbox.discord.requests().filter((r) => r.path.startsWith("/interactions/"));
    expect(replies.length).toBeGreaterThan(0);
  });

  it("says in What happened who did what by name: a member, a channel, a role", async () => {
    const ada = sandbox.member("ada");
    await act("slash", {
      as: ada.user.id,
      name: "config",
      sub: "channel",
      "opt.channel": sandbox.partyChannel.id,
    });
    await act("slash", { as: ada.user.id, name: "party", "opt.member": sandbox.member("bob").user.id });
    const texts = sandbox.activity().map((a) => a.text);
    expect(texts).toContain("@ada ran /config channel channel:#parties");
    expect(texts).toContain("@ada ran /party member:@bob");
    expect(texts.join("\n")).not.toMatch(/\d{15,}/);
    const { regions } = (await (await fetch(new URL("live", view.url))).json()) as {
      regions: { activity: string };
    };
    expect(regions.activity).toContain("@ada ran /config channel channel:#parties");
  });

  it.each<[string, Record<string, string>, string]>([
    ["a command the bot did not register", { name: "nope" }, "The bot has no /nope command registered."],
    ["a missing required option", { name: "privacy", sub: "invites" }, "mode is required."],
  ])("refuses %s, saying why", async (_what, form, message) => {
    const answer = await act("slash", { as: sandbox.member("alice").user.id, ...form });
    expect(answer).toEqual({ status: 400, ok: false, message });
  });

  it("refuses to act as someone outside the demo server", async () => {
    const answer = await act("slash", { as: "123456789012345678", name: "help" });
    expect(answer).toMatchObject({ ok: false, message: "Pick a member of the demo server to act as." });
  });

  it("drives PSN: a party, its access, PSN failing for a while, a member going offline", async () => {
    const alice = sandbox.member("alice");
    await sandbox.link("alice");
    const channel = sandbox.partyChannel.id;

    expect(await act("party/start", { account: alice.psn.accountId, joinability: "open" })).toMatchObject({
      ok: true,
    });
    const card = await sandbox.discord.waitForMessage(channel);
    expect(field(card.embeds[0], "Access")).toBe("Open to friends");
    const session = sandbox.parties()[0]!.sessionId;

    const [requestOnly] = await Promise.all([
      sandbox.discord.waitForMessageEdit(channel, card.id),
      act("party/joinability", { session, joinability: "request" }),
    ]);
    expect(field(requestOnly.embeds[0], "Access")).toBe("Request to join");

    // A new game shows once the bot reads the presence again (every 5 minutes while online): time skips there.
    const [newGame] = await Promise.all([
      sandbox.discord.waitForMessageEdit(channel, card.id),
      act("presence", { account: alice.psn.accountId, online: "true", game: "Astro Bot" }),
    ]);
    expect(description(newGame.embeds[0])).toContain("Astro Bot");

    // While PSN fails, the card stays as it was (a failed read is not an ended party).
    expect(await act("psn-failing", { failing: "true" })).toMatchObject({ ok: true });
    sandbox.psn.resetRequests();
    expect(await act("time", { seconds: "30" })).toMatchObject({ ok: true, message: "30 s passed." });
    expect(sandbox.psn.requests().some((r) => r.status === 503)).toBe(true);
    expect(sandbox.discord.message(channel, card.id)?.editedTimestamp).toBe(newGame.editedTimestamp);
    expect(await act("psn-failing", { failing: "false" })).toMatchObject({ ok: true });

    const [ended] = await Promise.all([
      sandbox.discord.waitForMessageEdit(channel, card.id),
      act("presence", { account: alice.psn.accountId, online: "false", game: "" }),
    ]);
    expect(description(ended.embeds[0])).toContain("Ended");
    expect(sandbox.parties()).toEqual([]);
  });

  it("refuses an unknown game or action", async () => {
    const alice = sandbox.member("alice");
    expect(
      await act("presence", { account: alice.psn.accountId, online: "true", game: "<b>x</b>" }),
    ).toMatchObject({
      ok: false,
    });
    expect(await act("reboot", {})).toMatchObject({ ok: false, message: "Unknown action reboot." });
  });
});

describe("the bot's sign-in page in the sandbox", () => {
  it("sends a member to the PSN simulator's pages for their NPSSO, never to playstation.com", async () => {
    const bob = sandbox.member("bob");
    await sandbox.slash(bob.user.id, { name: "link" }).response();
    const dm = await sandbox.discord.waitForDm(
      bob.user.id,
      (m) => linkButtonUrlOf(m.components) !== undefined,
    );
    const linkPage = linkButtonUrlOf(dm.components)!;
    const page = await (await fetch(linkPage)).text();
    expect(page).not.toMatch(/playstation\.com|sony\.com/);
    const [signIn, ssocookie] = [...page.matchAll(/<li>[^<]*<a href="(http[^"]+)"/g)].map((m) => m[1]!);
    expect(signIn).toBe(`${sandbox.psn.url}/`);

    // The steps the page gives, in a browser's order: sign in there, then open the ssocookie page.
    const accounts = await (await fetch(signIn!)).text();
    const asBob = /href="([^"]+)">Bob-Plays</.exec(accounts)?.[1]?.replace(/&amp;/g, "&");
    const signedIn = await fetch(new URL(asBob!, signIn), { redirect: "manual" });
    const cookie = signedIn.headers.get("set-cookie")?.split(";")[0] ?? "";
    expect(new URL(signedIn.headers.get("location") ?? "", signIn).href).toBe(ssocookie);
    const shown = (await (await fetch(ssocookie!, { headers: { cookie } })).json()) as { npsso: string };
    expect(shown.npsso).toBe(bob.psn.npsso);

    const linked = await fetch(linkPage, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ npsso: JSON.stringify(shown) }),
    });
    expect(await linked.text()).toContain("Linked as Bob-Plays");
  });
});

describe("the page", () => {
  it("escapes what it shows: a game name with & in it", async () => {
    const page = await (await fetch(view.url)).text();
    expect(page).toContain("Ratchet &amp; Clank: Rift Apart");
    expect(page).not.toContain("Ratchet & Clank");
  });
});

describe("live regions", () => {
  it("answer 204 while nothing changed, and the new regions once something did", async () => {
    const first = await fetch(new URL("live", view.url));
    const { version } = (await first.json()) as { version: string };
    expect((await fetch(new URL(`live?v=${version}`, view.url))).status).toBe(204);

    await act("slash", { as: sandbox.member("bob").user.id, name: "help" });
    const next = await fetch(new URL(`live?v=${version}`, view.url));
    expect(next.status).toBe(200);
    const body = (await next.json()) as { regions: { inbox: string } };
    expect(body.regions.inbox).toContain('data-user="bob"');
  });
});
