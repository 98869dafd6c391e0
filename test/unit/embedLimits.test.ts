import type { APIEmbed } from "discord.js";
import { describe, expect, it } from "vitest";
import {
  codePointLength,
  EMBED_LIMITS,
  embedLength,
  escapePsnText,
  fitEmbed,
  fitEmbeds,
  fitPsnText,
  psnName,
  truncate,
} from "../../src/bot/embeds/limits.js";

const x = (n: number, ch = "x") => ch.repeat(n);

/** Every limit Discord checks on these embeds, as the Discord simulator checks them. */
function withinLimits(embeds: APIEmbed[]): boolean {
  const total = embeds.reduce((n, e) => n + embedLength(e), 0);
  return (
    total <= EMBED_LIMITS.total &&
    embeds.every(
      (e) =>
        codePointLength(e.title ?? "") <= EMBED_LIMITS.title &&
        codePointLength(e.description ?? "") <= EMBED_LIMITS.description &&
        codePointLength(e.footer?.text ?? "") <= EMBED_LIMITS.footer &&
        codePointLength(e.author?.name ?? "") <= EMBED_LIMITS.author &&
        (e.fields ?? []).length <= EMBED_LIMITS.fields &&
        (e.fields ?? []).every(
          (f) =>
            codePointLength(f.name) <= EMBED_LIMITS.fieldName &&
            codePointLength(f.value) <= EMBED_LIMITS.fieldValue,
        ),
    )
  );
}

/** True when the text holds half of a surrogate pair. */
const hasLoneSurrogate = (text: string) =>
  /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text);

describe("truncate", () => {
  it.each([
    ["short text as is", "abc", 5, "abc"],
    ["exactly the limit as is", "abcde", 5, "abcde"],
    ["cut with an ellipsis that counts", "abcdef", 5, "abcd…"],
    ["by code points: emoji count one each", x(6, "🎮"), 5, `${x(4, "🎮")}…`],
    ["never half an emoji", `a${x(5, "🎮")}`, 3, "a🎮…"],
    ["zero room, nothing", "abc", 0, ""],
  ])("%s", (_what, text, max, expected) => {
    expect(truncate(text, max)).toBe(expected);
    expect(codePointLength(truncate(text, max))).toBeLessThanOrEqual(max);
    expect(hasLoneSurrogate(truncate(text, max))).toBe(false);
  });
});

describe("escapePsnText: PSN's strings made inert", () => {
  it.each([
    [
      "Markdown",
      "**bold** _it_ ~~s~~ ||spoiler|| `code`",
      "\\*\\*bold\\*\\* \\_it\\_ \\~\\~s\\~\\~ \\|\\|spoiler\\|\\| \\`code\\`",
    ],
    ["a heading at the start of a line", "# Big", "\\# Big"],
    ["a masked link", "[click](https://evil.example)", "\\[click](https://evil.example)"],
    ["@everyone and @here", "hi @everyone and @here", "hi \\@everyone and \\@here"],
    ["a role mention", "<@&123456789012345678>", "\\<@&123456789012345678>"],
    ["a user mention", "<@123456789012345678>", "\\<@123456789012345678>"],
    ["a channel mention", "<#123456789012345678>", "\\<#123456789012345678>"],
    ["zero-width characters that spoof a name", "al\u200Bi\u200Dce\uFEFF", "alice"],
    ["bidirectional overrides", "\u202Eecila", "ecila"],
    ["a plain name unchanged", "alice-ps", "alice-ps"],
    ["a bulleted list at the start of a line", "- item", "\\- item"],
    ["a numbered list at the start of a line", "1. item", "1\\. item"],
  ])("%s", (_what, raw, expected) => {
    expect(escapePsnText(raw)).toBe(expected);
  });

  it("an @everyone hidden by a zero-width space is still escaped", () => {
    expect(escapePsnText("@\u200Beveryone")).toBe("\\@everyone");
  });
});

describe("fitPsnText", () => {
  it.each([
    ["fits: escaped, not cut", "a_b", 10, "a\\_b"],
    ["a long name cut with an ellipsis", x(1000), 64, `${x(63)}…`],
    ["a cut never leaves half an escape", x(100, "\\"), 9, `${x(8, "\\")}…`],
    ["emoji names cut on whole emoji", x(100, "🎮"), 5, `${x(4, "🎮")}…`],
    ["exactly the room: not cut", "abcde", 5, "abcde"],
    ["escaped to exactly the room: not cut", "a_b", 4, "a\\_b"],
    ["invisible characters dropped before counting", "a\u200Bb", 2, "ab"],
  ])("%s", (_what, raw, max, expected) => {
    const out = fitPsnText(raw, max);
    expect(out).toBe(expected);
    expect(codePointLength(out)).toBeLessThanOrEqual(max);
    expect(hasLoneSurrogate(out)).toBe(false);
  });

  it("with no room at all, gives only the ellipsis (and does not loop)", () => {
    expect(fitPsnText("abc", 0)).toBe("…");
  });

  it("psnName keeps a 1000-character online ID to 64", () => {
    expect(codePointLength(psnName(x(1000, "_")))).toBeLessThanOrEqual(64);
  });
});

