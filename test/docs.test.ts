import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { OUTPUT_SCHEMA_BUDGET, readmeFile, SURFACE_TOKEN_BUDGET, surfaceSize, withGeneratedParts } from '../scripts/gen-readme.js';

describe('README.md', () => {
  it('has the tool table and surface size of the registry (run `npm run gen:readme` after changing a tool)', async () => {
    const readme = readFileSync(readmeFile, 'utf8');
    expect(readme).toBe(await withGeneratedParts(readme));
  });

  it('keeps tools/list within its token budget', async () => {
    expect((await surfaceSize({})).modelTokens).toBeLessThanOrEqual(SURFACE_TOKEN_BUDGET.full);
    expect((await surfaceSize({ readOnly: true })).modelTokens).toBeLessThanOrEqual(SURFACE_TOKEN_BUDGET.readOnly);
  });

  it('keeps the output schemas of tools/list within their byte budget', async () => {
    expect((await surfaceSize({})).outputSchemaBytes).toBeLessThanOrEqual(OUTPUT_SCHEMA_BUDGET);
  });

  it('gives the demo and the test commands on its first screen, and CI runs the same test command', () => {
    const firstScreen = readFileSync(readmeFile, 'utf8').split('\n').slice(0, 15).join('\n');
    expect(firstScreen).toContain('npm ci && npm run demo');
    expect(firstScreen).toContain('npm ci && npm test');
    const ci = readFileSync(new URL('../.ci/run', import.meta.url), 'utf8');
    expect(ci).toMatch(/^npm ci$/m);
    expect(ci).toMatch(/^npm test$/m);
  });
});
