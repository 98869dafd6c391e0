import { PermissionFlagsBits } from "discord.js";

export const Perm = PermissionFlagsBits;

export const ALL_PERMISSIONS: bigint = Object.values(PermissionFlagsBits).reduce((acc, bit) => acc | bit, 0n);

/** What a fresh server's @everyone may do (roughly Discord's default set). */
export const DEFAULT_EVERYONE_PERMISSIONS: bigint =
  Perm.ViewChannel |
  Perm.SendMessages |
  Perm.SendMessagesInThreads |
  Perm.CreatePublicThreads |
  Perm.CreatePrivateThreads |
  Perm.EmbedLinks |
  Perm.AttachFiles |
  Perm.AddReactions |
  Perm.UseExternalEmojis |
  Perm.UseExternalStickers |
  Perm.ReadMessageHistory |
  Perm.UseApplicationCommands |
  Perm.CreateInstantInvite |
  Perm.ChangeNickname |
  Perm.Connect |
  Perm.Speak |
  Perm.Stream |
  Perm.UseVAD;

/** What the bot's managed role gets when a test does not say otherwise. */
export const DEFAULT_BOT_PERMISSIONS: bigint =
  Perm.ViewChannel | Perm.SendMessages | Perm.EmbedLinks | Perm.ReadMessageHistory | Perm.AttachFiles;

export interface OverwriteInput {
  id: string;
  /** 0 role, 1 member (Discord's wire values). */
  type: 0 | 1;
  allow: bigint;
  deny: bigint;
}

export interface PermissionSubject {
  guildId: string;
  ownerId: string;
  userId: string;
  /** Role ids of the member, not including @everyone. */
  roleIds: readonly string[];
  /** Permissions by role id; @everyone's id is the guild id. */
  rolePermissions: ReadonlyMap<string, bigint>;
}

/** Guild-level permissions, as Discord's "compute_base_permissions". */
export function basePermissions(s: PermissionSubject): bigint {
  if (s.userId === s.ownerId) return ALL_PERMISSIONS;
  let perms = s.rolePermissions.get(s.guildId) ?? 0n;
  for (const roleId of s.roleIds) perms |= s.rolePermissions.get(roleId) ?? 0n;
  if ((perms & Perm.Administrator) === Perm.Administrator) return ALL_PERMISSIONS;
  return perms;
}

/** Channel permissions, as Discord's "compute_overwrites": @everyone, then roles together, then the member. */
export function channelPermissions(s: PermissionSubject, overwrites: readonly OverwriteInput[]): bigint {
  const base = basePermissions(s);
  if ((base & Perm.Administrator) === Perm.Administrator) return ALL_PERMISSIONS;
  let perms = base;
  const everyone = overwrites.find((o) => o.type === 0 && o.id === s.guildId);
  if (everyone) perms = (perms & ~everyone.deny) | everyone.allow;
  let allow = 0n;
  let deny = 0n;
  for (const o of overwrites) {
    if (o.type === 0 && s.roleIds.includes(o.id)) {
      allow |= o.allow;
      deny |= o.deny;
    }
  }
  perms = (perms & ~deny) | allow;
  const member = overwrites.find((o) => o.type === 1 && o.id === s.userId);
  if (member) perms = (perms & ~member.deny) | member.allow;
  // Without View Channel nothing else in the channel is usable.
  if ((perms & Perm.ViewChannel) === 0n) return 0n;
  return perms;
}

export function has(perms: bigint, flag: bigint): boolean {
  return (perms & flag) === flag;
}