describe("fitEmbed / fitEmbeds", () => {
  const field = (n: number) => ({ name: x(300, "n"), value: x(1100, String(n % 10)) });
  it.each<[string, APIEmbed]>([
    ["a title of 1000", { title: x(1000) }],
    ["a description of 5000", { description: x(5000) }],
    ["30 fields, each too long", { fields: Array.from({ length: 30 }, (_, i) => field(i)) }],
    ["a footer and author too long", { footer: { text: x(3000) }, author: { name: x(300) } }],
    [
      "everything at its own limit, far past the 6000 total",
      {
        title: x(256),
        description: x(4096),
        fields: Array.from({ length: 25 }, (_, i) => field(i)),
        footer: { text: x(2048) },
        author: { name: x(256) },
      },
    ],
    ["emoji everywhere", { title: x(400, "🎮"), description: x(5000, "🎮") }],
  ])("%s ends within every limit", (_what, embed) => {
    const fitted = fitEmbed(embed);
    expect(withinLimits([fitted])).toBe(true);
    expect(hasLoneSurrogate(JSON.stringify(fitted))).toBe(false);
  });

  it("past the total, the description shrinks before fields go", () => {
    const fitted = fitEmbed({
      title: "t",
      description: x(4096),
      fields: [
        { name: "a", value: x(1024) },
        { name: "b", value: x(1000) },
      ],
    });
    expect(embedLength(fitted)).toBe(EMBED_LIMITS.total);
    expect(fitted.fields).toHaveLength(2);
    expect(fitted.description?.endsWith("…")).toBe(true);
  });

  it("counts title, description, footer, author and fields towards the total", () => {
    expect(embedLength({})).toBe(0);
    expect(
      embedLength({
        title: "ab",
        description: "cde",
        footer: { text: "f" },
        author: { name: "gh" },
        fields: [{ name: "i", value: "jk" }],
      }),
    ).toBe(11);
  });

  it("cuts a long author name but keeps the author's link", () => {
    const fitted = fitEmbed({ author: { name: x(300), url: "https://example.com/a" } });
    expect(fitted.author).toEqual({ name: `${x(255)}…`, url: "https://example.com/a" });
  });

  it("keeps the first 25 of 30 short fields, in order", () => {
    const fields = Array.from({ length: 30 }, (_, i) => ({ name: `n${i}`, value: `v${i}` }));
    expect(fitEmbed({ fields }).fields).toEqual(fields.slice(0, 25));
  });

  it("with no description to shrink, fields go from the end, one at a time, until it fits", () => {
    const fields = ["a", "b", "c"].map((name) => ({ name, value: x(100) }));
    // 256 + 3 × 101 = 559 characters where the other embeds leave 500: one field goes.
    const fitted = fitEmbed({ title: x(256), fields }, EMBED_LIMITS.total - 500);
    expect(fitted.title).toBe(x(256));
    expect(fitted.fields).toEqual(fields.slice(0, 2));
  });

  it("when even without fields it is too long, the title is cut to exactly the room left", () => {
    const fitted = fitEmbed(
      { title: x(256), fields: [{ name: "a", value: x(100) }] },
      EMBED_LIMITS.total - 200,
    );
    expect(fitted.fields).toEqual([]);
    expect(fitted.title).toBe(`${x(199)}…`);
  });

  it("a message keeps at most 10 embeds", () => {
    const embeds = Array.from({ length: 11 }, (_, i) => ({ title: `e${i}` }));
    expect(fitEmbeds(embeds)).toEqual(embeds.slice(0, 10));
  });

  it("a small embed is left exactly as it was", () => {
    const embed: APIEmbed = {
      title: "Party",
      description: "d",
      fields: [{ name: "n", value: "v" }],
      color: 1,
    };
    expect(fitEmbed(embed)).toEqual(embed);
  });

  it("several embeds share the 6000 total; one left without room is dropped", () => {
    const embeds = Array.from({ length: 3 }, () => ({ title: x(256), description: x(4096) }));
    const fitted = fitEmbeds(embeds);
    expect(withinLimits(fitted)).toBe(true);
    expect(fitted).toHaveLength(2);
  });
});
