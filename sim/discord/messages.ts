import { z } from "zod";
import type { UploadedFile } from "./body.js";
import { ApiErrors } from "./errors.js";
import { Intent } from "./gateway.js";
import { messageLimitErrors } from "./limits.js";
import { messagePayload } from "./payloads.js";
import { has, Perm } from "./permissions.js";
import { newSnowflake } from "./snowflake.js";
import type { SimChannel, SimMessage, SimState } from "./state.js";

export const EPHEMERAL = 64;
export const LOADING = 128;
/** How long Discord honours `enforce_nonce` ("a few minutes"); the sim's clock decides, see SimState.now. */
export const NONCE_WINDOW_MS = 5 * 60_000;

/** The message fields a bot may send; tolerant of anything else discord.js adds. */
export const messageInputSchema = z.looseObject({
  content: z.string().optional().nullable(),
  embeds: z.array(z.unknown()).optional().nullable(),
  components: z.array(z.unknown()).optional().nullable(),
  allowed_mentions: z.unknown().optional(),
  flags: z.number().optional().nullable(),
  nonce: z.union([z.string(), z.number()]).optional().nullable(),
  enforce_nonce: z.boolean().optional().nullable(),
  attachments: z.array(z.unknown()).optional().nullable(),
});
export type MessageInput = z.infer<typeof messageInputSchema>;

/** The body as Discord reads it, refused with 50035 when it breaks a shape or a size limit. */
export function parseMessageInput(json: unknown): MessageInput {
  const parsed = messageInputSchema.safeParse(json ?? {});
  if (!parsed.success) throw ApiErrors.invalidForm(parsed.error.message);
  const tooBig = messageLimitErrors(parsed.data);
  if (tooBig) throw ApiErrors.invalidForm(tooBig);
  return parsed.data;
}

export interface NewMessage {
  channel: SimChannel;
  authorId: string;
  input: MessageInput;
  files: UploadedFile[];
  type?: number;
  webhookId?: string | null;
  interaction?: SimMessage["interaction"];
  extraFlags?: number;
}

/** Message storage plus the gateway events a real server would emit for it. */
export class MessageStore {
  private readonly nonces = new Map<string, { messageId: string; at: number }>();

  constructor(
    private readonly state: SimState,
    private readonly dispatch: (t: string, d: Record<string, unknown>, intent?: number) => void,
  ) {}

  /** Checks what Discord checks before a bot posts in a channel; throws the matching API error. */
  assertCanPost(channel: SimChannel, input: MessageInput, files: UploadedFile[]): void {
    if (channel.type === 1) {
      const recipient = channel.recipientId ? this.state.user(channel.recipientId) : undefined;
      if (!recipient || recipient.dmsClosed || recipient.bot) throw ApiErrors.cannotDm();
      return;
    }
    const perms = this.state.permissionsIn(channel.id, this.state.botUserId);
    if (!has(perms, Perm.ViewChannel)) throw ApiErrors.missingAccess();
    if (!has(perms, Perm.SendMessages)) throw ApiErrors.missingPermissions();
    if ((input.embeds?.length ?? 0) > 0 && !has(perms, Perm.EmbedLinks)) throw ApiErrors.missingPermissions();
    if (files.length > 0 && !has(perms, Perm.AttachFiles)) throw ApiErrors.missingPermissions();
  }

  /** A repeated nonce (with enforce_nonce) from the same author in the same channel returns the first message. */
  findByNonce(channelId: string, authorId: string, input: MessageInput, now: number): SimMessage | undefined {
    if (!input.enforce_nonce || input.nonce === undefined || input.nonce === null) return undefined;
    const hit = this.nonces.get(`${channelId}:${authorId}:${input.nonce}`);
    if (!hit || now - hit.at >= NONCE_WINDOW_MS) return undefined;
    return this.state.messages.get(hit.messageId);
  }

