/** The status an attempt last wrote: 'running' by its claim, 'done' by its settle. */
export type AttemptStatus = 'running' | 'done';

/** What one replication check found out about an attempt's last write. */
export type ReplicationVerdict =
  /** The server holds it, and as many replicas as were wanted acknowledged it (or none was wanted). */
  | { kind: 'replicated' }
  /**
   * The server holds it, but fewer replicas acknowledged it than wanted: the wait timed out, or the
   * primary has fewer replicas connected. The attempt goes on; a failover now could lose the write.
   */
  | { kind: 'short'; acknowledged: number; wanted: number }
  /** The server answering does not hold it (a failover or a restart lost it): it must be written again. */
  | { kind: 'lost' };

/**
 * Tells the dedupe whether the claims and done marks it wrote will survive a failover, before it lets
 * handlers run on them (claims) or lets the job complete (done marks). A claim the promoted replica lacks
 * lets a redelivered event run again; a done mark it lacks does the same once the claim's status lapses.
 */
export interface ClaimReplication {
  /**
   * Resolves once the server holding the dedupe keys was asked whether it holds `attemptKey` with `status`
   * and its replicas acknowledged everything written before the question. Rejects when no answer came
   * (the connection was lost mid-check): the caller asks again, and the next check tells.
   */
  confirm(attemptKey: string, status: AttemptStatus): Promise<ReplicationVerdict>;
}

/** No replica to wait for and no failover to fear (a single Redis): every write counts as kept. */
export const noClaimReplication: ClaimReplication = {
  confirm: async () => ({ kind: 'replicated' }),
};
