/**
 * Discord's size limits on a message body, checked as Discord checks them and refused
 * with Discord's nested 50035 error tree, so a bot that forgets a limit fails a test
 * instead of failing in a real server. Lengths count code points, as Discord does
 * (its API measures Python strings): an emoji made of a surrogate pair is one.
 * https://discord.com/developers/docs/resources/message#embed-object-embed-limits
 */

/** One refusal of one field, as Discord lists it under `_errors`. */
export interface FieldError {
  code: string;
  message: string;
}

/** Discord's error tree: keys are field names or array indexes, leaves hold `_errors`. */
export interface FormErrors {
  _errors?: FieldError[];
  [key: string]: FormErrors | FieldError[] | undefined;
}

export const LIMITS = {
  content: 2000,
  embeds: 10,
  title: 256,
  description: 4096,
  fields: 25,
  fieldName: 256,
  fieldValue: 1024,
  footer: 2048,
  author: 256,
  embedTotal: 6000,
  actionRows: 5,
  rowComponents: 5,
  customId: 100,
  label: 80,
} as const;

export function codePoints(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

const maxLength = (max: number): FieldError => ({
  code: "BASE_TYPE_MAX_LENGTH",
  message: `Must be ${max} or fewer in length.`,
});
const required = (): FieldError => ({ code: "BASE_TYPE_REQUIRED", message: "This field is required" });

/** Collects errors at paths; an empty tree means the body is accepted. */
class ErrorTree {
  readonly root: FormErrors = {};

  add(path: readonly (string | number)[], error: FieldError): void {
    let node = this.root;
    for (const key of path) {
      const k = String(key);
      node[k] ??= {};
      node = node[k] as FormErrors;
    }
    node._errors ??= [];
    node._errors.push(error);
  }

  get empty(): boolean {
    return Object.keys(this.root).length === 0;
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null;
const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

function checkLength(tree: ErrorTree, path: (string | number)[], value: unknown, max: number): number {
  const text = str(value);
  if (text === undefined) return 0;
  const n = codePoints(text);
  if (n > max) tree.add(path, maxLength(max));
  return n;
}

function checkEmbeds(tree: ErrorTree, embeds: unknown[]): void {
  if (embeds.length > LIMITS.embeds) {
    tree.add(["embeds"], maxLength(LIMITS.embeds));
    return;
  }
  let total = 0;
  embeds.forEach((embed, i) => {
    if (!isRecord(embed)) return;
    const at = (...rest: (string | number)[]) => ["embeds", i, ...rest];
    total += checkLength(tree, at("title"), embed.title, LIMITS.title);
    total += checkLength(tree, at("description"), embed.description, LIMITS.description);
    if (isRecord(embed.footer))
      total += checkLength(tree, at("footer", "text"), embed.footer.text, LIMITS.footer);
    if (isRecord(embed.author))
      total += checkLength(tree, at("author", "name"), embed.author.name, LIMITS.author);
    if (Array.isArray(embed.fields)) {
      if (embed.fields.length > LIMITS.fields) tree.add(at("fields"), maxLength(LIMITS.fields));
      embed.fields.forEach((field, j) => {
        if (!isRecord(field)) return;
        if (str(field.name) === undefined) tree.add(at("fields", j, "name"), required());
        if (str(field.value) === undefined) tree.add(at("fields", j, "value"), required());
        total += checkLength(tree, at("fields", j, "name"), field.name, LIMITS.fieldName);
        total += checkLength(tree, at("fields", j, "value"), field.value, LIMITS.fieldValue);
      });
    }
  });
  if (total > LIMITS.embedTotal) {
    tree.add(["embeds"], {
      code: "MAX_EMBED_SIZE_EXCEEDED",
      message: `Embed size exceeds maximum size of ${LIMITS.embedTotal}`,
    });
  }
}

function checkComponents(tree: ErrorTree, rows: unknown[]): void {
  if (rows.length > LIMITS.actionRows) tree.add(["components"], maxLength(LIMITS.actionRows));
  rows.forEach((row, i) => {
    if (!isRecord(row) || !Array.isArray(row.components)) return;
    if (row.components.length > LIMITS.rowComponents) {
      tree.add(["components", i, "components"], maxLength(LIMITS.rowComponents));
    }
    row.components.forEach((c, j) => {
      if (!isRecord(c)) return;
      const at = (key: string) => ["components", i, "components", j, key];
      checkLength(tree, at("custom_id"), c.custom_id, LIMITS.customId);
      checkLength(tree, at("label"), c.label, LIMITS.label);
    });
  });
}

/**
 * The refusals Discord would give for this message body (a create, or the fields present
 * in an edit), or null when it fits. Not a schema: unknown fields are left to Discord.
 */
export function messageLimitErrors(body: unknown): FormErrors | null {
  if (!isRecord(body)) return null;
  const tree = new ErrorTree();
  checkLength(tree, ["content"], body.content, LIMITS.content);
  if (Array.isArray(body.embeds)) checkEmbeds(tree, body.embeds);
  if (Array.isArray(body.components)) checkComponents(tree, body.components);
  return tree.empty ? null : tree.root;
}
