import type { Json } from "./payloads.js";

/** Discord's application command option types that matter for translation. */
export const OptionType = {
  Subcommand: 1,
  SubcommandGroup: 2,
  String: 3,
  Integer: 4,
  Boolean: 5,
  User: 6,
  Channel: 7,
  Role: 8,
  Mentionable: 9,
  Number: 10,
  Attachment: 11,
} as const;

/** An option as it travels in an interaction (Discord's nested form). */
export interface WireOption {
  name: string;
  type: number;
  value?: string | number | boolean;
  options?: WireOption[];
  focused?: boolean;
}

export type FriendlyValue = string | number | boolean;

export interface FriendlyOptions {
  subcommandGroup?: string;
  subcommand?: string;
  options?: Record<string, FriendlyValue>;
  /** For autocomplete: which option the user is typing in. */
  focused?: string;
}

interface DefOption {
  name: string;
  type: number;
  options?: DefOption[];
}

function defOptions(def: unknown): DefOption[] {
  if (typeof def !== "object" || def === null || !("options" in def)) return [];
  const opts = (def as { options?: unknown }).options;
  if (!Array.isArray(opts)) return [];
  return opts.flatMap((o): DefOption[] => {
    if (typeof o !== "object" || o === null) return [];
    const { name, type, options } = o as { name?: unknown; type?: unknown; options?: unknown };
    if (typeof name !== "string" || typeof type !== "number") return [];
    return [{ name, type, ...(Array.isArray(options) ? { options: defOptions(o) } : {}) }];
  });
}

/**
 * Turns `{ subcommand: "channel", options: { channel: "123" } }` into Discord's nested options,
 * taking each option's type from the registered command definition.
 */
export function toWireOptions(
  commandDef: Json,
  friendly: FriendlyOptions,
  commandName: string,
): WireOption[] {
  let level = defOptions(commandDef);
  const path: string[] = [commandName];
  const wrap: ((inner: WireOption[]) => WireOption[])[] = [];
  if (friendly.subcommandGroup) {
    const group = level.find(
      (o) => o.name === friendly.subcommandGroup && o.type === OptionType.SubcommandGroup,
    );
    if (!group)
      throw new Error(`Discord sim: /${commandName} has no subcommand group "${friendly.subcommandGroup}"`);
    path.push(group.name);
    level = group.options ?? [];
    wrap.push((inner) => [{ name: group.name, type: OptionType.SubcommandGroup, options: inner }]);
  }
  if (friendly.subcommand) {
    const sub = level.find((o) => o.name === friendly.subcommand && o.type === OptionType.Subcommand);
    if (!sub) throw new Error(`Discord sim: /${path.join(" ")} has no subcommand "${friendly.subcommand}"`);
    path.push(sub.name);
    level = sub.options ?? [];
    wrap.push((inner) => [{ name: sub.name, type: OptionType.Subcommand, options: inner }]);
  }
  const leaves: WireOption[] = Object.entries(friendly.options ?? {}).map(([name, value]) => {
    const def = level.find((o) => o.name === name);
    if (!def) throw new Error(`Discord sim: /${path.join(" ")} has no option "${name}"`);
    return {
      name,
      type: def.type,
      value: coerce(def.type, value),
      ...(friendly.focused === name ? { focused: true } : {}),
    };
  });
  return wrap.reduceRight((inner, w) => w(inner), leaves);
}

function coerce(type: number, value: FriendlyValue): FriendlyValue {
  switch (type) {
    case OptionType.Integer:
    case OptionType.Number:
      return typeof value === "number" ? value : Number(value);
    case OptionType.Boolean:
      return typeof value === "boolean" ? value : value === "true";
    default:
      return String(value);
  }
}

/** Every leaf option, depth first. */
export function leafOptions(options: readonly WireOption[]): WireOption[] {
  return options.flatMap((o) => (o.options ? leafOptions(o.options) : [o]));
}
