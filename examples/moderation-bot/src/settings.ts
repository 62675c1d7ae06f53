import { envGroup, variable } from '@dgc/bot-sdk';
import { z } from 'zod';

/**
 * The moderation bot's own settings, read by the workers and schedulers that run it (listed in
 * scripts/config-docs, so they appear in `.env.example` and the README's table).
 */
export const moderationBotEnvSchema = z.object(
  envGroup('Moderation bot (examples/moderation-bot)', {
    MODERATION_BOT_PRESENCE_ROTATION_MS: variable(
      z.coerce
        .number({ message: 'must be a whole number' })
        .int('must be a whole number')
        .min(1_000, 'must be at least 1000')
        .default(60_000),
      'How often the bot changes its presence (ms, at least 1000). Discord applies at most 5 presence updates per 20 s on a shard and ignores the rest.',
    ),
  }),
);

export type ModerationBotSettings = z.output<typeof moderationBotEnvSchema>;

/** The settings, read once when the bot is set up; a bad value stops the process naming the variable. */
export function readModerationBotSettings(env: NodeJS.ProcessEnv): ModerationBotSettings {
  const parsed = moderationBotEnvSchema.safeParse(env);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`);
  throw new TypeError(`moderation bot settings: ${problems.join('; ')}`);
}
