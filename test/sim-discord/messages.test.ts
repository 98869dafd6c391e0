import {
  DiscordAPIError,
  EmbedBuilder,
  PermissionFlagsBits,
  RESTEvents,
  type SendableChannels,
} from "discord.js";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { NONCE_WINDOW_MS } from "../../sim/discord/server.js";
import { type Harness, startHarness } from "./helpers.js";

async function sendable(h: Harness, channelId: string): Promise<SendableChannels> {
  const channel = await h.client.channels.fetch(channelId);
  if (!channel?.isSendable()) throw new Error("channel not sendable");
  return channel;
}

async function apiError(p: Promise<unknown>): Promise<DiscordAPIError> {
  try {
    await p;
  } catch (error) {
    if (error instanceof DiscordAPIError) return error;
    throw error;
  }
  throw new Error("expected a DiscordAPIError");
}

describe("Discord sim messages, DMs and faults with a real discord.js client", () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    await h.stop();
  });

  it("creates, edits, fetches, lists and deletes channel messages", async () => {
    const channel = await sendable(h, h.channelId);
    const sent = await channel.send({
      content: "hello",
      embeds: [new EmbedBuilder().setTitle("Card")],
      allowedMentions: { parse: [] },
    });
    expect(sent.id).toMatch(/^\d{17,19}$/);
    const stored = h.sim.message(h.channelId, sent.id);
    expect(stored).toMatchObject({
      content: "hello",
      authorId: h.sim.botUser.id,
      allowedMentions: { parse: [] },
    });
    expect(stored?.embeds).toEqual([expect.objectContaining({ title: "Card" })]);

    const editSeen = h.sim.waitForMessageEdit(h.channelId, sent.id, (m) => m.content === "edited");
    const edited = await sent.edit({ content: "edited" });
    expect(edited.editedTimestamp).not.toBeNull();
    expect((await editSeen).content).toBe("edited");

    const fetched = await channel.messages.fetch({ message: sent.id, force: true });
    expect(fetched.content).toBe("edited");
    await channel.send("second");
    const listed = await channel.messages.fetch({ limit: 10 });
    expect([...listed.values()].map((m) => m.content)).toEqual(["second", "edited"]);

    await sent.delete();
    expect(h.sim.channelMessages(h.channelId).map((m) => m.content)).toEqual(["second"]);
    const gone = await apiError(channel.messages.fetch({ message: sent.id, force: true }));
    expect(gone.code).toBe(10008);
  });

  it("a repeated nonce with enforce_nonce returns the first message", async () => {
    const channel = await sendable(h, h.channelId);
    const first = await channel.send({ content: "card", nonce: "party-42", enforceNonce: true });
    const again = await channel.send({ content: "card", nonce: "party-42", enforceNonce: true });
    expect(again.id).toBe(first.id);
    expect(h.sim.channelMessages(h.channelId)).toHaveLength(1);
    const loose = await channel.send({ content: "card", nonce: "party-42" });
    expect(loose.id).not.toBe(first.id);
  });

  it("the nonce is honoured for 5 minutes of the sim's clock, then the same nonce posts again", async () => {
    const channel = await sendable(h, h.channelId);
    const first = await channel.send({ content: "card", nonce: "party-43", enforceNonce: true });
    h.sim.advanceClock(NONCE_WINDOW_MS / 2);
    expect((await channel.send({ content: "card", nonce: "party-43", enforceNonce: true })).id).toBe(
      first.id,
    );
    h.sim.advanceClock(NONCE_WINDOW_MS / 2);
    const later = await channel.send({ content: "card", nonce: "party-43", enforceNonce: true });
    expect(later.id).not.toBe(first.id);
    expect(h.sim.channelMessages(h.channelId)).toHaveLength(2);
    // Time moved for the messages too: the second one is stamped 5 minutes after the first.
    expect(later.createdTimestamp - first.createdTimestamp).toBeGreaterThanOrEqual(NONCE_WINDOW_MS);
  });

  it("an answer lost after create: the message exists, the caller got a 502", async () => {
    const channel = await sendable(h, h.channelId);
    h.sim.fault(
      { method: "POST", path: /^\/channels\/\d+\/messages$/ },
      { status: 502, afterHandling: true, times: 1 },
    );
    const lost = await channel.send("created anyway").then(
      () => undefined,
      (e: unknown) => e as { status?: number },
    );
    expect(lost?.status).toBe(502);
    expect(h.sim.channelMessages(h.channelId).map((m) => m.content)).toEqual(["created anyway"]);
    // A refused request is not carried out, so nothing is lost after it.
    h.sim.setChannelOverwrite(h.channelId, {
      id: h.guildId,
      type: "role",
      deny: PermissionFlagsBits.SendMessages,
    });
    h.sim.fault({ method: "POST", path: /\/messages$/ }, { status: 502, afterHandling: true, times: 1 });
    expect((await apiError(channel.send("refused"))).code).toBe(50013);
  });

  it("lists messages newest first with limit, before and after, as Discord does", async () => {
    const channel = await sendable(h, h.channelId);
    const sent = [];
    for (const content of ["m1", "m2", "m3", "m4", "m5"]) sent.push(await channel.send(content));
    const list = async (query: string) =>
      (
        (await h.client.rest.get(`/channels/${h.channelId}/messages`, {
          query: new URLSearchParams(query),
        })) as {
          content: string;
          nonce?: unknown;
        }[]
      ).map((m) => m.content);
    expect(await list("limit=2")).toEqual(["m5", "m4"]);
    expect(await list(`limit=2&before=${sent[3]?.id}`)).toEqual(["m3", "m2"]);
    expect(await list(`limit=2&after=${sent[0]?.id}`)).toEqual(["m3", "m2"]);
    expect(await list("")).toEqual(["m5", "m4", "m3", "m2", "m1"]);
    const raw = (await h.client.rest.get(`/channels/${h.channelId}/messages`)) as Record<string, unknown>[];
    expect(raw.every((m) => !("nonce" in m))).toBe(true);
    for (const bad of ["limit=0", "limit=101", "before=abc"]) {
      const refused = await apiError(
        h.client.rest.get(`/channels/${h.channelId}/messages`, { query: new URLSearchParams(bad) }),
      );
      expect([refused.status, refused.code]).toEqual([400, 50035]);
    }

    // Without Read Message History the list is empty (no error); without View Channel, 50001.
    h.sim.setChannelOverwrite(h.channelId, {
      id: h.guildId,
      type: "role",
      deny: PermissionFlagsBits.ReadMessageHistory,
    });
    expect(await list("")).toEqual([]);
    h.sim.setChannelOverwrite(h.channelId, {
      id: h.guildId,
      type: "role",
      deny: PermissionFlagsBits.ViewChannel,
    });
    expect((await apiError(h.client.rest.get(`/channels/${h.channelId}/messages`))).code).toBe(50001);
  });

  it("sends DMs, and a closed inbox answers 50007", async () => {
    const alice = h.sim.createUser({ username: "alice" });
    const user = await h.client.users.fetch(alice.id);
    await user.send("hi alice");
    expect((await h.sim.waitForDm(alice.id)).content).toBe("hi alice");
    h.sim.setDmsClosed(alice.id, true);
    const refused = await apiError(user.send("again"));
    expect(refused.code).toBe(50007);
    expect(refused.status).toBe(403);
    expect(h.sim.dmMessages(alice.id)).toHaveLength(1);
  });

  it("a button on a DM can be clicked", async () => {
    const alice = h.sim.createUser({ username: "alice" });
    const user = await h.client.users.fetch(alice.id);
    const seen: string[] = [];
    h.client.on("interactionCreate", (i) => {
      if (i.isButton()) {
        seen.push(i.channel?.isDMBased() ? "dm" : "guild");
        void i.update({ content: "confirmed", components: [] });
      }
    });
    const dm = await user.send({
      content: "confirm?",
      components: [{ type: 1, components: [{ type: 2, style: 1, custom_id: "confirm:1", label: "Yes" }] }],
    });
    const click = h.sim.clickButton({
      channelId: dm.channelId,
      messageId: dm.id,
      customId: "confirm:1",
      userId: alice.id,
    });
    expect(await click.response()).toMatchObject({ kind: "update", content: "confirmed" });
    expect(seen).toEqual(["dm"]);
  });

  it("50013 when an overwrite denies Send Messages or Embed Links; 50001 without View Channel", async () => {
    const channel = await sendable(h, h.channelId);
    h.sim.setChannelOverwrite(h.channelId, {
      id: h.sim.botUser.id,
      type: "member",
      deny: PermissionFlagsBits.EmbedLinks,
    });
    expect((await apiError(channel.send({ embeds: [{ title: "x" }] }))).code).toBe(50013);
    await channel.send("plain text still fine");

    const guild = h.client.guilds.cache.get(h.guildId);
    const botRole = guild?.members.me?.roles.cache.find((r) => r.managed);
    expect(botRole).toBeTruthy();
    h.sim.setChannelOverwrite(h.channelId, {
      id: botRole?.id ?? "",
      type: "role",
      deny: PermissionFlagsBits.SendMessages,
    });
    expect((await apiError(channel.send("nope"))).code).toBe(50013);

    h.sim.setChannelOverwrite(h.channelId, {
      id: h.guildId,
      type: "role",
      deny: PermissionFlagsBits.ViewChannel,
    });
    // A member overwrite allowing View Channel would win; there is none for it, so access is gone.
    expect((await apiError(channel.send("hidden"))).code).toBe(50001);
  });

  it("retries a 429 after Retry-After and then succeeds", async () => {
    const channel = await sendable(h, h.channelId);
    h.sim.fault(
      { method: "POST", path: /^\/channels\/\d+\/messages$/ },
      { status: 429, retryAfter: 0.2, times: 1 },
    );
    const limited: number[] = [];
    h.client.rest.on(RESTEvents.RateLimited, (info) => limited.push(info.retryAfter));
    const started = Date.now();
    const sent = await channel.send("after the limit");
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
    expect(sent.content).toBe("after the limit");
    const posts = h.sim.requests().filter((r) => r.method === "POST" && r.path.endsWith("/messages"));
    expect(posts.map((r) => r.status)).toEqual([429, 200]);
    // discord.js may report a second, ~1 ms wait while the bucket's reset time catches up.
    expect(limited[0]).toBeGreaterThanOrEqual(150);
  });

  it.each([
    [404, 10008],
    [403, 50001],
    [403, 50013],
    [403, 50007],
    [500, undefined],
  ])("faults answer %i with code %s", async (status, code) => {
    const channel = await sendable(h, h.channelId);
    h.sim.fault({ method: "POST", path: /\/messages$/ }, { status, ...(code ? { code } : {}), times: 1 });
    const error = await channel.send("x").then(
      () => undefined,
      (e: unknown) => e as { status?: number; code?: number },
    );
    expect(error?.status).toBe(status);
    if (code) expect(error?.code).toBe(code);
    h.sim.clearFaults();
    await channel.send("works again");
  });

  it("refuses edits of one message with 30046 until that fault alone is lifted", async () => {
    const channel = await sendable(h, h.channelId);
    const [a, b] = [await channel.send("a"), await channel.send("b")];
    const refuse = h.sim.fault(
      { method: "PATCH", path: `/channels/${h.channelId}/messages/${a.id}` },
      { status: 400, code: 30046, times: Number.POSITIVE_INFINITY },
    );
    const other = h.sim.fault(
      { method: "POST", path: /\/messages$/ },
      { status: 403, code: 50013, times: 1 },
    );
    for (let i = 0; i < 2; i++) expect((await apiError(a.edit("a2"))).code).toBe(30046);
    // Only that message: another one edits.
    expect((await b.edit("b2")).content).toBe("b2");
    h.sim.clearFault(refuse);
    expect((await a.edit("a3")).content).toBe("a3");
    // The other fault stayed armed.
    expect((await apiError(channel.send("c"))).code).toBe(50013);
    h.sim.clearFault(other);
  });

  it("logs unknown routes as 404s a test can notice", async () => {
    await h.client.rest.get("/channels/1/pins/whatever" as `/${string}`).catch(() => undefined);
    expect(h.sim.unknownRequests()).toEqual([
      expect.objectContaining({ status: 404, path: "/channels/1/pins/whatever" }),
    ]);
  });

  it("a person deleting a message is recorded (MESSAGE_DELETE needs the GuildMessages intent)", async () => {
    const channel = await sendable(h, h.channelId);
    const sent = await channel.send("delete me");
    h.sim.deleteMessageByHand(h.channelId, sent.id);
    await h.sim.waitForMessageDelete(h.channelId, sent.id);
    expect(h.sim.channelMessages(h.channelId)).toHaveLength(0);
    expect(h.sim.dispatched().some((e) => e.t === "MESSAGE_DELETE")).toBe(true);
  });

  it("a slash command in a DM and a message with a file (multipart payload_json)", async () => {
    await h.client.application?.commands.set([{ name: "hello", description: "Say hello" }]);
    h.client.on("interactionCreate", (i) => {
      if (i.isChatInputCommand())
        void i.reply({ content: `hi ${i.user.username}, dm=${i.guildId === null}` });
    });
    const bob = h.sim.createUser({ username: "bob" });
    const run = h.sim.runSlashCommand({ userId: bob.id, name: "hello" });
    expect(await run.response()).toMatchObject({ content: "hi bob, dm=true", ephemeral: false });

    const channel = await sendable(h, h.channelId);
    const sent = await channel.send({
      content: "with file",
      files: [{ attachment: Buffer.from("abc"), name: "a.txt" }],
    });
    expect(sent.attachments.first()?.name).toBe("a.txt");
    expect(h.sim.message(h.channelId, sent.id)?.attachments).toEqual([
      expect.objectContaining({ filename: "a.txt" }),
    ]);
  });
});
