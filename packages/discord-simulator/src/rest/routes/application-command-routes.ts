import { RestError, type RouteDefinition } from '../rest-route.js';
import type { RestState } from '../rest-state.js';

/**
 * `/applications/{app}/commands` and `/applications/{app}/guilds/{guild}/commands`: bulk overwrite, list,
 * get and delete, with Discord's validation errors (50035) for bad names, descriptions and option counts.
 */
export function applicationCommandRoutes(state: RestState): RouteDefinition[] {
  const application = (applicationId: string) => {
    if (applicationId !== state.world.application.id)
      throw new RestError(403, { code: 50001, message: 'Missing Access' });
  };
  const guild = (guildId: string | undefined) => {
    if (guildId !== undefined && !state.world.guildsById.has(guildId))
      throw new RestError(403, { code: 50001, message: 'Missing Access' });
    return guildId;
  };
  const major = ([applicationId]: string[]) => applicationId ?? '';
  // One list of routes for both scopes: the guild form has the guild id as its second parameter.
  return (['global', 'guild'] as const).flatMap((scope): RouteDefinition[] => {
    const base =
      scope === 'global' ? '/applications/(\\d+)/commands' : '/applications/(\\d+)/guilds/(\\d+)/commands';
    const template = (params: string[]) =>
      scope === 'global'
        ? `/applications/${params[0]}/commands`
        : `/applications/${params[0]}/guilds/${params[1]}/commands`;
    const guildOf = (params: string[]) => (scope === 'guild' ? guild(params[1]) : undefined);
    const commandIdOf = (params: string[]) => params[scope === 'global' ? 1 : 2] ?? '';
    const collection = (method: string, handle: RouteDefinition['handle']): RouteDefinition => ({
      method,
      pattern: new RegExp(`^${base}/?$`),
      route: template,
      bucket: state.policies.applicationCommands,
      majorParameter: major,
      handle,
    });
    const single = (method: string, handle: RouteDefinition['handle']): RouteDefinition => ({
      method,
      pattern: new RegExp(`^${base}/(\\d+)/?$`),
      route: (params) => `${template(params)}/${commandIdOf(params)}`,
      bucket: state.policies.applicationCommands,
      majorParameter: major,
      handle,
    });
    return [
      collection('GET', ({ params }) => {
        application(params[0] ?? '');
        return { status: 200, body: state.commands.list(guildOf(params)) };
      }),
      collection('PUT', ({ params, body }) => {
        application(params[0] ?? '');
        return { status: 200, body: state.commands.overwrite(guildOf(params), body) };
      }),
      single('GET', ({ params }) => {
        application(params[0] ?? '');
        return { status: 200, body: state.commands.get(guildOf(params), commandIdOf(params)) };
      }),
      single('DELETE', ({ params }) => {
        application(params[0] ?? '');
        state.commands.delete(guildOf(params), commandIdOf(params));
        return { status: 204 };
      }),
    ];
  });
}
