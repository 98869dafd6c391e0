import { z } from "zod";
import type { UploadedFile } from "./body.js";
import { ApiErrors, DiscordApiError } from "./errors.js";
import { EPHEMERAL, LOADING, type MessageInput, type MessageStore, parseMessageInput } from "./messages.js";
import { type Json, messagePayload } from "./payloads.js";
import type { SimMessage, SimState } from "./state.js";
import { DEFAULT_WAIT_MS, waitUntil } from "./wait.js";

export const InteractionType = { Command: 2, Component: 3, Autocomplete: 4 } as const;
export const CallbackType = {
  Reply: 4,
  DeferReply: 5,
  DeferUpdate: 6,
  Update: 7,
  Autocomplete: 8,
  Modal: 9,
} as const;

/** Discord forgets an interaction nobody answered within 3 s: the first callback then gets 10062. */
export const INITIAL_RESPONSE_MS = 3_000;
/** The interaction token (follow-ups, edits of the response) lives 15 minutes; then 50027. */
export const TOKEN_LIFETIME_MS = 15 * 60_000;

/** One visible answer to an interaction, as it looked when it was sent. */
export interface InteractionAnswer {
  kind: "reply" | "update" | "editReply" | "followUp";
  /** True for the original response (a reply, an update, or an edit of either / of a deferral). */
  original: boolean;
  messageId: string;
  channelId: string;
  ephemeral: boolean;
  content: string;
  embeds: unknown[];
  components: unknown[];
  flags: number;
  allowedMentions: unknown;
}

export interface SimInteraction {
  id: string;
  token: string;
  type: number;
  name: string | null;
  channelId: string;
  guildId: string | null;
  userId: string;
  /** When Discord sent it, on the simulator's clock. */
  createdAt: number;
  callbacks: number[];
  /** The response message (commands) or the message the component sits on (components). */
  originalMessageId: string | null;
  /** A deferred reply whose "thinking" message has not been replaced yet. */
  deferredPending: boolean;
  answers: InteractionAnswer[];
  autocompleteChoices: unknown[] | null;
  modal: unknown;
}

const callbackSchema = z.looseObject({ type: z.number(), data: z.unknown().optional() });
const flagsSchema = z.looseObject({ flags: z.number().optional().nullable() }).optional().nullable();
const choicesSchema = z.looseObject({ choices: z.array(z.unknown()) });

export class InteractionRegistry {
  private readonly byId = new Map<string, SimInteraction>();

  constructor(
    private readonly state: SimState,
    private readonly messages: MessageStore,
  ) {}

  add(i: SimInteraction): void {
    this.byId.set(i.id, i);
  }

  get(id: string): SimInteraction | undefined {
    return this.byId.get(id);
  }

