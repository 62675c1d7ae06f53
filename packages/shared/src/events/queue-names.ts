/**
 * Queue names are part of the wire contract between gateways, workers and the scheduler: renaming one
 * strands the jobs already waiting under the old name.
 */
export const QueueNames = {
  /** Every gateway dispatch a handler subscribes to. */
  gatewayEvents: 'gateway-events',
  /** Periodic jobs run by the scheduler. */
  scheduledJobs: 'scheduled-jobs',
} as const;

export type QueueName = (typeof QueueNames)[keyof typeof QueueNames];
