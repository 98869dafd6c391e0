import { once } from "node:events";
import {
  type ChatInputCommandInteraction,
  DiscordAPIError,
  Events,
  type Interaction,
  Routes,
  SlashCommandBuilder,
} from "discord.js";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "./helpers.js";

async function refusal(p: Promise<unknown>): Promise<DiscordAPIError> {
  try {
    await p;
  } catch (error) {
    if (error instanceof DiscordAPIError) return error;
    throw error;
  }
  throw new Error("expected Discord to refuse");
}

const x = (n: number, ch = "x") => ch.repeat(n);
const embed = (fields: Record<string, unknown>) => ({ embeds: [fields] });
const field = (name: string, value: string) => ({ name, value });
const button = (over: Record<string, unknown> = {}) => ({
  type: 2,
  style: 1,
  label: "Go",
  custom_id: "go",
  ...over,
});
const row = (n: number, over: Record<string, unknown> = {}) => ({
  type: 1,
  components: Array.from({ length: n }, (_, i) => button({ custom_id: `b${i}`, ...over })),
});
const maxLength = (max: number) => ({
  _errors: [{ code: "BASE_TYPE_MAX_LENGTH", message: `Must be ${max} or fewer in length.` }],
});

/** [what, a body exactly at the limit, the same one over it, Discord's error tree for the latter] */
const LIMIT_CASES: [string, Record<string, unknown>, Record<string, unknown>, unknown][] = [
  ["content: 2000", { content: x(2000) }, { content: x(2001) }, { content: maxLength(2000) }],
  [
    "embeds: 10",
    { embeds: Array.from({ length: 10 }, () => ({ title: "t" })) },
    { embeds: Array.from({ length: 11 }, () => ({ title: "t" })) },
    { embeds: maxLength(10) },
  ],
  [
    "title: 256",
    embed({ title: x(256) }),
    embed({ title: x(257) }),
    { embeds: { 0: { title: maxLength(256) } } },
  ],
  [
    "description: 4096",
    embed({ description: x(4096) }),
    embed({ description: x(4097) }),
    { embeds: { 0: { description: maxLength(4096) } } },
  ],
  [
    "fields: 25",
    embed({ fields: Array.from({ length: 25 }, () => field("n", "v")) }),
    embed({ fields: Array.from({ length: 26 }, () => field("n", "v")) }),
    { embeds: { 0: { fields: maxLength(25) } } },
  ],
  [
    "field name: 256",
    embed({ fields: [field(x(256), "v")] }),
    embed({ fields: [field(x(257), "v")] }),
    { embeds: { 0: { fields: { 0: { name: maxLength(256) } } } } },
  ],
  [
    "field value: 1024",
    embed({ fields: [field("n", x(1024))] }),
    embed({ fields: [field("n", x(1025))] }),
    { embeds: { 0: { fields: { 0: { value: maxLength(1024) } } } } },
  ],
  [
    "footer: 2048",
    embed({ footer: { text: x(2048) } }),
    embed({ footer: { text: x(2049) } }),
    { embeds: { 0: { footer: { text: maxLength(2048) } } } },
  ],
  [
    "author: 256",
    embed({ author: { name: x(256) } }),
    embed({ author: { name: x(257) } }),
    { embeds: { 0: { author: { name: maxLength(256) } } } },
  ],
  [
    "all embeds together: 6000",
    { embeds: [{ description: x(3000) }, { description: x(2990), title: x(10) }] },
    { embeds: [{ description: x(3000) }, { description: x(2990), title: x(11) }] },
    {
      embeds: {
        _errors: [{ code: "MAX_EMBED_SIZE_EXCEEDED", message: "Embed size exceeds maximum size of 6000" }],
      },
    },
  ],
  [
    "action rows: 5",
    { components: Array.from({ length: 5 }, (_, i) => row(1, { custom_id: `r${i}` })) },
    { components: Array.from({ length: 6 }, (_, i) => row(1, { custom_id: `r${i}` })) },
    { components: maxLength(5) },
  ],
  [
    "buttons in a row: 5",
    { components: [row(5)] },
    { components: [row(6)] },
    { components: { 0: { components: maxLength(5) } } },
  ],
  [
    "custom_id: 100",
    { components: [{ type: 1, components: [button({ custom_id: x(100) })] }] },
    { components: [{ type: 1, components: [button({ custom_id: x(101) })] }] },
    { components: { 0: { components: { 0: { custom_id: maxLength(100) } } } } },
  ],
  [
    "button label: 80",
    { components: [{ type: 1, components: [button({ label: x(80) })] }] },
    { components: [{ type: 1, components: [button({ label: x(81) })] }] },
    { components: { 0: { components: { 0: { label: maxLength(80) } } } } },
  ],
  [
    "lengths in code points: 256 emoji are a 256-long title",
    embed({ title: x(256, "🎮") }),
    embed({ title: x(257, "🎮") }),
    { embeds: { 0: { title: maxLength(256) } } },
  ],
];

