import { describe, expect, it } from 'vitest';
import { PublishedWatermark } from './published-watermark.js';

describe('PublishedWatermark', () => {
  it('advances only over sequences confirmed in order', () => {
    const watermark = new PublishedWatermark();
    const one = watermark.accept(1);
    watermark.skip(2);
    const three = watermark.accept(3);
    three.confirm();
    expect(watermark.value).toBe(0);
    one.confirm();
    expect(watermark.value).toBe(3);
    watermark.reset(40);
    expect(watermark.value).toBe(40);
  });

  it('held at a sequence, stays there whatever is confirmed until the shard starts a new session', () => {
    const watermark = new PublishedWatermark();
    const ten = watermark.accept(10);
    ten.confirm();
    expect(watermark.value).toBe(10);
    watermark.holdAt(4);
    expect(watermark.value).toBe(4);
    watermark.accept(11).confirm();
    expect(watermark.value).toBe(4);
    watermark.reset(0);
    watermark.accept(1).confirm();
    expect(watermark.value).toBe(1);
  });

  it('tells its owner each time it moves forward, and only then', () => {
    let advances = 0;
    const watermark = new PublishedWatermark(() => {
      advances += 1;
    });
    const one = watermark.accept(1);
    const two = watermark.accept(2);
    two.confirm();
    expect(advances).toBe(0);
    one.confirm();
    expect(advances).toBe(1);
    watermark.skip(3);
    expect(advances).toBe(2);
  });
});
