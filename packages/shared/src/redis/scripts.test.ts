import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readRedisScripts, redisScriptsFolder, scriptFileNamePattern } from './script-loader.js';

/**
 * Redis Cluster runs a script only when every key it touches is declared in KEYS and all of them lie in
 * one slot. These tests hold the repository to that: every Lua file lives in the one scripts folder, is
 * named for its key count, lists its KEYS and ARGV in its header and never builds a key name; and key
 * names are built in one module only (redis-keys.ts), where the hash-tag policy lives.
 */

const repositoryRoot = fileURLToPath(new URL('../../../../', import.meta.url));
const scriptsFolder = fileURLToPath(redisScriptsFolder);
const skippedFolders = new Set(['node_modules', 'dist', '.git', '.turbo', 'generated', 'coverage']);

function filesUnder(folder: string, accept: (path: string) => boolean): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return skippedFolders.has(entry.name) ? [] : filesUnder(path, accept);
    return accept(path) ? [path] : [];
  });
}

// --- Lua ------------------------------------------------------------------------------------------------

/** Commands whose keys are not (only) their first argument; every other command used takes its key first. */
const keylessCommands = new Set(['TIME', 'PING', 'ECHO', 'PUBLISH', 'INFO']);
const allArgumentsAreKeys = new Set([
  'DEL',
  'UNLINK',
  'EXISTS',
  'MGET',
  'TOUCH',
  'SINTER',
  'SUNION',
  'SDIFF',
]);
const firstTwoAreKeys = new Set(['RENAME', 'RENAMENX', 'RPOPLPUSH', 'LMOVE', 'SMOVE', 'COPY']);
const declaredKey = /^KEYS\[[^\]]+\]$/;

function withoutComments(lua: string): string {
  return lua
    .replace(/--\[\[[\s\S]*?\]\]/g, (comment) => comment.replace(/[^\n]/g, ' '))
    .replace(/--.*$/gm, '');
}

/** Splits at the commas that are not inside brackets or strings. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote: string | undefined;
  let current = '';
  for (const char of text) {
    if (quote) {
      if (char === quote) quote = undefined;
    } else if (char === "'" || char === '"') quote = char;
    else if ('([{'.includes(char)) depth += 1;
    else if (')]}'.includes(char)) depth -= 1;
    else if (char === ',' && depth === 0) {
      parts.push(current.trim());
      current = '';
      continue;
    }
    current += char;
  }
  if (current.trim() !== '') parts.push(current.trim());
  return parts;
}

/** Identifiers every assignment of which is a `KEYS[...]` element: they may stand for a key. */
function keyLocals(code: string): Set<string> {
  const assignments = new Map<string, string[]>();
  for (const match of code.matchAll(
    /(?:^|[\s;])(?:local\s+)?([A-Za-z_][\w]*(?:\s*,\s*[A-Za-z_][\w]*)*)\s*=(?!=)\s*([^\n]+)/g,
  )) {
    const names = (match[1] ?? '').split(',').map((name) => name.trim());
    if (names.some((name) => name === 'local' || name === 'for')) continue;
    const values = splitTopLevel(match[2] ?? '');
    names.forEach((name, index) => {
      assignments.set(name, [...(assignments.get(name) ?? []), values[index] ?? 'nil']);
    });
  }
  // `for _, key in ipairs(KEYS)` binds each key too.
  for (const match of code.matchAll(/for\s+[A-Za-z_]\w*\s*,\s*([A-Za-z_]\w*)\s+in\s+ipairs\(\s*KEYS\s*\)/g)) {
    assignments.set(match[1] ?? '', [...(assignments.get(match[1] ?? '') ?? []), 'KEYS[i]']);
  }
  return new Set(
    [...assignments]
      .filter(([, values]) => values.every((value) => declaredKey.test(value)))
      .map(([name]) => name),
  );
}

