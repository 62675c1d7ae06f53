import { readdirSync, readFileSync } from 'node:fs';
import type { Redis } from './redis-connection.js';

/**
 * The cluster's Lua scripts, one command each, with the keys first (as `KEYS`) and the arguments after.
 * Every key a script touches is passed in: none is built inside a script, which Redis Cluster requires.
 */
export interface RedisScriptCommands {
  acquireLease(lease: string, fence: string, owner: string, ttlMs: number): Promise<number>;
  renewLease(lease: string, owner: string, token: number, ttlMs: number): Promise<number>;
  releaseLease(lease: string, owner: string, token: number): Promise<number>;
  writeSession(
    session: string,
    sessionId: string,
    sequence: number,
    resumeURL: string,
    shardCount: number,
    ttlMs: number,
    lastRunId: string,
  ): Promise<[status: number, runId: string, storedSequence: number]>;
  takeIdentifySlot(
    slot: string,
    queue: string,
    seen: string,
    waiter: string,
    windowMs: number,
    staleMs: number,
  ): Promise<number>;
  /** Variadic: the number of keys comes first. */
  claimEvents(numberOfKeys: number, ...keysThenArgs: (string | number)[]): Promise<(number | string)[]>;
  claimHeldEvents(numberOfKeys: number, ...keysThenArgs: (string | number)[]): Promise<number[]>;
  settleEvents(numberOfKeys: number, ...keysThenArgs: (string | number)[]): Promise<number>;
  /** See checkAttempts-n.lua: per attempt, 1 when this server holds its status, 0 when it lost it. */
  checkAttempts(numberOfKeys: number, ...keysThenArgs: (string | number)[]): Promise<number[]>;
  acquireRestPermit(...keysThenArgs: (string | number)[]): Promise<[number, number, string, number]>;
  settleRestResponse(...keysThenArgs: (string | number)[]): Promise<number>;
  /** See joinGeneration-1.lua: [status, active, activeCount, target, targetCount]. */
  joinGeneration(
    state: string,
    configuredCount: number,
    createCount: number,
  ): Promise<[string, number, number, number, number]>;
  /** See beginReshard-1.lua: ['started', generation] or ['refused', reason]. */
  beginReshard(state: string, shardCount: number, deadlineMs: number): Promise<[string, number | string]>;
  /** See advanceReshard-3.lua: [phase, ready shards, confirmed old shards]. */
  advanceReshard(
    state: string,
    targetReady: string,
    activeCutOver: string,
    leadMs: number,
    graceMs: number,
    target: number,
  ): Promise<[string, number, number]>;
  /**
   * Keys guild, channels, roles, members, threads, threadMembers, emojis, indexRemovals
   * (`RedisKeys.guildCache`); returns the channel and thread ids removed whose index entries are still to drop.
   */
  replaceGuild(
    guild: string,
    channels: string,
    roles: string,
    members: string,
    threads: string,
    threadMembers: string,
    emojis: string,
    indexRemovals: string,
    ...args: (string | number)[]
  ): Promise<string[]>;
  /** THREAD_LIST_SYNC on a guild's threads; returns the thread ids removed whose index entries are still to drop. */
  syncThreads(
    threads: string,
    threadMembers: string,
    indexRemovals: string,
    ...args: (string | number)[]
  ): Promise<string[]>;
  /** CHANNEL_DELETE sweeping the channel's threads; returns the thread ids removed whose index entries are still to drop. */
  deleteChannel(
    channels: string,
    threads: string,
    threadMembers: string,
    indexRemovals: string,
    channelId: string,
  ): Promise<string[]>;
  /** One thread's memberships added (only while it is cached) and removed; 0 when additions were dropped. */
  setThreadMembers(
    threads: string,
    threadMembers: string,
    threadId: string,
    removedCount: number,
    ...removedThenAdded: string[]
  ): Promise<number>;
  /** THREAD_DELETE with the thread's memberships; returns how many memberships went. */
  deleteThread(threads: string, threadMembers: string, threadId: string): Promise<number>;
}

export type RedisScriptName = keyof RedisScriptCommands;

/** The scripts this code calls: a file without an entry here, or an entry without a file, is an error. */
const expectedScripts: Record<RedisScriptName, true> = {
  acquireLease: true,
  renewLease: true,
  releaseLease: true,
  writeSession: true,
  takeIdentifySlot: true,
  claimEvents: true,
  claimHeldEvents: true,
  settleEvents: true,
  checkAttempts: true,
  acquireRestPermit: true,
  settleRestResponse: true,
  replaceGuild: true,
  joinGeneration: true,
  beginReshard: true,
  advanceReshard: true,
  syncThreads: true,
  deleteChannel: true,
  deleteThread: true,
  setThreadMembers: true,
};

export interface RedisScript {
  name: string;
  /** From the file name (`acquireLease-2.lua`); undefined for `-n`: the caller passes the count first. */
  numberOfKeys: number | undefined;
  lua: string;
  file: string;
}

/** `<verb>-<numberOfKeys>.lua`, BullMQ's convention; `n` for a script taking any number of keys. */
export const scriptFileNamePattern = /^([a-z][A-Za-z]*)-(\d+|n)\.lua$/;

/**
 * Beside this module both in `src` (run through tsx or vitest) and in `dist` (the build copies the .lua
 * files next to the compiled loader).
 */
export const redisScriptsFolder = new URL('./scripts/', import.meta.url);

/** Reads every script of a folder, checking the names against the file name convention. */
export function readRedisScripts(folder: URL = redisScriptsFolder): RedisScript[] {
  return readdirSync(folder)
    .filter((file) => file.endsWith('.lua'))
    .sort()
    .map((file) => {
      const match = scriptFileNamePattern.exec(file);
      if (!match?.[1] || !match[2]) {
        throw new Error(`Lua script ${file} is not named <verb>-<numberOfKeys>.lua (or <verb>-n.lua)`);
      }
      return {
        name: match[1],
        numberOfKeys: match[2] === 'n' ? undefined : Number(match[2]),
        lua: readFileSync(new URL(file, folder), 'utf8'),
        file,
      };
    });
}

let loaded: RedisScript[] | undefined;

function scripts(): RedisScript[] {
  if (loaded) return loaded;
  const found = readRedisScripts();
  const names = new Set(found.map((script) => script.name));
  const missing = Object.keys(expectedScripts).filter((name) => !names.has(name));
  const unexpected = [...names].filter((name) => !(name in expectedScripts));
  if (missing.length > 0 || unexpected.length > 0) {
    throw new Error(
      `Lua scripts in ${redisScriptsFolder.pathname} do not match the commands the code calls: missing ${
        missing.join(', ') || 'none'
      }, unexpected ${unexpected.join(', ') || 'none'} (was the build's copy of the .lua files skipped?)`,
    );
  }
  loaded = found;
  return found;
}

const registered = new WeakSet<Redis>();

/**
 * Defines every script as a command of this connection (EVALSHA, falling back to EVAL once per
 * connection: the script body does not cross the network per call) and returns it typed with them.
 * Idempotent per connection.
 */
export function withRedisScripts(redis: Redis): Redis & RedisScriptCommands {
  if (!registered.has(redis)) {
    for (const script of scripts()) {
      redis.defineCommand(
        script.name,
        script.numberOfKeys === undefined
          ? { lua: script.lua }
          : { lua: script.lua, numberOfKeys: script.numberOfKeys },
      );
    }
    registered.add(redis);
  }
  return redis as Redis & RedisScriptCommands;
}
