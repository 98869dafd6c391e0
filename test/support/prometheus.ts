/**
 * A strict parser of the Prometheus text exposition format (version 0.0.4), enough to
 * check what /metrics serves the way a Prometheus server reads it: HELP and TYPE lines,
 * samples with escaped label values, histogram series grouped under their family. It
 * throws on anything a scraper would reject: a malformed line, a sample of a family
 * with no TYPE, a repeated series, a value that is not a number.
 */

export interface Sample {
  name: string;
  labels: Readonly<Record<string, string>>;
  value: number;
}

export interface Family {
  name: string;
  type: "counter" | "gauge" | "histogram" | "summary" | "untyped";
  help: string;
  samples: Sample[];
}

export type Exposition = ReadonlyMap<string, Family>;

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set(["counter", "gauge", "histogram", "summary", "untyped"]);

export function parsePrometheusText(text: string): Exposition {
  const families = new Map<string, Family>();
  const seen = new Set<string>();
  const lines = text.split("\n");
  for (const [i, line] of lines.entries()) {
    const where = `line ${i + 1}: ${JSON.stringify(line)}`;
    if (line.trim() === "") continue;
    if (line.startsWith("#")) {
      const meta = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
      if (!meta) continue; // a plain comment
      const [, kind, name = "", rest = ""] = meta;
      if (!NAME.test(name)) throw new Error(`bad metric name, ${where}`);
      const family = families.get(name) ?? { name, type: "untyped" as const, help: "", samples: [] };
      if (kind === "HELP") family.help = unescapeText(rest, false);
      else {
        if (!TYPES.has(rest)) throw new Error(`bad type, ${where}`);
        if (family.samples.length > 0) throw new Error(`TYPE after samples, ${where}`);
        family.type = rest as Family["type"];
      }
      families.set(name, family);
      continue;
    }
    const sample = parseSample(line, where);
    const family = familyOf(families, sample.name);
    if (!family) throw new Error(`sample of a family without TYPE, ${where}`);
    const key = `${sample.name}${JSON.stringify(Object.entries(sample.labels).sort())}`;
    if (seen.has(key)) throw new Error(`repeated series, ${where}`);
    seen.add(key);
    family.samples.push(sample);
  }
  return families;
}

function familyOf(families: Map<string, Family>, sampleName: string): Family | undefined {
  const exact = families.get(sampleName);
  if (exact) return exact;
  const suffix = /^(.*)_(bucket|sum|count)$/.exec(sampleName);
  const base = suffix ? families.get(suffix[1] ?? "") : undefined;
  return base && (base.type === "histogram" || base.type === "summary") ? base : undefined;
}

function parseSample(line: string, where: string): Sample {
  const head = /^([a-zA-Z_:][a-zA-Z0-9_:]*)/.exec(line);
  if (!head) throw new Error(`bad sample, ${where}`);
  const name = head[1] ?? "";
  let pos = name.length;
  const labels: Record<string, string> = {};
  if (line[pos] === "{") {
    pos++;
    for (;;) {
      if (line[pos] === "}") {
        pos++;
        break;
      }
      const label = /^([a-zA-Z_][a-zA-Z0-9_]*)="/.exec(line.slice(pos));
      if (!label || !LABEL_NAME.test(label[1] ?? "")) throw new Error(`bad label, ${where}`);
      pos += label[0].length;
      let raw = "";
      for (;;) {
        const c = line[pos];
        if (c === undefined) throw new Error(`unterminated label value, ${where}`);
        if (c === "\\") {
          raw += c + (line[pos + 1] ?? "");
          pos += 2;
          continue;
        }
        pos++;
        if (c === '"') break;
        raw += c;
      }
      const labelName = label[1] as string;
      if (labelName in labels) throw new Error(`repeated label, ${where}`);
      labels[labelName] = unescapeText(raw, true);
      if (line[pos] === ",") pos++;
      else if (line[pos] !== "}") throw new Error(`bad label list, ${where}`);
    }
  }
  const rest = line.slice(pos);
  const value = /^ (\S+)(?: (-?\d+))?$/.exec(rest);
  if (!value) throw new Error(`bad value, ${where}`);
  return { name, labels, value: parseValue(value[1] ?? "", where) };
}

/** As Go's ParseFloat, which Prometheus uses: NaN and Inf in any case (prom-client writes "Nan"). */
function parseValue(text: string, where: string): number {
  const word = text.toLowerCase();
  if (word === "+inf" || word === "inf" || word === "+infinity" || word === "infinity")
    return Number.POSITIVE_INFINITY;
  if (word === "-inf" || word === "-infinity") return Number.NEGATIVE_INFINITY;
  if (word === "nan") return Number.NaN;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) throw new Error(`bad number, ${where}`);
  return Number(text);
}

/** Label values escape \\, \" and \n; HELP text only \\ and \n. */
function unescapeText(raw: string, quotes: boolean): string {
  return raw.replace(/\\(.)/g, (all, c: string) => {
    if (c === "\\") return "\\";
    if (c === "n") return "\n";
    if (c === '"' && quotes) return '"';
    return all;
  });
}

/**
 * The sum of the samples named `sampleName` whose labels include `labels`: a series'
 * value, or the total over the labels left out. 0 when there is none (a labelled
 * counter has no series until it first moves).
 */
export function seriesValue(
  exposition: Exposition,
  sampleName: string,
  labels: Readonly<Record<string, string>> = {},
): number {
  let total = 0;
  for (const family of exposition.values())
    for (const s of family.samples)
      if (s.name === sampleName && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
        total += s.value;
  return total;
}

/** Fetches and parses a /metrics endpoint. */
export async function scrape(url: string): Promise<Exposition> {
  const res = await fetch(url);
  if (res.status !== 200) throw new Error(`GET ${url}: HTTP ${res.status}`);
  const type = res.headers.get("content-type") ?? "";
  if (!type.startsWith("text/plain") || !type.includes("version=0.0.4"))
    throw new Error(`GET ${url}: not the Prometheus text format (${type})`);
  return parsePrometheusText(await res.text());
}
