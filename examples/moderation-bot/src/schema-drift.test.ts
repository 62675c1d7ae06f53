import { schemaDrift } from '@dgc/shared/db';
import { describe, expect, it } from 'vitest';
import { moderationBotDatabase } from './database.js';

describe("the moderation bot's schema", () => {
  it('has no drift: the committed migrations produce exactly the committed schema', async () => {
    expect(
      await schemaDrift({
        schemaFile: moderationBotDatabase.prismaSchema,
        migrationsDir: moderationBotDatabase.migrationsDir,
        historySchema: moderationBotDatabase.schemaName,
      }),
    ).toBe('');
  });
});
