import { describe, expect, it } from 'vitest';
import { createLaneRouter, lanePolicies, laneQueueName, parseLaneRoutes } from './lanes.js';

describe('lanes', () => {
  it('routes interactions, bulk events and everything else by default', () => {
    const laneFor = createLaneRouter();
    expect(laneFor('INTERACTION_CREATE')).toBe('interactions');
    expect(laneFor('TYPING_START')).toBe('bulk');
    expect(laneFor('MESSAGE_CREATE')).toBe('events');
  });

  it('lets configuration move events between lanes', () => {
    const laneFor = createLaneRouter(parseLaneRoutes('MESSAGE_CREATE=bulk, TYPING_START=events'));
    expect(laneFor('MESSAGE_CREATE')).toBe('bulk');
    expect(laneFor('TYPING_START')).toBe('events');
  });

  it.each(['MESSAGE_CREATE', 'MESSAGE_CREATE=fast', 'message_create=bulk'])('rejects "%s"', (spec) => {
    expect(() => parseLaneRoutes(spec)).toThrow(/expected EVENT_NAME=lane|lane must be one of/);
  });

  it('never sheds interactions and names one queue per lane', () => {
    expect(lanePolicies.interactions.sheddable).toBe(false);
    expect(
      new Set(['interactions', 'events', 'bulk'].map((lane) => laneQueueName(lane as 'events'))).size,
    ).toBe(3);
  });
});
