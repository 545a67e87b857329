import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { describe, it } from 'vitest';

/**
 * Debian's Chromium for the console's browser tests, driven by playwright-core. With no
 * Chromium the suite is skipped with one loud line on stderr; with CI=true it fails instead,
 * so CI cannot pass without running it (as describePg does for PostgreSQL).
 */
export const CHROMIUM = process.env.TICKETS_TEST_CHROMIUM || '/usr/bin/chromium';

/** The flags of TOOLCHAIN.md: without the background-networking ones Chromium floods the closed network. */
const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export const launchBrowser = (): Promise<Browser> => chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });

export function describeBrowser(name: string, body: () => void): void {
  if (existsSync(CHROMIUM)) {
    describe(name, body);
    return;
  }
  const why = `no Chromium at ${CHROMIUM}; apt-get install -y chromium, or set TICKETS_TEST_CHROMIUM`;
  if (process.env.CI === 'true') {
    describe(name, () => {
      it('has Chromium (CI=true)', () => {
        throw new Error(`Browser suite "${name}" FAILED: ${why}`);
      });
    });
    return;
  }
  process.stderr.write(`Browser suite "${name}" SKIPPED: ${why}\n`);
  describe.skip(name, body);
}
