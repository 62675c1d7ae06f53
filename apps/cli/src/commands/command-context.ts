import type { Redis } from '@dgc/shared';

/** What every command reads the cluster with. */
export interface CommandContext {
  redis: Redis;
  keyPrefix: string;
  /** The runtime's database (`jobs` reads the run history there); connected to only by commands that need it. */
  databaseUrl: string;
  /** `--json`: machine-readable output. */
  json: boolean;
  /** The command's own arguments (after its name, without `--json`). */
  args: string[];
}
