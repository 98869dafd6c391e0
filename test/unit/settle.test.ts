import { PermissionFlagsBits } from "discord.js";
import { describe, expect, it } from "vitest";
import { isLiveCardOf, liveCardSessionOf } from "../../src/jobs/cards/recognise.js";
import {
  type MessageState,
  NONCE_TRUSTED_MS,
  type SeenMessage,
  type SettleInput,
  type Settlement,
  settleMessage,
  settleNeed,
} from "../../src/jobs/messages/settle.js";

const BOT = "900000000000000001";
const SESSION = "party-session-1";
const now = new Date("2026-03-01T12:00:00Z");
const ago = (ms: number) => new Date(now.getTime() - ms);

describe("settleNeed", () => {
  it.each<[string, MessageState, number, "show" | "end", "resend" | "look"]>([
    ["a fresh posting row is sent again on its nonce", "posting", 0, "show", "resend"],
    ["just inside the trusted time", "posting", NONCE_TRUSTED_MS - 1, "show", "resend"],
    ["at the trusted time, the nonce may be forgotten", "posting", NONCE_TRUSTED_MS, "show", "look"],
    ["hours later (the bot was down)", "posting", 6 * 3_600_000, "show", "look"],
    ["an ended card never posted, coming back", "ended", 0, "show", "look"],
    ["ending a fresh posting row: never post to end", "posting", 0, "end", "look"],
    ["ending an old posting row", "posting", 10 * 60_000, "end", "look"],
  ])("%s", (_what, state, age, purpose, need) => {
    expect(settleNeed({ state, updatedAt: ago(age) }, purpose, now)).toBe(need);
  });
});

const button = (customId: string, disabled = false) => ({ customId, disabled });
const card = (id: string, session = SESSION, extra: Partial<SeenMessage> = {}): SeenMessage => ({
  id,
  authorId: BOT,
  buttons: [button(`invite:${session}`)],
  ...extra,
});

describe("liveCardSessionOf", () => {
  it.each<[string, SeenMessage, string | null]>([
    ["the bot's card", card("1"), SESSION],
    ["someone else's message with the same button", card("1", SESSION, { authorId: "42" }), null],
    ["the bot's message without buttons", card("1", SESSION, { buttons: [] }), null],
    ["another button family", card("1", SESSION, { buttons: [button("relink:abc")] }), null],
    [
      "an ended card (buttons disabled)",
      card("1", SESSION, { buttons: [button(`invite:${SESSION}`, true)] }),
      null,
    ],
    ["an empty session", card("1", SESSION, { buttons: [button("invite:")] }), null],
    ["a session id with a colon in it", card("1", "a:b"), "a:b"],
  ])("%s", (_what, message, session) => {
    expect(liveCardSessionOf(message, BOT)).toBe(session);
  });
});

describe("settle", () => {
  const allowed = PermissionFlagsBits.ViewChannel | PermissionFlagsBits.ReadMessageHistory;
  const base: SettleInput = {
    isOurs: isLiveCardOf(SESSION),
    botUserId: BOT,
    permissions: allowed,
    messages: [],
    tracked: new Set(),
  };
  it.each<[string, Partial<SettleInput>, Settlement]>([
    ["nothing in the channel: post (or end without Discord)", {}, { kind: "none" }],
    [
      "our card is there: adopt it",
      { messages: [card("20")] },
      { kind: "adopt", messageId: "20", duplicates: [] },
    ],
    [
      "several copies: adopt the oldest (the first post), delete the others",
      { messages: [card("300"), card("20"), card("1000")] },
      { kind: "adopt", messageId: "20", duplicates: ["300", "1000"] },
    ],
    [
      "snowflakes compare as numbers, not strings",
      { messages: [card("9"), card("10")] },
      { kind: "adopt", messageId: "9", duplicates: ["10"] },
    ],
    [
      "another party's card is not ours to adopt",
      { messages: [card("20", "other-session")] },
      { kind: "none" },
    ],
    [
      "a copy posted by someone else (same custom_id) is ignored",
      { messages: [card("20", SESSION, { authorId: "42" })] },
      { kind: "none" },
    ],
    [
      "a message another card row already shows is left alone",
      { messages: [card("20"), card("30")], tracked: new Set(["20"]) },
      { kind: "adopt", messageId: "30", duplicates: [] },
    ],
    [
      "only tracked ones: nothing to adopt",
      { messages: [card("20")], tracked: new Set(["20"]) },
      { kind: "none" },
    ],
    [
      "an ended card of the party (history) is not adopted",
      { messages: [card("20", SESSION, { buttons: [button(`invite:${SESSION}`, true)] })] },
      { kind: "none" },
    ],
    [
      "without Read Message History the empty list proves nothing: pause",
      { permissions: PermissionFlagsBits.ViewChannel },
      { kind: "pause" },
    ],
    [
      "without View Channel: pause",
      { permissions: PermissionFlagsBits.ReadMessageHistory },
      { kind: "pause" },
    ],
    ["Administrator reads everything", { permissions: PermissionFlagsBits.Administrator }, { kind: "none" }],
    [
      "permissions unknown and nothing found: try again later",
      { permissions: null },
      { kind: "retry", why: "the bot's permissions in the channel are unknown" },
    ],
    [
      "permissions unknown but our card is listed: it is there",
      { permissions: null, messages: [card("20")] },
      { kind: "adopt", messageId: "20", duplicates: [] },
    ],
    [
      "the bot's own id unknown: cannot tell its messages",
      { botUserId: null, messages: [card("20")] },
      { kind: "retry", why: "the bot's user id is not known yet" },
    ],
  ])("%s", (_what, input, settlement) => {
    expect(settleMessage({ ...base, ...input })).toEqual(settlement);
  });
});