  /** `POST /interactions/{id}/{token}/callback`. Returns a body only when `with_response=true`. */
  callback(
    id: string,
    token: string,
    json: unknown,
    files: UploadedFile[],
    withResponse: boolean,
  ): Json | undefined {
    const i = this.byId.get(id);
    if (!i || i.token !== token) throw ApiErrors.unknownInteraction();
    if (i.callbacks.length > 0) throw ApiErrors.alreadyAcknowledged();
    if (this.state.now() - i.createdAt > INITIAL_RESPONSE_MS) throw ApiErrors.unknownInteraction();
    const parsed = callbackSchema.safeParse(json);
    if (!parsed.success) throw ApiErrors.invalidForm("callback type");
    const { type, data } = parsed.data;
    const channel = this.state.channels.get(i.channelId);
    if (!channel) throw ApiErrors.unknownChannel();
    assertCallbackAllowed(i.type, type);
    // A refused body leaves the interaction unanswered, as on Discord: the bot may try again.
    const message =
      type === CallbackType.Reply || type === CallbackType.Update ? callbackMessage(data) : undefined;
    i.callbacks.push(type);
    let resource: SimMessage | undefined;
    switch (type) {
      case CallbackType.Reply: {
        const input = message ?? {};
        resource = this.messages.create({
          channel,
          authorId: this.state.botUserId,
          input,
          files,
          type: i.type === InteractionType.Command ? 20 : 0,
          webhookId: this.state.applicationId,
          interaction: { id: i.id, type: i.type, userId: i.userId, name: i.name },
          extraFlags: (input.flags ?? 0) & EPHEMERAL,
        });
        i.originalMessageId = resource.id;
        this.record(i, "reply", true, resource);
        break;
      }
      case CallbackType.DeferReply: {
        const flags = flagsSchema.parse(data)?.flags ?? 0;
        resource = this.messages.create({
          channel,
          authorId: this.state.botUserId,
          input: {},
          files: [],
          type: i.type === InteractionType.Command ? 20 : 0,
          webhookId: this.state.applicationId,
          interaction: { id: i.id, type: i.type, userId: i.userId, name: i.name },
          extraFlags: LOADING | (flags & EPHEMERAL),
        });
        i.originalMessageId = resource.id;
        i.deferredPending = true;
        break;
      }
      case CallbackType.DeferUpdate:
        break;
      case CallbackType.Update: {
        const target = this.originalMessage(i);
        resource = this.messages.edit(target, message ?? {}, files);
        this.record(i, "update", true, resource);
        break;
      }
      case CallbackType.Autocomplete:
        i.autocompleteChoices = choicesSchema.parse(data).choices;
        break;
      case CallbackType.Modal:
        i.modal = data ?? null;
        break;
      default:
        i.callbacks.pop();
        throw ApiErrors.invalidForm(`unknown interaction callback type ${type}`);
    }
    this.state.touch();
    if (!withResponse) return undefined;
    return {
      interaction: {
        id: i.id,
        type: i.type,
        activity_instance_id: null,
        response_message_id: resource?.id ?? null,
        response_message_loading: type === CallbackType.DeferReply,
        response_message_ephemeral: resource ? (resource.flags & EPHEMERAL) !== 0 : false,
      },
      resource: {
        type,
        ...(resource ? { message: messagePayload(this.state, resource) } : {}),
      },
    };
  }

  /** The interaction behind a webhook token, checking the application id as Discord does. */
  byWebhook(applicationId: string, token: string): SimInteraction {
    if (applicationId !== this.state.applicationId) throw ApiErrors.unknownWebhook();
    const i = [...this.byId.values()].find((x) => x.token === token);
    if (!i) throw ApiErrors.unknownWebhook();
    if (this.state.now() - i.createdAt > TOKEN_LIFETIME_MS) throw ApiErrors.invalidWebhookToken();
    return i;
  }

  originalMessage(i: SimInteraction): SimMessage {
    const m = i.originalMessageId ? this.state.messages.get(i.originalMessageId) : undefined;
    if (!m || m.deleted) throw ApiErrors.unknownMessage();
    return m;
  }

  /** A message this interaction's webhook may touch: its original or one of its follow-ups. */
  webhookMessage(i: SimInteraction, messageId: string): SimMessage {
    if (messageId === "@original") return this.originalMessage(i);
    const m = this.state.messages.get(messageId);
    const ours = m && (m.interaction?.id === i.id || m.id === i.originalMessageId);
    if (!m || m.deleted || !ours) throw ApiErrors.unknownMessage();
    return m;
  }

  editViaWebhook(i: SimInteraction, messageId: string, json: unknown, files: UploadedFile[]): SimMessage {
    if (i.callbacks.length === 0) throw ApiErrors.unknownMessage();
    const target = this.webhookMessage(i, messageId);
    const isOriginal = target.id === i.originalMessageId;
    const edited = this.messages.edit(target, parseMessageInput(json), files, isOriginal ? LOADING : 0);
    if (isOriginal) i.deferredPending = false;
    this.record(i, "editReply", isOriginal, edited);
    return edited;
  }

  followUp(i: SimInteraction, json: unknown, files: UploadedFile[]): SimMessage {
    if (i.callbacks.length === 0) throw ApiErrors.unknownWebhook();
    const input = parseMessageInput(json);
    // Discord turns the first follow-up after a deferred reply into that reply ("thinking" → answer).
    if (i.deferredPending) {
      const target = this.originalMessage(i);
      const edited = this.messages.edit(target, input, files, LOADING);
      i.deferredPending = false;
      this.record(i, "followUp", true, edited);
      return edited;
    }
    const channel = this.state.channels.get(i.channelId);
    if (!channel) throw ApiErrors.unknownChannel();
    const m = this.messages.create({
      channel,
      authorId: this.state.botUserId,
      input,
      files,
      type: 0,
      webhookId: this.state.applicationId,
      interaction: { id: i.id, type: i.type, userId: i.userId, name: i.name },
      extraFlags: (input.flags ?? 0) & EPHEMERAL,
    });
    this.record(i, "followUp", false, m);
    return m;
  }

