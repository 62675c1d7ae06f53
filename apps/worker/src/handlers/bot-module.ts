import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { HandlerRegistry } from './handler-registry.js';

/** What a bot module's default export does: add its event handlers and slash commands to the registry. */
export type BotSetup = (registry: HandlerRegistry) => void | Promise<void>;

/** Types a bot module's default export: `export default defineBot((bot) => bot.on(...).command(...))`. */
export function defineBot(setup: BotSetup): BotSetup {
  return setup;
}

export class BotModuleError extends Error {
  override readonly name = 'BotModuleError';
  /** EX_CONFIG: the configured module is wrong, restarting will not help. */
  readonly exitCode = 78;
}

/** Loads a bot module (path relative to the working directory) and builds its registry. */
export async function loadBotModule(path: string): Promise<HandlerRegistry> {
  const url = pathToFileURL(isAbsolute(path) ? path : resolve(process.cwd(), path)).href;
  let loaded: { default?: unknown };
  try {
    loaded = (await import(url)) as { default?: unknown };
  } catch (error) {
    throw new BotModuleError(`WORKER_BOT_MODULE ${path} could not be loaded`, { cause: error });
  }
  if (typeof loaded.default !== 'function') {
    throw new BotModuleError(`WORKER_BOT_MODULE ${path} must export a function as default (see defineBot)`);
  }
  const registry = new HandlerRegistry();
  await (loaded.default as BotSetup)(registry);
  return registry;
}