  create(m: NewMessage): SimMessage {
    const { channel, input } = m;
    const content = input.content ?? "";
    const embeds = input.embeds ?? [];
    const components = input.components ?? [];
    if (
      content === "" &&
      embeds.length === 0 &&
      components.length === 0 &&
      m.files.length === 0 &&
      !m.extraFlags
    ) {
      throw ApiErrors.emptyMessage();
    }
    const now = this.state.now();
    const message: SimMessage = {
      id: newSnowflake(now),
      channelId: channel.id,
      guildId: channel.guildId,
      authorId: m.authorId,
      content,
      embeds,
      components,
      attachments: m.files.map((f) => ({ id: newSnowflake(), filename: f.filename, size: f.size })),
      allowedMentions: input.allowed_mentions,
      flags: (input.flags ?? 0) | (m.extraFlags ?? 0),
      type: m.type ?? 0,
      timestamp: new Date(now).toISOString(),
      editedTimestamp: null,
      nonce: input.nonce ?? null,
      webhookId: m.webhookId ?? null,
      interaction: m.interaction ?? null,
      deleted: false,
      editCount: 0,
    };
    this.state.messages.set(message.id, message);
    channel.lastMessageId = message.id;
    if (input.enforce_nonce && input.nonce !== undefined && input.nonce !== null) {
      this.nonces.set(`${channel.id}:${m.authorId}:${input.nonce}`, { messageId: message.id, at: now });
    }
    if ((message.flags & EPHEMERAL) === 0) {
      this.dispatch("MESSAGE_CREATE", messagePayload(this.state, message), messageIntent(channel));
    }
    this.state.touch();
    return message;
  }

  /** Applies the fields present in `input`, as a PATCH does. */
  edit(message: SimMessage, input: MessageInput, files: UploadedFile[], clearFlags = 0): SimMessage {
    if (input.content !== undefined) message.content = input.content ?? "";
    if (input.embeds !== undefined) message.embeds = input.embeds ?? [];
    if (input.components !== undefined) message.components = input.components ?? [];
    if (input.allowed_mentions !== undefined) message.allowedMentions = input.allowed_mentions;
    if (input.attachments !== undefined || files.length > 0) {
      const keep = new Set(
        (input.attachments ?? []).flatMap((a) =>
          typeof a === "object" && a !== null && "id" in a ? [String((a as { id: unknown }).id)] : [],
        ),
      );
      message.attachments = [
        ...message.attachments.filter((a) => keep.has(a.id)),
        ...files.map((f) => ({ id: newSnowflake(), filename: f.filename, size: f.size })),
      ];
    }
    // Only SUPPRESS_EMBEDS may be toggled by an edit; ephemeral/loading are Discord's to set.
    if (input.flags !== undefined && input.flags !== null) {
      message.flags = (message.flags & ~4) | (input.flags & 4);
    }
    message.flags &= ~clearFlags;
    message.editedTimestamp = new Date(this.state.now()).toISOString();
    message.editCount += 1;
    const channel = this.state.channels.get(message.channelId);
    if ((message.flags & EPHEMERAL) === 0 && channel) {
      this.dispatch("MESSAGE_UPDATE", messagePayload(this.state, message), messageIntent(channel));
    }
    this.state.touch();
    return message;
  }

  delete(message: SimMessage): void {
    message.deleted = true;
    const channel = this.state.channels.get(message.channelId);
    if ((message.flags & EPHEMERAL) === 0 && channel) {
      this.dispatch(
        "MESSAGE_DELETE",
        {
          id: message.id,
          channel_id: message.channelId,
          ...(message.guildId ? { guild_id: message.guildId } : {}),
        },
        messageIntent(channel),
      );
    }
    this.state.touch();
  }

  /** A live message in that channel, or Discord's Unknown Message. */
  get(channelId: string, messageId: string): SimMessage {
    const m = this.state.messages.get(messageId);
    if (!m || m.deleted || m.channelId !== channelId) throw ApiErrors.unknownMessage();
    return m;
  }
}

/** Message events reach a client only with the matching intent, as on Discord. */
export function messageIntent(channel: SimChannel): number {
  return channel.type === 1 ? Intent.DirectMessages : Intent.GuildMessages;
}
