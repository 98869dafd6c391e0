import { EventEmitter } from "node:events";
import {
  ALL_PERMISSIONS,
  channelPermissions,
  type OverwriteInput,
  type PermissionSubject,
} from "./permissions.js";

export interface SimUser {
  id: string;
  username: string;
  bot: boolean;
  dmsClosed: boolean;
}

export interface SimRole {
  id: string;
  guildId: string;
  name: string;
  permissions: bigint;
  position: number;
  managed: boolean;
  botId?: string;
}

export interface SimMember {
  userId: string;
  roleIds: string[];
  joinedAt: string;
  nick: string | null;
}

export interface SimGuild {
  id: string;
  name: string;
  ownerId: string;
  createdAt: string;
  /** Keyed by user id. */
  members: Map<string, SimMember>;
  roleIds: string[];
  channelIds: string[];
}

export interface SimChannel {
  id: string;
  /** 0 guild text, 1 DM. */
  type: 0 | 1;
  guildId: string | null;
  name: string;
  position: number;
  overwrites: OverwriteInput[];
  /** For DM channels, the person on the other side. */
  recipientId: string | null;
  lastMessageId: string | null;
}

export interface SimAttachment {
  id: string;
  filename: string;
  size: number;
}

export interface SimMessage {
  id: string;
  channelId: string;
  guildId: string | null;
  authorId: string;
  content: string;
  embeds: unknown[];
  components: unknown[];
  attachments: SimAttachment[];
  /** The `allowed_mentions` the sender asked for, verbatim (undefined when not sent). */
  allowedMentions: unknown;
  flags: number;
  type: number;
  timestamp: string;
  editedTimestamp: string | null;
  nonce: string | number | null;
  /** Set on interaction responses (the application id), as Discord does. */
  webhookId: string | null;
  /** Which interaction produced it (Discord's `interaction_metadata`). */
  interaction: { id: string; type: number; userId: string; name: string | null } | null;
  deleted: boolean;
  /** How many times it was edited (edits replace fields in place). */
  editCount: number;
}

export interface SimCommand {
  id: string;
  applicationId: string;
  guildId: string | null;
  name: string;
  type: number;
  version: string;
  raw: Record<string, unknown>;
}

/** The sim's world. Every mutation goes through `touch()` so waiters can re-check their condition. */
export class SimState extends EventEmitter {
  readonly users = new Map<string, SimUser>();
  readonly guilds = new Map<string, SimGuild>();
  readonly roles = new Map<string, SimRole>();
  readonly channels = new Map<string, SimChannel>();
  readonly messages = new Map<string, SimMessage>();
  /** Messages whose edits Discord refuses with 30046 (its edit limit on old messages), until accepted again. */
  readonly editsRefused = new Set<string>();
  /** DM channel id by recipient user id. */
  readonly dmChannelByUser = new Map<string, string>();
  readonly globalCommands: SimCommand[] = [];
  readonly guildCommands = new Map<string, SimCommand[]>();
  /** The machine's clock, or a test's (`startDiscordSim({ now })`): Discord's deadlines and the nonce window run on it. */
  baseNow: () => number = Date.now;
  /** How far the sim's clock runs ahead of baseNow: tests move time (the nonce window) without sleeping. */
  private clockOffsetMs = 0;

  constructor(
    readonly botUserId: string,
    readonly applicationId: string,
  ) {
    super();
    this.setMaxListeners(0);
  }

  /** The sim's time in ms: message timestamps, snowflakes and the nonce window follow it. */
  now(): number {
    return this.baseNow() + this.clockOffsetMs;
  }

  advanceClock(ms: number): void {
    if (!(ms >= 0)) throw new Error("the sim's clock only moves forward");
    this.clockOffsetMs += ms;
  }

  touch(): void {
    this.emit("change");
  }

  user(id: string): SimUser | undefined {
    return this.users.get(id);
  }

  permissionSubject(guild: SimGuild, userId: string): PermissionSubject {
    const rolePermissions = new Map<string, bigint>();
    for (const roleId of guild.roleIds) {
      const role = this.roles.get(roleId);
      if (role) rolePermissions.set(role.id, role.permissions);
    }
    return {
      guildId: guild.id,
      ownerId: guild.ownerId,
      userId,
      roleIds: guild.members.get(userId)?.roleIds ?? [],
      rolePermissions,
    };
  }

  /** A user's permissions in a channel; DMs allow what a DM allows, non-members get nothing. */
  permissionsIn(channelId: string, userId: string): bigint {
    const channel = this.channels.get(channelId);
    if (!channel) return 0n;
    if (channel.type === 1)
      return channel.recipientId === userId || userId === this.botUserId ? ALL_PERMISSIONS : 0n;
    const guild = channel.guildId ? this.guilds.get(channel.guildId) : undefined;
    if (!guild?.members.has(userId)) return 0n;
    return channelPermissions(this.permissionSubject(guild, userId), channel.overwrites);
  }

  guildOf(channel: SimChannel): SimGuild | undefined {
    return channel.guildId ? this.guilds.get(channel.guildId) : undefined;
  }

  visibleMessages(channelId: string): SimMessage[] {
    return [...this.messages.values()]
      .filter((m) => m.channelId === channelId && !m.deleted && (m.flags & 64) === 0)
      .sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
  }
}
