import { describe, expect, it } from 'vitest';
import { dedupeWaitPlan } from './dedupe-wait-policy.js';

describe('dedupeWaitPlan', () => {
  it('by default checks under Sentinel, waiting for one replica when one is connected', () => {
    expect(dedupeWaitPlan({ setting: undefined, sentinel: true, connectedReplicas: 1 })).toEqual({
      check: true,
      waitFor: 1,
      wanted: 1,
    });
    expect(dedupeWaitPlan({ setting: undefined, sentinel: true, connectedReplicas: 3 }).waitFor).toBe(1);
  });

  it('keeps checking under Sentinel right after a failover, when the promoted primary has no replica yet', () => {
    // The check finds the claims the failover lost; waiting for a replica that is not there would not help.
    expect(dedupeWaitPlan({ setting: undefined, sentinel: true, connectedReplicas: 0 })).toEqual({
      check: true,
      waitFor: 0,
      wanted: 1,
    });
  });

  it('by default checks a single server or a cluster node only while it has a replica connected', () => {
    expect(dedupeWaitPlan({ setting: undefined, sentinel: false, connectedReplicas: 0 }).check).toBe(false);
    expect(dedupeWaitPlan({ setting: undefined, sentinel: false, connectedReplicas: 2 })).toEqual({
      check: true,
      waitFor: 1,
      wanted: 1,
    });
  });

  it('an explicit 0 turns it off, even under Sentinel', () => {
    expect(dedupeWaitPlan({ setting: 0, sentinel: true, connectedReplicas: 1 }).check).toBe(false);
  });

  it('an explicit count always checks and waits for at most the replicas connected', () => {
    expect(dedupeWaitPlan({ setting: 2, sentinel: false, connectedReplicas: 0 })).toEqual({
      check: true,
      waitFor: 0,
      wanted: 2,
    });
    expect(dedupeWaitPlan({ setting: 2, sentinel: false, connectedReplicas: 1 }).waitFor).toBe(1);
    expect(dedupeWaitPlan({ setting: 2, sentinel: true, connectedReplicas: 5 }).waitFor).toBe(2);
  });
});
