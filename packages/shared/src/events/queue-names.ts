/**
 * Queue names are part of the wire contract between gateways, workers and the scheduler: renaming one
 * strands the jobs already waiting under the old name. Gateway events use one queue per lane
 * (`laneQueueName`).
 */
export const QueueNames = {
  /** Periodic jobs run by the scheduler. */
  scheduledJobs: 'scheduled-jobs',
} as const;

export type QueueName = (typeof QueueNames)[keyof typeof QueueNames];
