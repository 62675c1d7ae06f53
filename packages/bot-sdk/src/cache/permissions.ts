import type { CachedChannel, CachedGuild, CachedMember, CachedRole } from '@dgc/shared';
import { OverwriteType, PermissionFlagsBits } from 'discord-api-types/v10';

/** Every permission bit Discord defines (what the owner and administrators have). */
export const allPermissions: bigint = Object.values(PermissionFlagsBits).reduce((all, bit) => all | bit, 0n);

/** What a timed-out member keeps in a channel (Discord's documented exception to every grant). */
const timedOutPermissions = PermissionFlagsBits.ViewChannel | PermissionFlagsBits.ReadMessageHistory;

/** The guild facts a permission decision reads. */
export interface PermissionGuild {
  guild: Pick<CachedGuild, 'id' | 'owner_id'>;
  /** Every role of the guild (the @everyone role's id is the guild's). */
  roles: readonly Pick<CachedRole, 'id' | 'permissions' | 'position'>[];
}

type Member = Pick<CachedMember, 'id' | 'roles' | 'communication_disabled_until'>;

function isTimedOut(member: Member, now: number): boolean {
  const until = member.communication_disabled_until;
  return until !== null && Date.parse(until) > now;
}

/**
 * A member's guild-wide permissions, following Discord's documented `compute_base_permissions`: the owner
 * has all; else the @everyone role's permissions OR'ed with those of each of the member's roles (ids of
 * deleted roles are ignored); ADMINISTRATOR grants all. A timed-out member keeps only VIEW_CHANNEL and
 * READ_MESSAGE_HISTORY (owners and administrators cannot be timed out).
 */
export function basePermissions({ guild, roles }: PermissionGuild, member: Member, now = Date.now()): bigint {
  if (member.id === guild.owner_id) return allPermissions;
  const byId = new Map(roles.map((role) => [role.id, role]));
  let permissions = BigInt(byId.get(guild.id)?.permissions ?? 0);
  for (const roleId of member.roles) {
    const role = byId.get(roleId);
    if (role) permissions |= BigInt(role.permissions);
  }
  if ((permissions & PermissionFlagsBits.Administrator) !== 0n) return allPermissions;
  return isTimedOut(member, now) ? permissions & timedOutPermissions : permissions;
}

type Overwrites = Pick<CachedChannel, 'permission_overwrites'>;

/**
 * Where the overwrites of a permission decision come from: a channel's own, or, for a thread, its parent
 * channel's (`{ parent }`). Discord's docs (Topics → Threads → Permissions): threads inherit the permissions
 * of their parent channel and have no overwrites of their own; SEND_MESSAGES_IN_THREADS, not SEND_MESSAGES,
 * governs posting in one (both bits come from the parent's overwrites alike).
 */
export type PermissionChannel = Overwrites | { parent: Overwrites };

/**
 * A member's permissions in a channel (or a thread, through its parent: `PermissionChannel`), Discord's `compute_overwrites` over the base permissions: the owner
 * and administrators have all; else the channel's @everyone overwrite (deny, then allow), then the
 * overwrites of the member's roles together (all their denies, then all their allows), then the member's
 * own overwrite. A timed-out member is then limited to VIEW_CHANNEL and READ_MESSAGE_HISTORY. Without
 * VIEW_CHANNEL a member has no permission in the channel at all (Discord's implicit denial).
 */
export function permissionsIn(
  context: PermissionGuild,
  channel: PermissionChannel,
  member: Member,
  now = Date.now(),
): bigint {
  const base = basePermissions(context, member, now);
  if (base === allPermissions) return allPermissions;
  let permissions = base;
  const overwrites =
    'parent' in channel ? channel.parent.permission_overwrites : channel.permission_overwrites;
  const everyone = overwrites.find((overwrite) => overwrite.id === context.guild.id);
  if (everyone) permissions = (permissions & ~BigInt(everyone.deny)) | BigInt(everyone.allow);
  let allow = 0n;
  let deny = 0n;
  for (const overwrite of overwrites) {
    if (overwrite.type !== OverwriteType.Role || overwrite.id === context.guild.id) continue;
    if (!member.roles.includes(overwrite.id)) continue;
    allow |= BigInt(overwrite.allow);
    deny |= BigInt(overwrite.deny);
  }
  permissions = (permissions & ~deny) | allow;
  const own = overwrites.find(
    (overwrite) => overwrite.type === OverwriteType.Member && overwrite.id === member.id,
  );
  if (own) permissions = (permissions & ~BigInt(own.deny)) | BigInt(own.allow);
  if (isTimedOut(member, now)) permissions &= timedOutPermissions;
  if ((permissions & PermissionFlagsBits.ViewChannel) === 0n) return 0n;
  return permissions;
}

/** The position of a member's highest role (0, @everyone's, when it has none). */
export function highestRolePosition(context: PermissionGuild, member: Pick<CachedMember, 'roles'>): number {
  let highest = 0;
  for (const role of context.roles) {
    if (role.position > highest && member.roles.includes(role.id)) highest = role.position;
  }
  return highest;
}

/**
 * Whether `actor` may act on `target` by Discord's hierarchy (kick, ban, timeout, role edits): nobody acts
 * on the owner or on themselves; the owner acts on everyone else; otherwise the actor's highest role must
 * be strictly above the target's. Whether the actor holds the permission for the action is a separate
 * check (`permissionsIn` / `basePermissions`).
 */
export function canModerate(
  context: PermissionGuild,
  actor: Pick<CachedMember, 'id' | 'roles'>,
  target: Pick<CachedMember, 'id' | 'roles'>,
): boolean {
  if (actor.id === target.id || target.id === context.guild.owner_id) return false;
  if (actor.id === context.guild.owner_id) return true;
  return highestRolePosition(context, actor) > highestRolePosition(context, target);
}
