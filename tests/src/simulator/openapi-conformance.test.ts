import { DiscordSimulator } from '@dgc/discord-simulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ServedResponse, spec, validateResponse } from './discord-openapi/openapi-validator.js';
import { exerciseEveryRoute } from './discord-openapi/route-exercises.js';

/**
 * Every route the simulator serves answers as Discord's published OpenAPI description says: each response's
 * status is one the operation declares and its body validates against the declared schema (required fields,
 * types, nullability). The route table is read from the simulator, so a route added later without an
 * exercise in `route-exercises.ts` fails here by name.
 */
describe("REST responses against Discord's OpenAPI description", () => {
  const token = 'c2ltdWxhdG9yLXRlc3Q.openapi.test-token-for-the-simulator-openapi';
  let simulator: DiscordSimulator;
  let served: ServedResponse[];

  beforeAll(async () => {
    simulator = await DiscordSimulator.start({
      token,
      guildCount: 3,
      seed: 21,
      // The exercises run back to back; limits are another test's subject.
      globalRateLimitPerSecond: 10_000,
      routeLimits: { applicationCommands: { limit: 100, windowMs: 1_000 } },
    });
    served = await exerciseEveryRoute(simulator, token);
  }, 60_000);

  afterAll(async () => {
    await simulator?.stop();
  });

  it('exercises every route in the route table with a successful request', () => {
    const uncovered = simulator.restRoutes
      .filter(
        (route) =>
          !served.some(
            (response) =>
              response.method === route.method &&
              route.pattern.test(response.path.split('?')[0] ?? '') &&
              response.status < 300,
          ),
      )
      .map((route) => `${route.method} ${route.pattern.source}`);
    expect(uncovered, 'routes without a successful exercise in route-exercises.ts').toEqual([]);
  });

  it('answers every exercised request with a status and body the description declares', () => {
    expect(spec.openapi).toMatch(/^3\.1\./);
    const failures = served.flatMap((response) => {
      const problems = validateResponse(response);
      return problems.length === 0
        ? []
        : [`${response.method} ${response.path} → ${response.status}: ${problems.join('; ')}`];
    });
    expect(failures).toEqual([]);
    // Error answers are checked too, not only successes.
    expect(served.filter((response) => response.status >= 400).length).toBeGreaterThan(3);
  });
});
