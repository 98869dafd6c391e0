import { describe, expect, it } from "vitest";
import {
  CONTENT_LIMIT,
  checkTemplate,
  expandTemplate,
  longestExpansion,
  PLACEHOLDER_MAX,
  type TemplateValues,
  templateValues,
} from "../../src/bot/embeds/cardTemplate.js";
import { renderPartyCard } from "../../src/bot/embeds/partyCard.js";
import type { Party, PartyMember } from "../../src/domain/party.js";

const member = (onlineId: string, discordUserId: string | null = null): PartyMember => ({
  accountId: `acc-${onlineId}`,
  onlineId,
  platform: "PS5",
  discordUserId,
});

function party(over: Partial<Party> = {}): Party {
  const host = over.host ?? member("alice_ps", "d-alice");
  return {
    sessionId: "0123456789abcdef-session",
    name: null,
    host,
    members: [host, member("bob_ps")],
    maxMembers: 16,
    joinability: "open",
    game: { titleId: "PPSA01", name: "Helldivers 2", iconUrl: null, status: null },
    platform: "PS5",
    firstSeenAt: new Date("2026-03-01T20:00:00Z"),
    shareUrl: null,
    joinableFrom: null,
    startedAt: null,
    imageUrl: null,
    unseenReason: null,
    ...over,
  };
}

const values: TemplateValues = {
  host: "alice",
  game: "Helldivers 2",
  members: "alice, bob",
  slots: "2/16",
  party: "alice's party",
  role: "<@&42>",
};

describe("checkTemplate", () => {
  it.each([
    ["{role} {host} is playing {game} ({slots}): {members} in {party}", true],
    ["  Party time!  ", true],
    ["Braces that are not placeholders { stay } as text {", true],
  ])("accepts %j", (text, ok) => {
    expect(checkTemplate(text).ok).toBe(ok);
  });

  it("trims what it keeps", () => {
    expect(checkTemplate("  hello {host}  ")).toEqual({ ok: true, template: "hello {host}" });
  });

  it.each([
    ["", "The text is empty"],
    ["   ", "The text is empty"],
    ["{hots} started {party}", "Unknown placeholder `{hots}`."],
    ["{Host} and {gmae} and {gmae}", "Unknown placeholders `{Host}`, `{gmae}`."],
  ])("refuses %j, saying what is wrong", (text, problem) => {
    const checked = checkTemplate(text);
    expect(checked.ok).toBe(false);
    if (!checked.ok) expect(checked.problem).toContain(problem);
  });

  it("names the placeholders it knows when it refuses an unknown one", () => {
    const checked = checkTemplate("{nope}");
    expect(checked.ok ? "" : checked.problem).toContain(
      "`{host}`, `{game}`, `{members}`, `{slots}`, `{party}`, `{role}`",
    );
  });

  it("counts each placeholder at its longest: a text that could pass 2000 once filled is refused", () => {
    const filler = "x".repeat(CONTENT_LIMIT - PLACEHOLDER_MAX.members);
    expect(checkTemplate(`${filler}{members}`).ok).toBe(true);
    const over = checkTemplate(`${filler}x{members}`);
    expect(over.ok).toBe(false);
    if (!over.ok) expect(over.problem).toContain("could reach 2001 characters");
    expect(checkTemplate("y".repeat(CONTENT_LIMIT + 1)).ok).toBe(false);
  });

  it("counts in code points, as Discord does", () => {
    expect(longestExpansion("🎮".repeat(10))).toBe(10);
    expect(longestExpansion("{host}{host}")).toBe(2 * PLACEHOLDER_MAX.host);
  });
});

describe("expandTemplate", () => {
  it.each([
    ["{role} {host} is playing {game}", "<@&42> alice is playing Helldivers 2"],
    ["{party}: {members} ({slots})", "alice's party: alice, bob (2/16)"],
    ["{unknown} stays", "{unknown} stays"],
    ["{role}", "<@&42>"],
  ])("%j → %j", (template, expected) => {
    expect(expandTemplate(template, values)).toBe(expected);
  });

  it("fills in one pass: a name that looks like a placeholder is not expanded again", () => {
    expect(expandTemplate("{host} / {game}", { ...values, host: "{game}" })).toBe("{game} / Helldivers 2");
  });

  it("never goes past Discord's content limit", () => {
    const long = { ...values, members: "m".repeat(5000) };
    expect(expandTemplate("{members}", long)).toHaveLength(CONTENT_LIMIT);
  });
});

describe("templateValues", () => {
  it("escapes PSN names and games, and stays within each placeholder's room", () => {
    const many = Array.from({ length: 100 }, (_, i) => member(`player_${String(i).padStart(3, "0")}`));
    const v = templateValues(
      party({ host: member("*bold*"), members: [member("*bold*"), ...many], game: null, maxMembers: null }),
      "title",
      null,
    );
    expect(v.host).toBe("\\*bold\\*");
    expect(v.game).toBe("");
    expect(v.role).toBe("");
    expect(v.slots).toBe("101");
    expect(v.members.length).toBeLessThanOrEqual(PLACEHOLDER_MAX.members);
    expect(v.members).toMatch(/ and \d+ more$/);
  });
});

describe("a card's first post with a template", () => {
  const view = { announced: new Set<string>(), mentionRoleId: "42", firstPost: true };

  it("posts the filled template, and lets only the configured role ping", () => {
    const card = renderPartyCard(party(), {
      ...view,
      template: "@everyone <@123> {role} {host} plays {game}",
    });
    expect(card.content).toBe("@everyone <@123> <@&42> alice\\_ps plays Helldivers 2");
    expect(card.allowedMentions).toEqual({ parse: [], roles: ["42"], users: [] });
  });

  it("without a template, posts the role mention as before", () => {
    expect(renderPartyCard(party(), view).content).toBe("<@&42>");
  });

  it("an edit never carries the template, and the template does not change the card's hash", () => {
    const plain = renderPartyCard(party(), { ...view, firstPost: false });
    const templated = renderPartyCard(party(), { ...view, firstPost: false, template: "{host}" });
    expect(templated.content).toBeNull();
    expect(templated.hash).toBe(plain.hash);
  });

  it("a template that fills to nothing posts no content", () => {
    const card = renderPartyCard(party(), { ...view, mentionRoleId: null, template: "{role}" });
    expect(card.content).toBeNull();
  });
});
