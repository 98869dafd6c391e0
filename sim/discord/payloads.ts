import type { SimChannel, SimGuild, SimMember, SimMessage, SimRole, SimState, SimUser } from "./state.js";

/** Wire shapes, written field by field after Discord's API v10 objects so discord.js finds what it reads. */

export type Json = Record<string, unknown>;

export function userPayload(u: SimUser): Json {
  return {
    id: u.id,
    username: u.username,
    discriminator: "0",
    global_name: u.bot ? null : u.username,
    avatar: null,
    bot: u.bot,
    system: false,
    public_flags: 0,
    flags: 0,
    banner: null,
    accent_color: null,
    avatar_decoration_data: null,
  };
}

export function rolePayload(r: SimRole): Json {
  return {
    id: r.id,
    name: r.name,
    color: 0,
    colors: { primary_color: 0, secondary_color: null, tertiary_color: null },
    hoist: false,
    icon: null,
    unicode_emoji: null,
    position: r.position,
    permissions: r.permissions.toString(),
    managed: r.managed,
    mentionable: false,
    flags: 0,
    ...(r.botId ? { tags: { bot_id: r.botId } } : {}),
  };
}

export function memberPayload(state: SimState, m: SimMember, withUser = true): Json {
  const user = state.user(m.userId);
  return {
    ...(withUser && user ? { user: userPayload(user) } : {}),
    nick: m.nick,
    avatar: null,
    banner: null,
    roles: [...m.roleIds],
    joined_at: m.joinedAt,
    premium_since: null,
    deaf: false,
    mute: false,
    flags: 0,
    pending: false,
    communication_disabled_until: null,
  };
}

export function channelPayload(state: SimState, c: SimChannel): Json {
  if (c.type === 1) {
    const recipient = c.recipientId ? state.user(c.recipientId) : undefined;
    return {
      id: c.id,
      type: 1,
      last_message_id: c.lastMessageId,
      flags: 0,
      recipients: recipient ? [userPayload(recipient)] : [],
    };
  }
  return {
    id: c.id,
    type: 0,
    guild_id: c.guildId,
    name: c.name,
    position: c.position,
    permission_overwrites: c.overwrites.map((o) => ({
      id: o.id,
      type: o.type,
      allow: o.allow.toString(),
      deny: o.deny.toString(),
    })),
    parent_id: null,
    topic: null,
    nsfw: false,
    last_message_id: c.lastMessageId,
    rate_limit_per_user: 0,
    flags: 0,
  };
}

export function guildPayload(state: SimState, g: SimGuild): Json {
  return {
    id: g.id,
    name: g.name,
    icon: null,
    icon_hash: null,
    splash: null,
    discovery_splash: null,
    owner_id: g.ownerId,
    afk_channel_id: null,
    afk_timeout: 300,
    widget_enabled: false,
    widget_channel_id: null,
    verification_level: 0,
    default_message_notifications: 0,
    explicit_content_filter: 0,
    roles: g.roleIds.flatMap((id) => {
      const r = state.roles.get(id);
      return r ? [rolePayload(r)] : [];
    }),
    emojis: [],
    stickers: [],
    features: [],
    mfa_level: 0,
    application_id: null,
    system_channel_id: g.channelIds[0] ?? null,
    system_channel_flags: 0,
    rules_channel_id: null,
    max_presences: null,
    max_members: 500000,
    vanity_url_code: null,
    description: null,
    banner: null,
    premium_tier: 0,
    premium_subscription_count: 0,
    preferred_locale: "en-US",
    public_updates_channel_id: null,
    max_video_channel_users: 25,
    max_stage_video_channel_users: 50,
    nsfw_level: 0,
    premium_progress_bar_enabled: false,
    safety_alerts_channel_id: null,
    incidents_data: null,
  };
}

/** GUILD_CREATE carries the guild plus everything a client caches about it. */
/**
 * A guild as GUILD_CREATE sends it. Past `largeThreshold` members (IDENTIFY's
 * `large_threshold`, 50 by default) the guild is "large" and, as on Discord, its member
 * list holds only the bot: the others are known only from later events or requests.
 */
export function guildCreatePayload(state: SimState, g: SimGuild, largeThreshold = 50): Json {
  const large = g.members.size > largeThreshold;
  const members = [...g.members.values()].filter((m) => !large || m.userId === state.botUserId);
  return {
    ...guildPayload(state, g),
    joined_at: g.members.get(state.botUserId)?.joinedAt ?? g.createdAt,
    large,
    unavailable: false,
    member_count: g.members.size,
    voice_states: [],
    members: members.map((m) => memberPayload(state, m)),
    channels: g.channelIds.flatMap((id) => {
      const c = state.channels.get(id);
      if (!c) return [];
      const { guild_id: _omit, ...rest } = channelPayload(state, c);
      return [rest];
    }),
    threads: [],
    presences: [],
    stage_instances: [],
    guild_scheduled_events: [],
    soundboard_sounds: [],
  };
}

export function messagePayload(state: SimState, m: SimMessage): Json {
  const author = state.user(m.authorId);
  const mentionIds = [...m.content.matchAll(/<@!?(\d{17,20})>/g)].map((x) => x[1] ?? "");
  const mentions = mentionIds.flatMap((id) => {
    const u = state.user(id);
    return u ? [userPayload(u)] : [];
  });
  return {
    id: m.id,
    channel_id: m.channelId,
    ...(m.guildId ? { guild_id: m.guildId } : {}),
    author: author ? userPayload(author) : { id: m.authorId, username: "unknown", discriminator: "0" },
    content: m.content,
    timestamp: m.timestamp,
    edited_timestamp: m.editedTimestamp,
    tts: false,
    mention_everyone: false,
    mentions,
    mention_roles: [],
    attachments: m.attachments.map((a) => ({
      id: a.id,
      filename: a.filename,
      size: a.size,
      url: `https://cdn.discordapp.com/attachments/${m.channelId}/${a.id}/${a.filename}`,
      proxy_url: `https://media.discordapp.net/attachments/${m.channelId}/${a.id}/${a.filename}`,
    })),
    embeds: m.embeds,
    components: m.components,
    pinned: false,
    type: m.type,
    flags: m.flags,
    ...(m.nonce !== null ? { nonce: m.nonce } : {}),
    ...(m.webhookId ? { webhook_id: m.webhookId, application_id: m.webhookId } : {}),
    ...(m.interaction ? { interaction_metadata: interactionMetadata(state, m.interaction) } : {}),
  };
}

function interactionMetadata(state: SimState, i: NonNullable<SimMessage["interaction"]>): Json {
  const user = state.user(i.userId);
  return {
    id: i.id,
    type: i.type,
    ...(i.name ? { name: i.name } : {}),
    user: user ? userPayload(user) : { id: i.userId, username: "unknown", discriminator: "0" },
    authorizing_integration_owners: {},
  };
}
