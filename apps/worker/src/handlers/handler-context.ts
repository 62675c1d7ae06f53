import type { GatewayEventEnvelope, Logger, Redis } from '@dgc/shared';
import type { PrismaClient } from '@dgc/shared/db';
import type { REST } from '@discordjs/rest';

/** What every handler gets: shared clients of this process plus the per-job cancellation signal. */
export interface HandlerContext {
  rest: REST;
  prisma: PrismaClient;
  redis: Redis;
  logger: Logger;
  /** Fires when the job's timeout elapses or the worker is forced to stop; pass it to every call. */
  signal: AbortSignal;
  envelope: GatewayEventEnvelope;
}
