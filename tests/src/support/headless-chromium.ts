import sparticuzChromium from '@sparticuz/chromium';
import { type BrowserContext, chromium } from 'playwright-core';

/**
 * Starts a headless Chromium that comes with `npm install` (`@sparticuz/chromium` ships the browser inside
 * its registry tarball and unpacks it to the temp folder on first use), so the browser test passes on a
 * fresh machine with only Node, Redis and PostgreSQL. A system browser is deliberately not preferred: CI
 * and a new user's machine run the same binary.
 */
export async function launchHeadlessChromium(profileDir: string): Promise<BrowserContext> {
  const executablePath = await sparticuzChromium.executablePath();
  return chromium.launchPersistentContext(profileDir, {
    executablePath,
    headless: true,
    args: [
      ...sparticuzChromium.args,
      // This machine has no route out: without these, Chromium keeps trying to reach Google's hosts.
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
