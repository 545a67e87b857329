/**
 * node dist/bench/prompt-answers.js [--bin PATH]
 *
 * The answers a model reads on the scripted run of the 28 everyday prompts
 * (bench/model-prompts.ts), over stdio against the built bin (or another build, with
 * --bin, to measure an earlier version the same way): the median text of an answer
 * that changed a ticket, and the whole run's answer bytes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { BIN, connect, log, type Row } from './harness.js';
import { promptFigures, runModelPrompts, type PromptRun } from './model-prompts.js';

/** The first version's run, as the shared prompt list records it: 55 tool calls answering 110,006 bytes. */
const FIRST_VERSION = { calls: 55, bytes: 110_006, medianChangeBytes: 1_400 };

export async function promptRun(bin = BIN): Promise<PromptRun> {
  const dir = mkdtempSync(join(tmpdir(), 'ticket-mcp-prompts-'));
  const db = join(dir, 'prompts.db');
  const env = { HOME: dir };
  const model = await connect(process.execPath, [bin, '--db', db, '--actor', 'claude@acme.example'], env);
  let priya: Awaited<ReturnType<typeof connect>> | undefined;
  const asPriya = async () => (priya ??= await connect(process.execPath, [bin, '--db', db, '--actor', 'priya@acme.example'], env)).client;
  try {
    return await runModelPrompts(model.client, asPriya);
  } finally {
    await model.close();
    await priya?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchPromptAnswers(bin = BIN): Promise<Row[]> {
  const run = await promptRun(bin);
  const f = promptFigures(run);
  if (run.skipped.length > 0) log(`answers: skipped until their tools land: ${run.skipped.map((s) => `${s.prompt} (needs ${s.needs})`).join('; ')}`);
  const section = 'answers (28 prompts)';
  const below = 1 - f.answerBytes / FIRST_VERSION.bytes;
  return [
    {
      section,
      measure: `median text of a ticket-changing answer (${f.changes} of them)`,
      value: `${f.medianChangeBytes} B`,
      baseline: `~${FIRST_VERSION.medianChangeBytes} B (first version)`,
      ratio: f.medianChangeBytes / FIRST_VERSION.medianChangeBytes,
      target: '≤ 700 B',
      met: f.medianChangeBytes <= 700,
    },
    {
      section,
      measure: `answer bytes of the whole run (${f.toolCalls} tool calls; ${run.skipped.length} prompts skipped)`,
      value: `${f.answerBytes.toLocaleString('en')} B (${Math.round(below * 100)}% below)`,
      baseline: `${FIRST_VERSION.bytes.toLocaleString('en')} B for ${FIRST_VERSION.calls} calls (first version)`,
      ratio: f.answerBytes / FIRST_VERSION.bytes,
      target: '≥ 40% below',
      met: below >= 0.4,
    },
  ];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { bin: { type: 'string' }, verbose: { type: 'boolean' } } });
  const run = await promptRun(values.bin ?? BIN);
  if (values.verbose) for (const c of run.calls) log(`${c.bytes}\t${c.changedTicket ? '*' : ' '} ${c.tool}\t${c.prompt}\t${c.envelope.message}`);
  log(JSON.stringify({ ...promptFigures(run), skipped: run.skipped }));
}
