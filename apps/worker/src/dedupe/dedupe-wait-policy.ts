/** What the dedupe's next replication check does. */
export interface DedupeWaitPlan {
  /** Whether to check at all: off, claims and done marks are trusted as written. */
  check: boolean;
  /** Replicas the check's WAIT waits for (0: none, the check only asks whether the server holds them). */
  waitFor: number;
  /** Replicas the setting asks for; `waitFor` below it is a shortfall, counted and logged. */
  wanted: number;
}

export interface DedupeWaitInputs {
  /** WORKER_DEDUPE_WAIT_REPLICAS: undefined = decide from the deployment, 0 = off, n = n replicas. */
  setting: number | undefined;
  /** Sentinel mode: a replica can be promoted at any moment, whether or not one is connected right now. */
  sentinel: boolean;
  /** `connected_slaves` of the server holding the dedupe keys, as last read. */
  connectedReplicas: number;
}

/**
 * The default is the safe behaviour wherever a replica can be promoted: under Sentinel, or when the server
 * holding the dedupe keys reports a connected replica (a Redis Cluster node's, or one an operator may
 * promote), check every claim and done mark and WAIT for one replica. A single Redis without replicas has
 * nothing to fail over to, so it pays nothing. An explicit setting overrides both ways.
 *
 * Never waits for more replicas than are connected: right after a failover the promoted primary has none,
 * and waiting out the timeout on every job would stall the lanes exactly when they must catch up. The check
 * itself still runs then, because it is what finds the claims the failover lost.
 */
export function dedupeWaitPlan({ setting, sentinel, connectedReplicas }: DedupeWaitInputs): DedupeWaitPlan {
  if (setting === 0) return { check: false, waitFor: 0, wanted: 0 };
  const check = setting !== undefined || sentinel || connectedReplicas > 0;
  if (!check) return { check: false, waitFor: 0, wanted: 0 };
  const wanted = setting ?? 1;
  return { check, wanted, waitFor: Math.min(wanted, connectedReplicas) };
}
