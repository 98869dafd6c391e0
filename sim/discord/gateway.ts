import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { type RawData, type WebSocket, WebSocketServer } from "ws";
import { z } from "zod";
import { guildCreatePayload, type Json, memberPayload, userPayload } from "./payloads.js";
import { newSnowflake } from "./snowflake.js";
import type { SimState } from "./state.js";

/** Gateway intent bits the sim filters dispatches by. */
export const Intent = {
  Guilds: 1 << 0,
  GuildMembers: 1 << 1,
  GuildMessages: 1 << 9,
  DirectMessages: 1 << 12,
} as const;

/** Intents an application must switch on in the developer portal: members, presences, message content. */
export const PRIVILEGED_INTENTS = (1 << 1) | (1 << 8) | (1 << 15);

const Op = {
  Dispatch: 0,
  Heartbeat: 1,
  Identify: 2,
  Resume: 6,
  RequestGuildMembers: 8,
  InvalidSession: 9,
  Hello: 10,
  HeartbeatAck: 11,
} as const;

const frameSchema = z.looseObject({ op: z.number(), d: z.unknown() });
const identifySchema = z.looseObject({
  token: z.string(),
  intents: z.number(),
  large_threshold: z.number().int().min(50).max(250).optional(),
});
const requestMembersSchema = z.looseObject({
  guild_id: z.string(),
  user_ids: z.union([z.string(), z.array(z.string())]).optional(),
  nonce: z.string().optional(),
});
const resumeSchema = z.looseObject({ token: z.string(), session_id: z.string(), seq: z.number().nullable() });

interface Session {
  ws: WebSocket;
  sessionId: string | null;
  intents: number;
  seq: number;
}

export interface GatewayEvent {
  t: string;
  d: Json;
  /** Sent only to sessions that asked for this intent (undefined: always sent). */
  intent?: number;
}

/** How many events Discord keeps for a dropped session before it can only start anew. */
const MISSED_LIMIT = 1000;

export class Gateway {
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly sessions = new Set<Session>();
  /** Intents by session id handed out, so a RESUME with a known id succeeds and keeps its intents. */
  private readonly knownSessions = new Map<string, number>();
  /**
   * Events for sessions whose connection dropped, replayed on RESUME as Discord does (an
   * interaction sent while the bot reconnects reaches it after the resume, not never).
   * Past MISSED_LIMIT the session can no longer resume, as when Discord's buffer runs out.
   */
  private readonly missed = new Map<string, { t: string; d: Json }[]>();
  /** Every dispatch sent, in order, for tests that check what the client was told. */
  readonly dispatched: { t: string; d: Json }[] = [];
  /** Servers whose member requests Discord answers with RATE_LIMITED, and its retry_after (seconds). */
  readonly limitedMemberRequests = new Map<string, number>();

  constructor(
    private readonly state: SimState,
    private readonly token: string,
    private readonly gatewayUrl: () => string,
    private readonly allowedPrivileged: number = Intent.GuildMembers,
  ) {
    this.wss.on("connection", (ws) => this.onConnection(ws));
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.wss.handleUpgrade(req, socket, head, (ws) => this.wss.emit("connection", ws, req));
  }

  get connectedSessions(): number {
    return [...this.sessions].filter((s) => s.sessionId !== null).length;
  }

  broadcast(event: GatewayEvent): void {
    this.dispatched.push({ t: event.t, d: event.d });
    for (const [sessionId, events] of this.missed) {
      const intents = this.knownSessions.get(sessionId) ?? 0;
      if (event.intent !== undefined && (intents & event.intent) === 0) continue;
      if (events.length >= MISSED_LIMIT) {
        this.knownSessions.delete(sessionId);
        this.missed.delete(sessionId);
      } else events.push({ t: event.t, d: event.d });
    }
    for (const s of this.sessions) {
      if (s.sessionId === null) continue;
      if (event.intent !== undefined && (s.intents & event.intent) === 0) continue;
      this.dispatch(s, event.t, event.d);
    }
    this.state.touch();
  }

  /** Closes every connection abnormally (1006-like), keeping the sessions resumable. */
  dropAll(): void {
    for (const s of this.sessions) {
      // Missed from now on, not from when the socket's close event comes round.
      this.sessions.delete(s);
      if (s.sessionId !== null) this.missed.set(s.sessionId, []);
      s.ws.terminate();
    }
    this.state.touch();
  }

