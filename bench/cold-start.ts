import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BIN, coldStart, log, median, ms, nodeStart, type Row } from './harness.js';

const BARE = fileURLToPath(new URL('./bare-server.js', import.meta.url));
const UNBUNDLED = fileURLToPath(new URL('../src/cli.js', import.meta.url));

/**
 * Spawn → tools/list answered, against `node -e 0` and a bare SDK server. The
 * subjects take turns, run after run, so drift on a shared machine hits all alike.
 */
export async function benchColdStart(runs: number): Promise<Row[]> {
  const dir = mkdtempSync(join(tmpdir(), 'ticket-mcp-bench-cold-'));
  const db = join(dir, 'tickets.db');
  // An existing database, as a runtime restarting its server finds it.
  await coldStart(process.execPath, [BIN, '--db', db]);
  const samples = { node: [] as number[], bare: [] as number[], bin: [] as number[], unbundled: [] as number[] };
  for (let i = 0; i < runs; i++) {
    samples.node.push(nodeStart());
    samples.bare.push(await coldStart(process.execPath, [BARE]));
    samples.bin.push(await coldStart(process.execPath, [BIN, '--db', db, '--log-level', 'warn']));
    samples.unbundled.push(await coldStart(process.execPath, [UNBUNDLED, '--db', db, '--log-level', 'warn']));
  }
  rmSync(dir, { recursive: true, force: true });
  const node = median(samples.node);
  const bare = median(samples.bare);
  const bin = median(samples.bin);
  const unbundled = median(samples.unbundled);
  log(`cold start medians: node -e 0 ${ms(node)}, bare SDK ${ms(bare)}, ticket-mcp ${ms(bin)}, unbundled ${ms(unbundled)}`);
  const section = `Cold start (spawn → tools/list, median of ${runs})`;
  return [
    { section, measure: 'ticket-mcp (published bin)', value: ms(bin), baseline: `node -e 0: ${ms(node)}`, ratio: bin / node, target: '≤ 2.0×', met: bin / node <= 2.0 },
    { section, measure: 'ticket-mcp (published bin)', value: ms(bin), baseline: `bare SDK server, 1 tool: ${ms(bare)}`, ratio: bin / bare, target: '—' },
    { section, measure: 'ticket-mcp without the bundle', value: ms(unbundled), baseline: `node -e 0: ${ms(node)}`, ratio: unbundled / node, target: '—' },
  ];
}
