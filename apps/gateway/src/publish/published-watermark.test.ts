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