  async close(): Promise<void> {
    for (const s of this.sessions) s.ws.terminate();
    this.sessions.clear();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private onConnection(ws: WebSocket): void {
    const session: Session = { ws, sessionId: null, intents: 0, seq: 0 };
    this.sessions.add(session);
    const drop = (): void => {
      if (this.sessions.delete(session) && session.sessionId !== null) this.missed.set(session.sessionId, []);
      this.state.touch();
    };
    ws.on("close", drop);
    ws.on("error", drop);
    ws.on("message", (data) => this.onFrame(session, data));
    this.send(session, { op: Op.Hello, d: { heartbeat_interval: 45_000 }, s: null, t: null });
  }

  private onFrame(session: Session, data: RawData): void {
    let frame: z.infer<typeof frameSchema>;
    try {
      frame = frameSchema.parse(JSON.parse(rawToString(data)));
    } catch {
      session.ws.close(4002, "Error while decoding payload.");
      return;
    }
    switch (frame.op) {
      case Op.Heartbeat:
        this.send(session, { op: Op.HeartbeatAck, d: null, s: null, t: null });
        return;
      case Op.Identify:
        this.identify(session, frame.d);
        return;
      case Op.Resume:
        this.resume(session, frame.d);
        return;
      case Op.RequestGuildMembers:
        this.requestGuildMembers(session, frame.d);
        return;
      default:
        // Presence and voice updates are accepted and ignored.
        return;
    }
  }

  private identify(session: Session, d: unknown): void {
    const parsed = identifySchema.safeParse(d);
    if (!parsed.success || stripBot(parsed.data.token) !== this.token) {
      session.ws.close(4004, "Authentication failed.");
      return;
    }
    if (session.sessionId !== null) {
      session.ws.close(4005, "Already authenticated.");
      return;
    }
    if ((parsed.data.intents & PRIVILEGED_INTENTS & ~this.allowedPrivileged) !== 0) {
      session.ws.close(4014, "Disallowed intent(s).");
      return;
    }
    session.intents = parsed.data.intents;
    session.sessionId = newSnowflake();
    this.knownSessions.set(session.sessionId, session.intents);
    const bot = this.state.user(this.state.botUserId);
    const guilds = [...this.state.guilds.values()].filter((g) => g.members.has(this.state.botUserId));
    this.dispatch(session, "READY", {
      v: 10,
      user: bot ? { ...userPayload(bot), verified: true, mfa_enabled: false } : {},
      guilds: guilds.map((g) => ({ id: g.id, unavailable: true })),
      session_id: session.sessionId,
      resume_gateway_url: this.gatewayUrl(),
      shard: [0, 1],
      application: { id: this.state.applicationId, flags: 0 },
      private_channels: [],
      presences: [],
      relationships: [],
      guild_join_requests: [],
    });
    const threshold = parsed.data.large_threshold ?? 50;
    for (const g of guilds)
      this.dispatch(session, "GUILD_CREATE", guildCreatePayload(this.state, g, threshold));
    this.state.touch();
  }

  private resume(session: Session, d: unknown): void {
    const parsed = resumeSchema.safeParse(d);
    if (!parsed.success || stripBot(parsed.data.token) !== this.token) {
      session.ws.close(4004, "Authentication failed.");
      return;
    }
    const intents = this.knownSessions.get(parsed.data.session_id);
    if (intents === undefined) {
      this.send(session, { op: Op.InvalidSession, d: false, s: null, t: null });
      return;
    }
    session.sessionId = parsed.data.session_id;
    session.seq = parsed.data.seq ?? 0;
    session.intents = intents;
    // What happened while it was away, then RESUMED, as Discord replays a resumed session.
    for (const e of this.missed.get(session.sessionId) ?? []) this.dispatch(session, e.t, e.d);
    this.missed.delete(session.sessionId);
    this.dispatch(session, "RESUMED", {});
    this.state.touch();
  }

  /**
   * Request Guild Members by `user_ids` (at most 100, as Discord allows): one
   * GUILD_MEMBERS_CHUNK with the members found and the ids `not_found`. Requests by
   * `query` (the whole member list) are not modelled and go unanswered. A server put under
   * `limitMemberRequests` gets Discord's RATE_LIMITED instead.
   */
  private requestGuildMembers(session: Session, d: unknown): void {
    if (session.sessionId === null) {
      session.ws.close(4003, "Not authenticated.");
      return;
    }
    const parsed = requestMembersSchema.safeParse(d);
    const ids = parsed.data?.user_ids;
    if (!parsed.success || ids === undefined) return;
    const userIds = Array.isArray(ids) ? ids : [ids];
    if (userIds.length > 100) {
      session.ws.close(4002, "Error while decoding payload.");
      return;
    }
    const guild = this.state.guilds.get(parsed.data.guild_id);
    if (!guild?.members.has(this.state.botUserId)) return;
    const retryAfter = this.limitedMemberRequests.get(guild.id);
    if (retryAfter !== undefined) {
      // Discord's answer to a bot asking too often: no members, a RATE_LIMITED naming the request.
      this.dispatch(session, "RATE_LIMITED", {
        opcode: Op.RequestGuildMembers,
        retry_after: retryAfter,
        meta: {
          guild_id: guild.id,
          ...(parsed.data.nonce !== undefined ? { nonce: parsed.data.nonce } : {}),
        },
      });
      return;
    }
    const found = userIds.flatMap((id) => {
      const m = guild.members.get(id);
      return m ? [m] : [];
    });
    this.dispatch(session, "GUILD_MEMBERS_CHUNK", {
      guild_id: guild.id,
      members: found.map((m) => memberPayload(this.state, m)),
      chunk_index: 0,
      chunk_count: 1,
      not_found: userIds.filter((id) => !guild.members.has(id)),
      ...(parsed.data.nonce !== undefined ? { nonce: parsed.data.nonce } : {}),
    });
    this.state.touch();
  }

  private dispatch(session: Session, t: string, d: Json): void {
    session.seq += 1;
    this.send(session, { op: Op.Dispatch, t, s: session.seq, d });
  }

  private send(session: Session, frame: Json): void {
    if (session.ws.readyState === session.ws.OPEN) session.ws.send(JSON.stringify(frame));
  }
}

function stripBot(token: string): string {
  return token.startsWith("Bot ") ? token.slice(4) : token;
}

function rawToString(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString("utf8");
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString("utf8");
  return data.toString("utf8");
}
