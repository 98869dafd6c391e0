import { once } from "node:events";
import { ChannelType, Events, PermissionFlagsBits } from "discord.js";
import { afterEach, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { type DiscordSim, startDiscordSim } from "../../sim/discord/server.js";
import { BOT_TOKEN, type Harness, newClient, startHarness } from "./helpers.js";

describe("Discord sim gateway with a real discord.js client", () => {
  let h: Harness | undefined;
  let sim: DiscordSim | undefined;
  afterEach(async () => {
    await h?.stop();
    await sim?.stop();
    h = undefined;
    sim = undefined;
  });

  it("logs in and caches guilds, channels, roles and the bot's own member", async () => {
    h = await startHarness();
    const guild = h.client.guilds.cache.get(h.guildId);
    expect(guild?.name).toBe("Test Server");
    expect(h.client.user?.id).toBe(h.sim.botUser.id);
    expect(h.client.application?.id).toBe(h.sim.applicationId);
    const channel = guild?.channels.cache.get(h.channelId);
    expect(channel?.type).toBe(ChannelType.GuildText);
    expect(guild?.roles.everyone.permissions.has(PermissionFlagsBits.ViewChannel)).toBe(true);
    const me = guild?.members.me;
    expect(me).toBeTruthy();
    expect(channel && me?.permissionsIn(channel).has(PermissionFlagsBits.SendMessages)).toBe(true);
    expect(h.sim.connectedClients).toBe(1);
  });

  it("refuses a bad token over REST (discord.js TokenInvalid)", async () => {
    sim = await startDiscordSim({ botToken: BOT_TOKEN });
    const client = newClient(sim);
    await expect(client.login("wrong-token")).rejects.toThrow(/invalid/i);
    await client.destroy();
  });

  it("closes the gateway with 4004 on an IDENTIFY with a bad token", async () => {
    sim = await startDiscordSim({ botToken: BOT_TOKEN });
    const ws = new WebSocket(`${sim.gatewayUrl}?v=10&encoding=json`);
    const [hello] = (await once(ws, "message")) as [Buffer];
    expect(JSON.parse(hello.toString()).op).toBe(10);
    ws.send(JSON.stringify({ op: 2, d: { token: "nope", intents: 1, properties: {} } }));
    const [code] = (await once(ws, "close")) as [number];
    expect(code).toBe(4004);
  });

  it("replays to a resumed session what it missed while its connection was down, as Discord does", async () => {
    h = await startHarness();
    const client = h.client;
    await client.application?.commands.set([{ name: "ping", description: "Ping" }], h.guildId);
    const received = new Promise<string>((resolve) =>
      client.once(Events.InteractionCreate, (i) => {
        if (i.isChatInputCommand()) resolve(i.commandName);
      }),
    );
    h.sim.dropGateway();
    // Sent while the bot is reconnecting: it arrives after the resume, not never.
    h.sim.runSlashCommand({ guildId: h.guildId, userId: h.owner, name: "ping" });
    expect(await received).toBe("ping");
    expect(h.sim.connectedClients).toBe(1);
  });

  it("answers heartbeats and resumes a known session", async () => {
    sim = await startDiscordSim({ botToken: BOT_TOKEN });
    const frames: { op: number; t?: string; d?: { session_id?: string } }[] = [];
    const ws = new WebSocket(`${sim.gatewayUrl}?v=10&encoding=json`);
    const next = async (op: number, t?: string) => {
      while (true) {
        const found = frames.find((f) => f.op === op && (t === undefined || f.t === t));
        if (found) {
          frames.splice(frames.indexOf(found), 1);
          return found;
        }
        const [data] = (await once(ws, "message")) as [Buffer];
        frames.push(JSON.parse(data.toString()));
      }
    };
    await next(10);
    ws.send(JSON.stringify({ op: 2, d: { token: BOT_TOKEN, intents: 1, properties: {} } }));
    const ready = await next(0, "READY");
    ws.send(JSON.stringify({ op: 1, d: 1 }));
    await next(11);
    ws.close();
    await once(ws, "close");
    const again = new WebSocket(`${sim.gatewayUrl}?v=10&encoding=json`);
    const [hello] = (await once(again, "message")) as [Buffer];
    expect(JSON.parse(hello.toString()).op).toBe(10);
    again.send(JSON.stringify({ op: 6, d: { token: BOT_TOKEN, session_id: ready.d?.session_id, seq: 1 } }));
    const [resumed] = (await once(again, "message")) as [Buffer];
    expect(JSON.parse(resumed.toString())).toMatchObject({ op: 0, t: "RESUMED" });
    again.close();
    await once(again, "close");
  });

  it("sends GUILD_CREATE for a guild made after login and GUILD_DELETE on removal", async () => {
    h = await startHarness();
    const { client, sim: s } = h;
    const created = once(client, Events.GuildCreate);
    const g = s.createGuild({ name: "Later" });
    await created;
    expect(client.guilds.cache.get(g.id)?.name).toBe("Later");
    const deleted = once(client, Events.GuildDelete);
    s.removeGuild(g.id);
    await deleted;
    expect(client.guilds.cache.has(g.id)).toBe(false);
  });

  it("answers member requests for a rate-limited server with RATE_LIMITED, which discord.js rejects at once", async () => {
    h = await startHarness();
    const guild = h.client.guilds.cache.get(h.guildId)!;
    const asked = () => guild.members.fetch({ user: [h!.owner], time: 5_000 });
    expect([...(await asked()).keys()]).toEqual([h.owner]);
    h.sim.limitMemberRequests(h.guildId, 12.5);
    await expect(asked()).rejects.toThrow(
      "Request with opcode 8 was rate limited. Retry after 12.5 seconds.",
    );
    h.sim.clearFaults();
    expect([...(await asked()).keys()]).toEqual([h.owner]);
  });

  it("keeps discord.js's permission cache right after overwrites and role changes", async () => {
    h = await startHarness();
    const { client, sim: s, guildId, channelId } = h;
    const updated = once(client, Events.ChannelUpdate);
    s.setChannelOverwrite(channelId, {
      id: s.botUser.id,
      type: "member",
      deny: PermissionFlagsBits.EmbedLinks,
    });
    await updated;
    const guild = client.guilds.cache.get(guildId);
    const channel = guild?.channels.cache.get(channelId);
    expect(channel && guild?.members.me?.permissionsIn(channel).has(PermissionFlagsBits.EmbedLinks)).toBe(
      false,
    );
    const roleUpdated = once(client, Events.GuildRoleUpdate);
    s.setRolePermissions(guildId, guildId, 0n);
    await roleUpdated;
    expect(guild?.roles.everyone.permissions.bitfield).toBe(0n);
  });

  it("client.destroy() closes the session", async () => {
    h = await startHarness();
    await h.client.destroy();
    await h.sim.waitForNoClients();
    expect(h.sim.connectedClients).toBe(0);
  });
});
