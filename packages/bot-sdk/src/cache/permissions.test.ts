import type { CachedOverwrite } from '@dgc/shared';
import { OverwriteType, PermissionFlagsBits as P } from 'discord-api-types/v10';
import { describe, expect, it } from 'vitest';
import {
  allPermissions,
  basePermissions,
  canModerate,
  type PermissionGuild,
  permissionsIn,
} from './permissions.js';

/**
 * Cases drawn from Discord's documented permission algorithm (Topics → Permissions: "Permission
 * Hierarchy", "Permission Overwrites", "Implicit Permissions", and the timeout rule of Guild Member).
 */
const guildId = '100';
const owner = '1';
const now = Date.parse('2025-01-01T00:00:00Z');
const future = '2025-01-02T00:00:00.000Z';
const past = '2024-12-31T00:00:00.000Z';

const view = P.ViewChannel;
const send = P.SendMessages;
const history = P.ReadMessageHistory;
const manage = P.ManageMessages;
const kick = P.KickMembers;

const context: PermissionGuild = {
  guild: { id: guildId, owner_id: owner },
  roles: [
    { id: guildId, permissions: String(view | send | history), position: 0 },
    { id: 'mod', permissions: String(manage | kick), position: 5 },
    { id: 'helper', permissions: String(manage), position: 3 },
    { id: 'admin', permissions: String(P.Administrator), position: 10 },
    { id: 'muted', permissions: '0', position: 2 },
    { id: 'top', permissions: '0', position: 20 },
  ],
};

const member = (id: string, roles: string[] = [], timedOutUntil: string | null = null) => ({
  id,
  roles,
  communication_disabled_until: timedOutUntil,
});
const role = (id: string, allow: bigint, deny: bigint): CachedOverwrite => ({
  id,
  type: OverwriteType.Role,
  allow: String(allow),
  deny: String(deny),
});
const user = (id: string, allow: bigint, deny: bigint): CachedOverwrite => ({
  id,
  type: OverwriteType.Member,
  allow: String(allow),
  deny: String(deny),
});
const channel = (...permission_overwrites: CachedOverwrite[]) => ({ permission_overwrites });
const everyoneBase = view | send | history;

describe('basePermissions', () => {
  it.each([
    ['the owner has every permission', member(owner), allPermissions],
    ['the owner with no roles still has all', member(owner, []), allPermissions],
    ['a member without roles has @everyone', member('2'), everyoneBase],
    ['roles are OR-ed over @everyone', member('2', ['mod']), everyoneBase | manage | kick],
    ['several roles combine', member('2', ['mod', 'helper']), everyoneBase | manage | kick],
    ['ADMINISTRATOR grants all', member('2', ['admin']), allPermissions],
    ['a deleted role is ignored', member('2', ['gone']), everyoneBase],
    ['a timed-out member keeps view and history', member('2', ['mod'], future), view | history],
    ['an expired timeout changes nothing', member('2', ['mod'], past), everyoneBase | manage | kick],
    ['an administrator is not limited by a timeout', member('2', ['admin'], future), allPermissions],
  ])('%s', (_case, who, expected) => {
    expect(basePermissions(context, who, now)).toBe(expected);
  });
});

