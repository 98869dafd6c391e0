/**
 * `npm run sandbox -- --scene`: the whole story without a browser. Alice links through the
 * bot's sign-in page (over HTTP), starts a party, a friend joins, Carol asks for an
 * invitation and Alice approves it, the party ends. Every step prints what members would
 * see in Discord: the party channel's card as text, DMs, private replies.
 */
import type { InteractionAnswer, MessageView } from "../sim/discord/server.js";
import { namesOf, startSandbox } from "./sandbox.js";
import { messageText } from "./transcript.js";

function buttonId(message: MessageView, label: string): string {
  const rows = message.components as Array<{ components?: Array<{ label?: string; custom_id?: string }> }>;
  const id = rows.flatMap((r) => r.components ?? []).find((c) => c.label === label)?.custom_id;
  if (!id) throw new Error(`no "${label}" button on message ${message.id}`);
  return id;
}

export async function runScene(write: (text: string) => void): Promise<void> {
  const sandbox = await startSandbox({ schedulePolls: false });
  const { discord } = sandbox;
  const channel = sandbox.partyChannel;
  const show = (heading: string, message: MessageView | InteractionAnswer, edited = false) => {
    const body = messageText(
      { editedTimestamp: null, ...message, ...(edited ? { editedTimestamp: "edited" } : {}) },
      namesOf(sandbox),
    );
    write(`\n${heading}\n${body.replace(/^/gm, "    ")}\n`);
  };
  const step = (text: string) => write(`\n== ${text}\n`);
  const newDm = async (key: string, seen: Set<string>) => {
    const dm = await discord.waitForDm(sandbox.member(key).user.id, (m) => !seen.has(m.id));
    seen.add(dm.id);
    return dm;
  };
  const dmsSeen = (key: string) => new Set(discord.dmMessages(sandbox.member(key).user.id).map((m) => m.id));

  try {
    const alice = sandbox.member("alice");
    const carol = sandbox.member("carol");
    const dave = sandbox.friends[0]!;
    write(`Sandbox: the real bot against the Discord and PSN simulators, server "${sandbox.guild.name}".\n`);
    write(`Ada (admin) ran /config channel #parties and /config role @Party people.\n`);

    step("Alice runs /link and signs in on the bot's page");
    const aliceDms = dmsSeen("alice");
    const url = await sandbox.link("alice");
    write(`  (opened ${url.replace(/\/link\/.*/, "/link/…")} and pasted her NPSSO)\n`);
    show("DM to @alice:", await newDm("alice", aliceDms));
    show("DM to @alice:", await newDm("alice", aliceDms));

    step("Carol links too; Alice asks to approve each invitation");
    await sandbox.link("carol");
    const privacy = await sandbox
      .slash(alice.user.id, { name: "privacy", subcommand: "invites", options: { mode: "approve" } })
      .response();
    show("Private reply to @alice (/privacy invites):", privacy);

    step(`PSN: ${alice.psn.onlineId} starts a party, open to friends`);
    const sessionId = await sandbox.startParty(alice.psn.accountId, "open");
    const card = await discord.waitForMessage(channel.id);
    show("#parties, new card:", card);

    step(`PSN: ${dave.psn.onlineId} (a PSN friend, not in Discord) joins`);
    // Awaited from before the change: the edit may land while joinParty is still polling.
    const [joined] = await Promise.all([
      discord.waitForMessageEdit(channel.id, card.id),
      sandbox.joinParty(sessionId, dave.psn.accountId),
    ]);
    show("#parties, card edited:", joined, true);

    step("Carol presses Request invite on the card");
    const request = await sandbox
      .click(carol.user.id, {
        channelId: channel.id,
        messageId: card.id,
        customId: buttonId(joined, "Request invite"),
      })
      .response();
    show("Private reply to @carol:", request);
    const approval = await newDm("alice", aliceDms);
    show("DM to @alice:", approval);

    step("Alice presses Approve in her DM");
    const carolDms = dmsSeen("carol");
    const approved = await sandbox
      .click(alice.user.id, {
        channelId: approval.channelId,
        messageId: approval.id,
        customId: buttonId(approval, "Approve"),
      })
      .response();
    show("Alice's DM, updated:", approved);
    show("DM to @carol:", await newDm("carol", carolDms));
    const invitation = sandbox.psn.invitations(carol.psn.accountId).at(-1);
    if (!invitation) throw new Error("PSN sent no invitation to Carol");
    write(
      `\nPSN: invitation from ${sandbox.nameOfAccount(invitation.from)} to ${sandbox.nameOfAccount(invitation.to)} for the party\n`,
    );

    step("PSN: the party ends");
    const [ended] = await Promise.all([
      discord.waitForMessageEdit(channel.id, card.id),
      sandbox.endParty(sessionId),
    ]);
    show("#parties, card ended:", ended, true);
    write("\nThe end.\n");
  } finally {
    await sandbox.stop();
  }
}
