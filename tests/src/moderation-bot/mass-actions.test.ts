import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ModerationCluster, startModerationCluster } from './moderation-cluster.js';

const bansPerSecond = 50;
const dayMs = 86_400_000;

/**
 * /massban and /purge end to end: the command defers and a delayed job does the work through the SDK's
 * `bulk` under the cluster's shared limits, editing the deferred reply with its progress.
 */
describe('moderation bot: mass ban and purge', () => {
  let bot: ModerationCluster;

  beforeAll(async () => {
    bot = await startModerationCluster('modbot-mass', {
      simulator: {
        routeLimits: {
          bans: { limit: bansPerSecond, windowMs: 1_000 },
          deleteMessage: { limit: 50, windowMs: 1_000 },
          getMessages: { limit: 50, windowMs: 1_000 },
        },
      },
    });
  }, 60_000);

  afterAll(async () => {
    await bot?.teardown();
  });

  it('bans 1,000 ids with 50 refused: 950 banned, no 429, the 50 listed with reasons, progress ≤ 1 edit/s', {
    timeout: 75_000,
  }, async () => {
    await bot.giveModeratorRole(bot.guild.members[2]?.user.id ?? '');
    const ids = Array.from({ length: 1_000 }, (_, index) =>
      String(1_200_000_000_000_000_000n + BigInt(index)),
    );
    const refused = ids.filter((_, index) => index % 20 === 7);
    for (const id of refused)
      bot.cluster.simulator.faults.addRestFault({
        kind: 'refuse',
        pathPrefix: `/guilds/${bot.guild.id}/bans/${id}`,
      });
    const startedAt = Date.now();
    const interaction = bot.run('massban', bot.guild.members[2]?.user.id ?? '', {
      ids: ids.join(' '),
      reason: 'raid wave',
    });
    const summary = await bot.answerMatching(interaction, /^Mass ban: /, 60_000);
    const elapsedS = (Date.now() - startedAt) / 1_000;

    expect(summary.content).toMatch(/^Mass ban: 950 banned, 50 refused of 1000\./);
    for (const id of refused) expect(summary.content).toContain(id);
    expect(summary.content).toContain('50 × Missing Permissions (50013)');
    expect(bot.cluster.simulator.stats().rateLimited).toEqual({ user: 0, global: 0, shared: 0 });
    const bans = bot.cluster.simulator.restCalls.filter(
      (call) => call.method === 'PUT' && call.route.startsWith(`/guilds/${bot.guild.id}/bans/`),
    );
    expect(bans.filter((call) => call.status === 204)).toHaveLength(950);
    expect(
      bans
        .filter((call) => call.status === 204)
        .every((call) => call.auditLogReason?.startsWith('raid wave')),
    ).toBe(true);

    const edits = bot.answers(interaction).filter((answer) => answer.method === 'PATCH');
    const gaps = edits.slice(1).map((edit, index) => edit.receivedAt - (edits[index]?.receivedAt ?? 0));
    console.log(
      `[measure] /massban 1000 ids (bans bucket ${bansPerSecond}/s): ${elapsedS.toFixed(1)} s, ${edits.length} reply edits, smallest gap ${Math.min(...gaps)} ms`,
    );
    expect(edits.length).toBeGreaterThan(2);
    expect(edits.length).toBeLessThanOrEqual(Math.ceil(elapsedS) + 1);
    // The interval runs from the end of one edit to the start of the next: they arrive a second apart
    // (less a millisecond of clock rounding).
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(990);
  });

  it('bans the ids of an attached file, read once from the CDN, deduplicated; bad or over-long lists are refused ephemerally before any ban', {
    timeout: 45_000,
  }, async () => {
    const moderator = bot.guild.members[3]?.user.id ?? '';
    await bot.giveModeratorRole(moderator);
    const simulator = bot.cluster.simulator;
    const idOf = (index: number) => String(1_300_000_000_000_000_000n + BigInt(index));
    const banPuts = () =>
      simulator.restCalls.filter(
        (call) => call.method === 'PUT' && call.route.startsWith(`/guilds/${bot.guild.id}/bans/13`),
      );
    const downloadsOf = (attachmentId: string) =>
      simulator.cdnRequests.filter((request) => request.attachmentId === attachmentId);
    const deferralFlags = (interactionId: string) =>
      (
        simulator.restCalls.find((call) => call.route === `/interactions/${interactionId}/:token/callback`)
          ?.requestBody as { data?: { flags?: number } } | undefined
      )?.data?.flags;

    // Refused before anything is banned: more than 1,000 ids, an entry that is not an id, a file too large
    // to read (never downloaded) and a file that is not text.
    const tooMany = simulator.attachFile({
      filename: 'raid.txt',
      content: Array.from({ length: 1_001 }, (_, index) => idOf(1_000 + index)).join('\n'),
    });
    const withWord = simulator.attachFile({ filename: 'raid.csv', content: `user_id\n${idOf(1)}\n` });
    const tooLarge = simulator.attachFile({ filename: 'huge.txt', content: `${idOf(2)}\n`.repeat(4_000) });
    const image = simulator.attachFile({
      filename: 'raid.png',
      content: 'not text',
      contentType: 'image/png',
    });
    const refusals = [
      [tooMany, /^That is 1,001 different user ids; \/massban bans at most 1,000 at a time\./],
      [withWord, /^1 entry is not a user id \(raid\.csv line 1: `user_id`\)/],
      [tooLarge, /^huge\.txt is 79 KiB; at most 64 KiB is read\. Nobody was banned\.$/],
      [image, /^raid\.png is not a text or CSV file \(image\/png\)/],
    ] as const;
    for (const [file, refusal] of refusals) {
      const interaction = bot.run('massban', moderator, {
        reason: 'raid wave',
        file: { attachment: file.id },
      });
      const answer = await bot.answerMatching(interaction, refusal);
      expect(deferralFlags(interaction.id)).toBe(64);
      expect(answer.content).toMatch(/Nobody was banned\.$/);
    }
    expect(downloadsOf(tooMany.id).map((request) => request.status)).toEqual([200]);
    expect(downloadsOf(tooLarge.id)).toEqual([]);
    expect(downloadsOf(image.id)).toEqual([]);
    expect(banPuts()).toEqual([]);

    // A CSV export with a byte-order mark, Windows line ends, quoted cells, mentions and repeats.
    const listed = Array.from({ length: 40 }, (_, index) => idOf(index + 10));
    const rows = [...listed, ...listed.slice(0, 10)].map((id, index) =>
      index % 3 === 0 ? `"${id}"` : index % 3 === 1 ? `<@${id}>` : id,
    );
    const csv = simulator.attachFile({
      filename: 'raid.csv',
      content: `\uFEFF${rows.map((row, index) => (index % 2 ? `${row},` : `${row}\r\n`)).join('')}`,
    });
    const interaction = bot.run('massban', moderator, { reason: 'raid wave', file: { attachment: csv.id } });
    const summary = await bot.answerMatching(interaction, /^Mass ban: /, 30_000);
    expect(summary.content).toBe('Mass ban: 40 banned, 0 refused of 40 (10 repeated ids ignored).');
    expect(deferralFlags(interaction.id)).toBe(64);
    expect(downloadsOf(csv.id).map((request) => request.status)).toEqual([200]);
    const banned = banPuts().filter((call) => call.status === 204);
    expect(banned.map((call) => call.route.split('/').pop()).sort()).toEqual([...listed].sort());
  });

  it('purges 500 with 100 older than 14 days: 4 bulk deletes of 100 and the older ones one by one', {
    timeout: 60_000,
  }, async () => {
    await bot.giveModeratorRole(bot.guild.members[2]?.user.id ?? '');
    const channelId = bot.guild.channels.filter((channel) => channel.type === 0)[1]?.id ?? '';
    const author = () => bot.guild.members[5 + Math.floor(Math.random() * 20)]?.user.id ?? '';
    // Oldest first: back-dated messages, then recent ones.
    const old = Array.from({ length: 100 }, () =>
      bot.cluster.simulator.injectMessageCreate({
        guildId: bot.guild.id,
        channelId,
        authorId: author(),
        sentAt: Date.now() - 20 * dayMs,
      }),
    ).map((message) => message.id);
    const recent = Array.from({ length: 400 }, () =>
      bot.cluster.simulator.injectMessageCreate({ guildId: bot.guild.id, channelId, authorId: author() }),
    ).map((message) => message.id);

    const interaction = bot.run('purge', bot.guild.members[2]?.user.id ?? '', { count: 500 }, channelId);
    const summary = await bot.answerMatching(interaction, /^Purge: /, 45_000);
    expect(summary.content).toBe(
      'Purge: 500 of 500 matching messages deleted (400 by bulk delete in 4 request(s), 100 older than 14 days one by one).',
    );
    // Deferred ephemerally: the channel never sees the purge's own reply (nor does its history).
    const deferral = bot.cluster.simulator.restCalls.find(
      (call) => call.route === `/interactions/${interaction.id}/:token/callback`,
    );
    expect((deferral?.requestBody as { data?: { flags?: number } } | undefined)?.data?.flags).toBe(64);

    const calls = bot.cluster.simulator.restCalls;
    const bulkDeletes = calls.filter((call) => call.route === `/channels/${channelId}/messages/bulk-delete`);
    expect(
      bulkDeletes.map((call) => [call.status, (call.requestBody as { messages: string[] }).messages.length]),
    ).toEqual([
      [204, 100],
      [204, 100],
      [204, 100],
      [204, 100],
    ]);
    expect(
      new Set(bulkDeletes.flatMap((call) => (call.requestBody as { messages: string[] }).messages)),
    ).toEqual(new Set(recent));
    const singles = calls.filter(
      (call) => call.method === 'DELETE' && call.route.startsWith(`/channels/${channelId}/messages/`),
    );
    // Each old message is deleted exactly once (one 204 each, no other message). Under load a request may be
    // retried by @discordjs/rest (a client timeout) and the ledger then also holds the attempt that did not
    // answer 204; 429s are ruled out below.
    const deletedOnce = singles
      .filter((call) => call.status === 204)
      .map((call) => call.route.split('/').pop());
    expect(deletedOnce.sort()).toEqual([...old].sort());
    const otherAnswers = singles.filter((call) => call.status !== 204).map((call) => call.status);
    if (otherAnswers.length > 0)
      console.log(`[measure] purge: single deletes also answered ${otherAnswers.join(', ')}`);
    expect(bot.cluster.simulator.stats().rateLimited).toEqual({ user: 0, global: 0, shared: 0 });
    const reads = calls.filter(
      (call) => call.method === 'GET' && call.route === `/channels/${channelId}/messages`,
    );
    expect(reads).toHaveLength(5);
  });
});
