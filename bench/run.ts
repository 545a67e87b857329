/**
 * npm run bench [-- --quick] [-- --only cold,latency,throughput,scale,peers,postgres,answers,console]
 *
 * Every figure is measured in this run, on this machine, and reported as a ratio to
 * a baseline measured in the same run: absolute times drift on shared machines,
 * ratios much less. The table is printed and written to bench/RESULTS.md.
 */
import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { benchColdStart } from './cold-start.js';
import { benchConsole } from './console.js';
import { log, type Row } from './harness.js';
import { benchLatency } from './latency.js';
import { benchPeers } from './peers.js';
import { benchPostgres } from './postgres.js';
import { benchPromptAnswers } from './prompt-answers.js';
import { benchScale } from './scale.js';
import { benchThroughput } from './throughput.js';

const SECTIONS = ['cold', 'latency', 'throughput', 'scale', 'peers', 'postgres', 'answers', 'console'] as const;
const RESULTS = fileURLToPath(new URL('../../bench/RESULTS.md', import.meta.url));

function table(rows: Row[]): string {
  const lines = ['| measure | value | baseline (same run) | ratio | target | met |', '|---|---|---|---|---|---|'];
  let section = '';
  for (const row of rows) {
    if (row.section !== section) {
      section = row.section;
      lines.push(`| **${section}** | | | | | |`);
    }
    const met = row.met === undefined ? '' : row.met ? 'yes' : '**no**';
    lines.push(`| ${row.measure} | ${row.value} | ${row.baseline} | ${row.ratio === null ? '—' : `${row.ratio.toFixed(2)}×`} | ${row.target} | ${met} |`);
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { quick: { type: 'boolean' }, only: { type: 'string' } } });
  const quick = values.quick ?? false;
  const only = new Set(values.only?.split(',') ?? SECTIONS);
  const rows: Row[] = [];
  const started = Date.now();
  if (only.has('cold')) rows.push(...(await benchColdStart(quick ? 11 : 31)));
  if (only.has('latency')) rows.push(...(await benchLatency(quick ? 500 : 2000)));
  if (only.has('throughput')) rows.push(...(await benchThroughput(quick ? 2000 : 10_000)));
  if (only.has('scale')) rows.push(...(await benchScale(quick ? [1_000, 100_000] : [1_000, 100_000, 1_000_000], quick ? 200 : 500)));
  if (only.has('peers')) rows.push(...(await benchPeers(quick ? 2_000 : 10_000, quick ? 200 : 1_000, quick ? 5 : 11)));
  if (only.has('postgres')) rows.push(...(await benchPostgres(quick ? 300 : 2000, quick ? 400 : 2000)));
  if (only.has('answers')) rows.push(...(await benchPromptAnswers()));
  if (only.has('console')) rows.push(...(await benchConsole(100_000, quick ? 200 : 1000)));
  const minutes = ((Date.now() - started) / 60_000).toFixed(1);
  const machine = `${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB; Node ${process.version}; ${process.platform} ${process.arch}`;
  const report = [
    '# Benchmark results',
    '',
    `Measured ${new Date().toISOString().slice(0, 10)} on ${machine}, by \`npm run bench${quick ? ' -- --quick' : ''}\` (${minutes} min).`,
    'Each ratio compares two figures measured in this same run.',
    '',
    table(rows),
    '',
  ].join('\n');
  process.stdout.write(`\n${table(rows)}\n`);
  if (only.size === SECTIONS.length) {
    writeFileSync(RESULTS, report);
    log(`\nwrote ${RESULTS}`);
  }
  const missed = rows.filter((r) => r.met === false).length;
  log(`${rows.filter((r) => r.met !== undefined).length - missed} targets met, ${missed} missed.`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