describe('permissionsIn', () => {
  it.each([
    ['no overwrites: the base permissions', channel(), member('2'), everyoneBase],
    ['the owner ignores every deny', channel(role(guildId, 0n, view | send)), member(owner), allPermissions],
    [
      'ADMINISTRATOR ignores overwrites',
      channel(role(guildId, 0n, view), user('2', 0n, view)),
      member('2', ['admin']),
      allPermissions,
    ],
    ['@everyone deny removes', channel(role(guildId, 0n, send)), member('2'), view | history],
    ['@everyone allow adds', channel(role(guildId, manage, 0n)), member('2'), everyoneBase | manage],
    [
      'a role allow beats the @everyone deny',
      channel(role(guildId, 0n, send), role('helper', send, 0n)),
      member('2', ['helper']),
      everyoneBase | manage,
    ],
    [
      'a role deny beats the @everyone allow',
      channel(role(guildId, manage, 0n), role('muted', 0n, manage)),
      member('2', ['muted']),
      everyoneBase,
    ],
    [
      'role overwrites combine: one role allows what another denies, allow wins',
      channel(role('muted', 0n, send), role('helper', send, 0n)),
      member('2', ['muted', 'helper']),
      everyoneBase | manage,
    ],
    [
      'role denies apply together before role allows',
      channel(role('helper', send, 0n), role('muted', 0n, send | history)),
      member('2', ['helper', 'muted']),
      view | send | manage,
    ],
    [
      "another role's overwrite does not apply",
      channel(role('mod', 0n, send)),
      member('2', ['helper']),
      everyoneBase | manage,
    ],
    [
      'the member overwrite beats a role allow',
      channel(role('helper', send, 0n), user('2', 0n, send)),
      member('2', ['helper']),
      view | history | manage,
    ],
    [
      'the member overwrite beats a role deny',
      channel(role('muted', 0n, send), user('2', send, 0n)),
      member('2', ['muted']),
      everyoneBase,
    ],
    [
      'the member overwrite beats the @everyone deny',
      channel(role(guildId, 0n, send), user('2', send, 0n)),
      member('2'),
      everyoneBase,
    ],
    ["another member's overwrite does not apply", channel(user('3', 0n, send)), member('2'), everyoneBase],
    [
      'a member overwrite with the id of a role is not a role overwrite',
      channel(user('helper', 0n, send)),
      member('2', ['helper']),
      everyoneBase | manage,
    ],
    ['without VIEW_CHANNEL nothing else is granted', channel(role(guildId, 0n, view)), member('2'), 0n],
    [
      'VIEW_CHANNEL given back by a role restores the rest',
      channel(role(guildId, 0n, view), role('helper', view, 0n)),
      member('2', ['helper']),
      everyoneBase | manage,
    ],
    [
      'VIEW_CHANNEL given back by the member overwrite',
      channel(role(guildId, 0n, view), user('2', view, 0n)),
      member('2'),
      everyoneBase,
    ],
    [
      'a timed-out member keeps only view and history',
      channel(),
      member('2', ['mod'], future),
      view | history,
    ],
    [
      'a timeout limits even what overwrites allow',
      channel(user('2', send | manage, 0n)),
      member('2', [], future),
      view | history,
    ],
    [
      'a timed-out member denied VIEW_CHANNEL has nothing',
      channel(user('2', 0n, view)),
      member('2', [], future),
      0n,
    ],
    [
      'an expired timeout: overwrites as usual',
      channel(user('2', manage, 0n)),
      member('2', [], past),
      everyoneBase | manage,
    ],
    ['a timed-out administrator keeps everything', channel(), member('2', ['admin'], future), allPermissions],
    ['the timed-out owner keeps everything', channel(), member(owner, [], future), allPermissions],
  ])('%s', (_case, where, who, expected) => {
    expect(permissionsIn(context, where, who, now)).toBe(expected);
  });
});

describe('permissionsIn a thread (Discord: threads inherit the permissions of their parent channel)', () => {
  const parent = channel(role(guildId, 0n, send), role('helper', send | manage, 0n), user('3', 0n, view));
  const thread = (of: ReturnType<typeof channel>) => ({ parent: of });
  it.each([
    ["the parent's @everyone deny applies", member('2'), view | history],
    ["the parent's role allow applies", member('2', ['helper']), everyoneBase | manage],
    ["the parent's member deny of VIEW_CHANNEL hides the thread", member('3'), 0n],
    ['the owner has all in the thread', member(owner), allPermissions],
    ['ADMINISTRATOR has all in the thread', member('3', ['admin']), allPermissions],
    [
      'a timed-out member keeps view and history in the thread',
      member('2', ['helper'], future),
      view | history,
    ],
  ])('%s', (_case, who, expected) => {
    expect(permissionsIn(context, thread(parent), who, now)).toBe(expected);
    // The same as in the parent channel itself.
    expect(permissionsIn(context, parent, who, now)).toBe(expected);
  });

  it("takes the parent's overwrites, not the thread's own (a thread has none that count)", () => {
    const open = channel();
    const closed = channel(role(guildId, 0n, view));
    expect(permissionsIn(context, thread(closed), member('2'), now)).toBe(0n);
    expect(permissionsIn(context, thread(open), member('2'), now)).toBe(everyoneBase);
    // A thread-shaped object that also carries overwrites of its own: the parent's still decide.
    expect(permissionsIn(context, { ...open, parent: closed }, member('2'), now)).toBe(0n);
  });
});

describe('canModerate', () => {
  it.each([
    ['the owner acts on anyone', member(owner), member('2', ['top']), true],
    ['nobody acts on the owner', member('2', ['top']), member(owner), false],
    ['nobody acts on themselves', member('2', ['top']), member('2', ['top']), false],
    ['the owner does not act on themselves', member(owner), member(owner), false],
    ['a higher role acts on a lower one', member('2', ['mod']), member('3', ['helper']), true],
    ['a lower role does not act on a higher one', member('2', ['helper']), member('3', ['mod']), false],
    ['equal highest roles: neither acts', member('2', ['mod']), member('3', ['mod', 'helper']), false],
    ['the highest role counts, not the sum', member('2', ['mod']), member('3', ['helper', 'muted']), true],
    ['any role is above no role', member('2', ['muted']), member('3'), true],
    ['no role acts on nobody', member('2'), member('3'), false],
    ['administrator does not bypass the hierarchy', member('2', ['admin']), member('3', ['top']), false],
    ['deleted roles count for nothing', member('2', ['gone']), member('3'), false],
  ])('%s', (_case, actor, target, expected) => {
    expect(canModerate(context, actor, target)).toBe(expected);
  });
});
