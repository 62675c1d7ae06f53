import type { DiscordSimulator } from '@dgc/discord-simulator';

/** A plain HTTP client for the simulator's REST API, as a bot would call it. */
export function restClient(simulator: DiscordSimulator, token: string) {
  return async (path: string, init: RequestInit & { auth?: boolean; reason?: string } = {}) => {
    const headers = new Headers(init.headers);
    if (init.auth !== false) headers.set('authorization', `Bot ${token}`);
    if (init.body) headers.set('content-type', 'application/json');
    if (init.reason) headers.set('x-audit-log-reason', encodeURIComponent(init.reason));
    const response = await fetch(`${simulator.restUrl}/v10${path}`, { ...init, headers });
    const text = await response.text();
    return {
      status: response.status,
      headers: response.headers,
      body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined,
    };
  };
}