  private record(i: SimInteraction, kind: InteractionAnswer["kind"], original: boolean, m: SimMessage): void {
    i.answers.push({
      kind,
      original,
      messageId: m.id,
      channelId: m.channelId,
      ephemeral: (m.flags & EPHEMERAL) !== 0,
      content: m.content,
      embeds: structuredClone(m.embeds),
      components: structuredClone(m.components),
      flags: m.flags,
      allowedMentions: m.allowedMentions,
    });
    this.state.touch();
  }
}

/** A callback's message, its refusals reported under `data` as Discord reports them. */
function callbackMessage(data: unknown): MessageInput {
  try {
    return parseMessageInput(data);
  } catch (err) {
    throw err instanceof DiscordApiError ? err.nestedUnder("data") : err;
  }
}

function assertCallbackAllowed(interactionType: number, callbackType: number): void {
  const allowed: Record<number, readonly number[]> = {
    [InteractionType.Command]: [CallbackType.Reply, CallbackType.DeferReply, CallbackType.Modal],
    [InteractionType.Component]: [
      CallbackType.Reply,
      CallbackType.DeferReply,
      CallbackType.DeferUpdate,
      CallbackType.Update,
      CallbackType.Modal,
    ],
    [InteractionType.Autocomplete]: [CallbackType.Autocomplete],
  };
  if (!(allowed[interactionType] ?? []).includes(callbackType)) {
    throw ApiErrors.invalidForm({
      type: { _errors: [{ code: "BASE_TYPE_CHOICES", message: `Value must be one of the allowed types.` }] },
    });
  }
}

/** What a test holds after triggering an interaction: waits on the bot's answers. */
export class InteractionHandle {
  constructor(
    private readonly state: SimState,
    private readonly record: SimInteraction,
  ) {}

  get id(): string {
    return this.record.id;
  }

  /** Every visible answer so far, oldest first. */
  get messages(): readonly InteractionAnswer[] {
    return [...this.record.answers];
  }

  /** Callback types the bot sent (4 reply, 5 defer, 6 deferUpdate, 7 update, 8 autocomplete, 9 modal). */
  get callbackTypes(): readonly number[] {
    return [...this.record.callbacks];
  }

  /** The first visible response: the reply, the update, or the edit that replaced a deferral. */
  response(timeoutMs = DEFAULT_WAIT_MS): Promise<InteractionAnswer> {
    return this.waitForAnswer((a) => a.original, timeoutMs, `the response to ${this.describe()}`);
  }

  /** The n-th (1-based) follow-up message that is not the original response. */
  waitForFollowUp(n = 1, timeoutMs = DEFAULT_WAIT_MS): Promise<InteractionAnswer> {
    return waitUntil(
      this.state,
      () => this.record.answers.filter((a) => a.kind === "followUp" && !a.original)[n - 1],
      `follow-up #${n} to ${this.describe()}`,
      timeoutMs,
    );
  }

  waitForAnswer(
    predicate: (a: InteractionAnswer) => boolean,
    timeoutMs = DEFAULT_WAIT_MS,
    what = `a matching answer to ${this.describe()}`,
  ): Promise<InteractionAnswer> {
    return waitUntil(this.state, () => this.record.answers.find(predicate), what, timeoutMs);
  }

  /** The first callback type the bot sent, whatever it was. */
  acknowledged(timeoutMs = DEFAULT_WAIT_MS): Promise<number> {
    return waitUntil(
      this.state,
      () => this.record.callbacks[0],
      `an acknowledgement of ${this.describe()}`,
      timeoutMs,
    );
  }

  autocompleteChoices(timeoutMs = DEFAULT_WAIT_MS): Promise<unknown[]> {
    return waitUntil(
      this.state,
      () => this.record.autocompleteChoices ?? undefined,
      `autocomplete choices for ${this.describe()}`,
      timeoutMs,
    );
  }

  modal(timeoutMs = DEFAULT_WAIT_MS): Promise<unknown> {
    return waitUntil(
      this.state,
      () => (this.record.modal === null ? undefined : this.record.modal),
      `a modal for ${this.describe()}`,
      timeoutMs,
    );
  }

  private describe(): string {
    const what = this.record.name ? `/${this.record.name}` : `interaction type ${this.record.type}`;
    return `${what} (${this.record.id})`;
  }
}
