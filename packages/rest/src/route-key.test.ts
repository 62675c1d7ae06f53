import { describe, expect, it } from 'vitest';
import { routeKeyOf } from './route-key.js';

describe('routeKeyOf', () => {
  it('keys a request by method, generalised route and major parameter', () => {
    expect(
      routeKeyOf('https://discord.com/api/v10/channels/123456789012345678/messages?limit=5', 'post'),
    ).toEqual({
      route: 'POST:/channels/:id/messages',
      major: '123456789012345678',
      exemptFromGlobal: false,
      exemptFromBuckets: false,
    });
    expect(
      routeKeyOf('http://127.0.0.1:9/api/v10/guilds/123456789012345678/bans/223456789012345678', 'PUT'),
    ).toMatchObject({
      route: 'PUT:/guilds/:id/bans/:id',
      major: '123456789012345678',
    });
    expect(routeKeyOf('http://127.0.0.1:9/api/v10/users/@me', 'GET')).toMatchObject({ major: 'global' });
  });

  it('exempts interaction callbacks and interaction webhooks from the global limit', () => {
    expect(
      routeKeyOf(
        'https://discord.com/api/v10/interactions/123456789012345678/aW50ZXJhY3Rpb24/callback',
        'POST',
      ),
    ).toMatchObject({
      exemptFromGlobal: true,
      exemptFromBuckets: true,
      major: '123456789012345678',
      route: 'POST:/interactions/:id/:token/callback',
    });
    const followUp = routeKeyOf(
      'https://discord.com/api/v10/webhooks/123456789012345678/aW50ZXJhY3Rpb24',
      'POST',
    );
    expect(followUp.exemptFromGlobal).toBe(true);
    expect(followUp.route).not.toContain('aW50ZXJhY3Rpb24');
  });
});