/** Where a script touches a key it was not given in KEYS (a key built from a prefix, an argument, a value). */
export function undeclaredKeyUses(lua: string): string[] {
  const code = withoutComments(lua);
  const locals = keyLocals(code);
  const problems: string[] = [];
  for (const match of code.matchAll(/redis\.p?call\s*\(/g)) {
    const start = (match.index ?? 0) + match[0].length;
    let depth = 1;
    let end = start;
    while (end < code.length && depth > 0) {
      if (code[end] === '(') depth += 1;
      else if (code[end] === ')') depth -= 1;
      end += 1;
    }
    const line = code.slice(0, start).split('\n').length;
    const [command = '', ...args] = splitTopLevel(code.slice(start, end - 1));
    const name = /^['"](\w+)['"]$/.exec(command)?.[1]?.toUpperCase();
    if (!name) {
      problems.push(`line ${line}: the command ${command} is not a literal, so its keys cannot be checked`);
      continue;
    }
    if (keylessCommands.has(name)) continue;
    const keys = allArgumentsAreKeys.has(name) ? args : args.slice(0, firstTwoAreKeys.has(name) ? 2 : 1);
    for (const key of keys) {
      if (declaredKey.test(key) || locals.has(key)) continue;
      problems.push(
        `line ${line}: ${name} touches ${key}, which is not KEYS[n] ${key.includes('..') ? '(a key built with ..)' : ''}`.trim(),
      );
    }
  }
  return problems;
}

/** Whether the header comment lists exactly the keys the file name promises, and every ARGV the body uses. */
export function headerProblems(fileName: string, lua: string): string[] {
  const match = scriptFileNamePattern.exec(fileName);
  if (!match) return [`${fileName} is not named <verb>-<numberOfKeys>.lua (or <verb>-n.lua)`];
  const header = /^--\[\[([\s\S]*?)\]\]/.exec(lua.trimStart())?.[1];
  if (header === undefined) return ['no header comment (--[[ ... ]]) at the top listing KEYS and ARGV'];
  const problems: string[] = [];
  const listed = [...header.matchAll(/^\s*KEYS\[(\d+)(\.\.)?\]/gm)];
  const fixed = listed.filter((entry) => !entry[2]).map((entry) => Number(entry[1]));
  const variadic = listed.filter((entry) => entry[2]).map((entry) => Number(entry[1]));
  const count = match[2] === 'n' ? undefined : Number(match[2]);
  if (count === undefined) {
    if (variadic.length !== 1) problems.push('a -n script lists its variable keys as KEYS[k..] once');
    const first = variadic[0] ?? 1;
    const expected = Array.from({ length: first - 1 }, (_, index) => index + 1);
    if (fixed.join() !== expected.join())
      problems.push(`lists KEYS ${fixed.join()}, expected ${expected.join()}`);
  } else {
    if (variadic.length > 0) problems.push(`declares ${count} keys but lists variable keys (KEYS[k..])`);
    const expected = Array.from({ length: count }, (_, index) => index + 1);
    if (fixed.join() !== expected.join()) {
      problems.push(`the file name says ${count} keys, the header lists KEYS ${fixed.join() || 'none'}`);
    }
    const body = withoutComments(lua);
    for (const used of body.matchAll(/KEYS\[(\d+)\]/g)) {
      if (Number(used[1]) > count) problems.push(`uses KEYS[${used[1]}] beyond its ${count} keys`);
    }
  }
  const body = withoutComments(lua);
  for (const used of new Set([...body.matchAll(/ARGV\[(\d+)\]/g)].map((entry) => entry[1]))) {
    if (!new RegExp(`^\\s*ARGV\\[${used}\\]`, 'm').test(header)) problems.push(`ARGV[${used}] is not listed`);
  }
  return problems;
}

describe('Lua scripts', () => {
  const luaFiles = filesUnder(repositoryRoot, (path) => path.endsWith('.lua'));

  it('finds the scripts', () => {
    expect(luaFiles.length).toBeGreaterThanOrEqual(10);
  });

  it('all live in the one scripts folder', () => {
    const elsewhere = luaFiles.filter((path) => !path.startsWith(scriptsFolder));
    expect(elsewhere.map((path) => relative(repositoryRoot, path))).toEqual([]);
  });

  it.each(luaFiles.map((path) => [relative(repositoryRoot, path), path]))(
    '%s is named for its keys and lists KEYS and ARGV in its header',
    (_name, path) => {
      expect(headerProblems(path.split(sep).at(-1) ?? '', readFileSync(path, 'utf8'))).toEqual([]);
    },
  );

  it.each(luaFiles.map((path) => [relative(repositoryRoot, path), path]))(
    '%s touches no key but those given in KEYS',
    (_name, path) => {
      expect(undeclaredKeyUses(readFileSync(path, 'utf8'))).toEqual([]);
    },
  );

  it('the loader reads each with the key count of its name', () => {
    const scripts = readRedisScripts();
    expect(scripts.length).toBe(luaFiles.length);
    expect(scripts.find((script) => script.name === 'acquireLease')?.numberOfKeys).toBe(2);
    expect(scripts.find((script) => script.name === 'claimEvents')?.numberOfKeys).toBeUndefined();
  });

  describe('the checks catch', () => {
    it('a key built by concatenation, from an argument, or from a value read', () => {
      expect(undeclaredKeyUses("redis.call('GET', ARGV[1] .. ':bucket:' .. ARGV[2])")).toHaveLength(1);
      expect(undeclaredKeyUses("local key = prefix .. ':x'\nredis.call('DEL', key)")).toHaveLength(1);
      expect(
        undeclaredKeyUses("local holder = redis.call('GET', KEYS[1])\nredis.call('GET', holder)"),
      ).toHaveLength(1);
      expect(undeclaredKeyUses("redis.call('SET', ARGV[1], 1)")).toHaveLength(1);
      expect(
        undeclaredKeyUses("local key = KEYS[1]\nkey = key .. ':2'\nredis.call('GET', key)"),
      ).toHaveLength(1);
      expect(undeclaredKeyUses("redis.call('DEL', KEYS[1], 'other')")).toHaveLength(1);
    });

    it('but not keys given in KEYS, or locals taken from them', () => {
      const lua = [
        "local time = redis.call('TIME')",
        'local key, other = KEYS[1], KEYS[2 * i]',
        "redis.call('HSET', key, 'field', ARGV[1] .. 'x')",
        "redis.call('DEL', other, KEYS[3])",
        "if redis.call('GET', KEYS[i]) == ARGV[1] then return 1 end",
      ].join('\n');
      expect(undeclaredKeyUses(lua)).toEqual([]);
    });

    it('a header that does not match the file name', () => {
      const lua =
        '--[[\n  Input:\n    KEYS[1] a\n    ARGV[1] b\n]]\nreturn redis.call("GET", KEYS[1]) .. ARGV[2]';
      expect(headerProblems('get-1.lua', lua)).toEqual(['ARGV[2] is not listed']);
      expect(headerProblems('get-2.lua', lua)).toHaveLength(2);
      expect(headerProblems('get-n.lua', lua)).not.toEqual([]);
      expect(headerProblems('get.lua', lua)).not.toEqual([]);
      expect(headerProblems('get-1.lua', 'return 1')).not.toEqual([]);
    });
  });
});

// --- Key templates --------------------------------------------------------------------------------------

const keysModule = fileURLToPath(new URL('./redis-keys.ts', import.meta.url));
/** A template string that starts a key from a prefix: `${keyPrefix}:`, `${this.#prefix}:` … */
const prefixTemplate = /\$\{[^}]*[pP]refix[^}]*\}:/;
/** Names of keys in the keys module, and a BullMQ queue given the bare prefix instead of its tagged one. */
const knownKeyWords =
  /['"`][^'"`]*(shard-lease:|shard-session:|shard-state:|gateway:shard-count|gateway:members|gateway-members['"`]|gateway-commands:|identify-history:|identify-budget-exhausted|:lane-topology|subscriptions:(events|changed)|dedupe-attempt:|dedupe:|:rest:|\{rest\}|\{shard:|\{dedupe\}|\{identify:)/;
const bareQueuePrefix = /\bprefix:\s*[\w.#]*(REDIS_KEY_PREFIX|[kK]eyPrefix)\b/;

/** Lines of production TypeScript that build a Redis key outside the keys module. */
export function keyTemplateUses(source: string): string[] {
  return source
    .split('\n')
    .map((line, index) => ({ line: line.trim(), number: index + 1 }))
    .filter(({ line }) => !line.startsWith('//') && !line.startsWith('*') && !line.startsWith('/*'))
    .filter(({ line }) => prefixTemplate.test(line) || knownKeyWords.test(line) || bareQueuePrefix.test(line))
    .map(({ line, number }) => `${number}: ${line}`);
}

describe('Redis key names', () => {
  const productionSources = ['apps', 'packages', 'scripts'].flatMap((top) =>
    filesUnder(join(repositoryRoot, top), (path) => {
      const local = relative(repositoryRoot, path).split(sep);
      const inSource = top === 'scripts' || local[2] === 'src';
      return (
        inSource &&
        path.endsWith('.ts') &&
        !path.endsWith('.test.ts') &&
        !local.includes('testing') &&
        path !== keysModule
      );
    }),
  );

  it('finds the production sources', () => {
    expect(productionSources.length).toBeGreaterThan(50);
  });

  it('are built in the keys module only', () => {
    const offenders = productionSources.flatMap((path) =>
      keyTemplateUses(readFileSync(path, 'utf8')).map((line) => `${relative(repositoryRoot, path)}:${line}`),
    );
    expect(offenders).toEqual([]);
  });

  it('the check catches key templates and untagged queue prefixes', () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the text of a source line under test
    expect(keyTemplateUses('const key = `${keyPrefix}:shard-lease:${shardId}`;')).toHaveLength(1);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the text of a source line under test
    expect(keyTemplateUses('this.#prefix = `${options.keyPrefix}:rest`;')).toHaveLength(1);
    expect(keyTemplateUses("redis.get(prefix + ':lane-topology')")).toHaveLength(1);
    expect(keyTemplateUses('new Queue(name, { connection, prefix: config.REDIS_KEY_PREFIX })')).toHaveLength(
      1,
    );
    expect(keyTemplateUses('// the shard-lease: a comment')).toEqual([]);
    expect(keyTemplateUses('new Queue(name, { connection, prefix: keys.queuePrefix(name) })')).toEqual([]);
  });
});
