import { BotModuleError, loadBotModule } from '@dgc/bot-sdk/runtime';
import { describe, expect, it } from 'vitest';
import { repositoryRoot } from './support/services.js';

describe('bot modules', () => {
  it('loads the README example bot with its command and handler', async () => {
    const { registry } = await loadBotModule(`${repositoryRoot}/tests/src/fixtures/readme-bot.ts`);
    expect(registry.commands.map((command) => command.name)).toEqual(['timeout']);
    expect(registry.subscribedEvents()).toEqual(['INTERACTION_CREATE', 'GUILD_MEMBER_ADD']);
    expect(registry.commandNamed('timeout')?.toJSON()).toMatchObject({
      default_member_permissions: String(1n << 40n),
      options: [{ name: 'member' }, { name: 'minutes' }, { name: 'reason', max_length: 512 }],
    });
  });

  it('explains a module that cannot be loaded or has no default export', async () => {
    await expect(loadBotModule(`${repositoryRoot}/tests/src/fixtures/missing-bot.ts`)).rejects.toBeInstanceOf(
      BotModuleError,
    );
    await expect(loadBotModule(`${repositoryRoot}/tests/src/support/services.ts`)).rejects.toThrow(
      /must export a function as default/,
    );
  });
});