describe("the Discord sim refuses what Discord refuses", () => {
  let h: Harness;
  let clock: number;
  beforeEach(async () => {
    clock = Date.now();
    h = await startHarness({ now: () => clock });
  });
  afterEach(async () => {
    await h.stop();
  });

  it.each(LIMIT_CASES)(
    "%s: at the limit it posts, past it 50035 with Discord's error tree",
    async (_what, at, over, errors) => {
      const route = Routes.channelMessages(h.channelId);
      await h.client.rest.post(route, { body: at });
      const refused = await refusal(h.client.rest.post(route, { body: over }));
      expect(refused.status).toBe(400);
      expect(refused.code).toBe(50035);
      expect(refused.rawError).toEqual({ code: 50035, message: "Invalid Form Body", errors });
      expect(h.sim.channelMessages(h.channelId)).toHaveLength(1);
    },
  );

  it("an edit past a limit is refused and the message stays as it was", async () => {
    const sent = (await h.client.rest.post(Routes.channelMessages(h.channelId), {
      body: embed({ title: "Card" }),
    })) as { id: string };
    const refused = await refusal(
      h.client.rest.patch(Routes.channelMessage(h.channelId, sent.id), { body: embed({ title: x(257) }) }),
    );
    expect(refused.rawError).toMatchObject({ errors: { embeds: { 0: { title: maxLength(256) } } } });
    expect(h.sim.message(h.channelId, sent.id)?.embeds).toEqual([{ title: "Card" }]);
  });

  describe("interactions", () => {
    const ping = new SlashCommandBuilder().setName("ping").setDescription("Ping");
    let member: string;
    beforeEach(async () => {
      await h.client.application?.commands.set([ping.toJSON()], h.guildId);
      member = h.sim.createUser({ username: "member" }).id;
      h.sim.addMember(h.guildId, member);
    });

    /** Runs /ping and hands over the interaction as the bot received it, unanswered. */
    async function received(): Promise<{
      i: ChatInputCommandInteraction;
      run: ReturnType<Harness["sim"]["runSlashCommand"]>;
    }> {
      const arrived = once(h.client, Events.InteractionCreate) as Promise<[Interaction]>;
      const run = h.sim.runSlashCommand({ guildId: h.guildId, userId: member, name: "ping" });
      const [i] = await arrived;
      if (!i.isChatInputCommand()) throw new Error("expected a slash command");
      return { i, run };
    }

    it("a reply past a limit is refused under `data` and leaves the interaction unanswered", async () => {
      const { i, run } = await received();
      const refused = await refusal(
        h.client.rest.post(Routes.interactionCallback(i.id, i.token), {
          body: { type: 4, data: { content: x(2001) } },
          auth: false,
        }),
      );
      expect(refused.rawError).toEqual({
        code: 50035,
        message: "Invalid Form Body",
        errors: { data: { content: maxLength(2000) } },
      });
      await i.reply({ content: "short enough" });
      expect((await run.response()).content).toBe("short enough");
    });

    it("the first response after 3 s gets 10062 Unknown interaction", async () => {
      const { i, run } = await received();
      clock += 3_001;
      const late = await refusal(i.deferReply());
      expect(late.code).toBe(10062);
      expect(late.status).toBe(404);
      expect(run.callbackTypes).toEqual([]);
    });

    it("a response within 3 s is accepted", async () => {
      const { i, run } = await received();
      clock += 2_999;
      await i.deferReply();
      expect(run.callbackTypes).toEqual([5]);
    });

    it("follow-ups and edits work for 15 minutes, then get 50027 Invalid Webhook Token", async () => {
      const { i, run } = await received();
      await i.deferReply();
      clock += 15 * 60_000 - 1;
      await i.editReply({ content: "still in time" });
      expect((await run.response()).content).toBe("still in time");
      clock += 2;
      const followUp = await refusal(i.followUp({ content: "too late" }));
      expect(followUp).toMatchObject({ code: 50027, status: 401 });
      const edit = await refusal(i.editReply({ content: "too late" }));
      expect(edit).toMatchObject({ code: 50027, status: 401 });
    });
  });

  describe("Unknown Message (10008) only for a message that does not exist", () => {
    it("an injected 10008 on a live message is a deletion that just happened", async () => {
      const sent = (await h.client.rest.post(Routes.channelMessages(h.channelId), {
        body: { content: "card" },
      })) as { id: string };
      h.sim.fault(
        { method: "PATCH", path: `/channels/${h.channelId}/messages/${sent.id}` },
        { status: 404, code: 10008, times: 1 },
      );
      const gone = await refusal(
        h.client.rest.patch(Routes.channelMessage(h.channelId, sent.id), { body: { content: "edit" } }),
      );
      expect(gone.code).toBe(10008);
      expect(h.sim.channelMessages(h.channelId)).toEqual([]);
      expect(h.sim.message(h.channelId, sent.id)?.deleted).toBe(true);
      expect(h.sim.dispatched().some((e) => e.t === "MESSAGE_DELETE" && e.d.id === sent.id)).toBe(true);
    });
  });
});
