import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ReplyBody } from '../commands/interaction-responder.js';
import { ProgressReply } from './progress-reply.js';

const progress = (done: number) => ({ total: 10, done, failed: 0, skipped: 0 });

describe('ProgressReply', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('edits at once, then at most once per interval with the latest counts, then the summary', async () => {
    const edits: { at: number; body: ReplyBody }[] = [];
    const reply = new ProgressReply({
      editReply: async (body) => {
        edits.push({ at: performance.now(), body });
      },
    });
    const start = performance.now();
    reply.update(progress(1));
    for (let done = 2; done <= 6; done += 1) {
      await vi.advanceTimersByTimeAsync(100);
      reply.update(progress(done));
    }
    await vi.advanceTimersByTimeAsync(1_000);
    reply.update(progress(7));
    const finished = reply.finish('all done');
    await vi.advanceTimersByTimeAsync(1_000);
    await finished;

    expect(edits.map((edit) => edit.body)).toEqual(['1/10', '6/10', 'all done']);
    const gaps = edits.slice(1).map((edit, index) => edit.at - (edits[index]?.at ?? 0));
    expect(gaps.every((gap) => gap >= 1_000)).toBe(true);
    expect(edits[0]?.at).toBe(start);
  });

  it('keeps going when an edit fails', async () => {
    const warn = vi.fn();
    let calls = 0;
    const reply = new ProgressReply({
      editReply: async () => {
        calls += 1;
        if (calls === 1) throw new Error('webhook unavailable');
      },
      logger: { warn } as never,
    });
    reply.update(progress(1));
    await vi.advanceTimersByTimeAsync(0);
    const finished = reply.finish('done');
    await vi.advanceTimersByTimeAsync(1_000);
    await finished;
    expect(calls).toBe(2);
    expect(warn).toHaveBeenCalledOnce();
  });
});
