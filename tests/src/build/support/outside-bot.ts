import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runToCompletion } from '@dgc/dev-tools/compiled-build';

/** The SDK and the one workspace package it depends on, packed as a team would receive them. */
const packedWorkspaces = ['packages/shared', 'packages/bot-sdk'] as const;

/**
 * A team's bot as it lives in its own repository, outside the monorepo's workspaces: a package.json that
 * depends on the packed SDK, and a compiled ES module whose default export is `defineBot(...)` with a
 * `/hello` command. (Plain JavaScript stands for the team's compiled output.)
 */
const botModuleSource = `import { defineBot, defineCommand } from '@dgc/bot-sdk';

const hello = defineCommand({
  name: 'hello',
  description: 'Says hello from a bot built outside the cluster repository',
  autoDeferAfterMs: false,
  async execute({ reply }) {
    await reply({ content: 'Hello from the team bot', ephemeral: true });
  },
});

export default defineBot((bot) => {
  bot.command(hello);
});
`;

export interface OutsideBot {
  /** The bot's folder (its own package, not a workspace of this repository). */
  folder: string;
  /** What WORKER_BOT_MODULE names: the bot's compiled module. */
  module: string;
}

/**
 * Packs the SDK (`npm pack`, from a built source tree) into `<folder>/packs` and creates the bot in
 * `<folder>/bot`, installed from those tarballs (`npm install`, from npm's cache where it can).
 */
export async function createOutsideBot(builtSourceTree: string, folder: string): Promise<OutsideBot> {
  const packs = join(folder, 'packs');
  const botFolder = join(folder, 'bot');
  await mkdir(packs, { recursive: true });
  await mkdir(botFolder, { recursive: true });
  const dependencies: Record<string, string> = {};
  for (const workspace of packedWorkspaces) {
    const output = await runToCompletion(
      'npm',
      ['pack', '--json', '--loglevel=error', '--pack-destination', packs],
      {
        cwd: join(builtSourceTree, workspace),
      },
    );
    const [packed] = JSON.parse(output) as { name: string; filename: string }[];
    if (!packed) throw new Error(`npm pack of ${workspace} reported no tarball:\n${output}`);
    dependencies[packed.name] = `file:${join(packs, packed.filename)}`;
  }
  const manifest = { name: 'team-bot', version: '1.0.0', private: true, type: 'module', dependencies };
  await writeFile(join(botFolder, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  await writeFile(join(botFolder, 'bot.js'), botModuleSource);
  await runToCompletion(
    'npm',
    ['install', '--prefer-offline', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'],
    { cwd: botFolder },
  );
  return { folder: botFolder, module: join(botFolder, 'bot.js') };
}
