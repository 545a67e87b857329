/**
 * A scripted agent session against a throwaway database: two agent runtimes, each
 * with its own ticket-mcp process over stdio, driven by the real MCP SDK client.
 *   npm run demo            (summaries)
 *   npm run demo -- --json  (every envelope in full)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';

const CLI = fileURLToPath(new URL('../src/cli.js', import.meta.url));
const full = process.argv.includes('--json');
const color = process.stdout.isTTY ? (code: number, text: string) => `\x1b[${code}m${text}\x1b[0m` : (_: number, text: string) => text;

interface Envelope {
  data: any;
  status: boolean;
  message: string;
  error?: { code: string; hint?: string; details?: unknown; candidates?: unknown };
}

async function startAgent(db: string, actor: string): Promise<Client> {
  const transport = new StdioClientTransport({ command: process.execPath, args: [CLI, '--db', db, '--actor', actor], stderr: 'ignore' });
  const client = new Client({ name: 'ticket-mcp-demo', version: '1.0.0' });
  await client.connect(transport);
  await client.listTools();
  return client;
}

/** One line per ticket or row, so the session reads like a transcript. */
function summarize(data: any): string[] {
  if (!data) return [];
  const ticket = (t: any) =>
    `${t.ticketIdentifier} "${t.title}" [${t.status}] assignee: ${t.assignedAgent ?? '—'}, priority: ${t.priority}` +
    `${t.tags.length ? `, tags: ${t.tags.map((g: any) => g.name).join(', ')}` : ''}, version ${t.version}`;
  if (data.ticketIdentifier) return [ticket(data), ...(data.comments ?? []).map((c: any) => `  💬 ${c.author}${c.internal ? ' (internal)' : ''}: ${c.body}`)];
  if (data.ticket && data.comment) return [`💬 ${data.comment.author}: ${data.comment.body}`, ticket(data.ticket)];
  if (data.tickets) return data.tickets.map((r: any) => `${r.key.padEnd(7)} [${r.status}] ${r.title} — ${r.assignee ?? 'unassigned'}${r.tags.length ? ` #${r.tags.join(' #')}` : ''}`);
  if (data.events) {
    return data.events.map((e: any) => {
      const d = e.details;
      const what =
        e.type === 'status_changed' ? `${d.from} → ${d.to}` :
        e.type === 'assignment_changed' ? `${d.from?.name ?? 'nobody'} → ${d.to?.name ?? 'nobody'} (${d.circumstance}${d.forced ? ', forced' : ''})` :
        e.type === 'comment_added' ? `"${d.body}"` :
        e.type === 'metadata_updated' ? `${d.field}: ${JSON.stringify(d.before)} → ${JSON.stringify(d.after)}` :
        e.type.startsWith('tag_') ? d.tag :
        e.type === 'created' ? `${d.ticket} "${d.title}"` : '';
      return `v${e.version} ${e.type.padEnd(18)} by ${e.actor.padEnd(12)} ${what}`;
    });
  }
  if (data.agents) return data.agents.map((a: any) => `${a.name} <${a.email}> teams: ${a.teams.join(', ') || '—'}, open tickets: ${a.openTickets}`);
  if (data.identifier) return [`team ${data.identifier} (${data.name})`];
  if (data.email) return [`agent ${data.name} <${data.email}> teams: ${data.teams.join(', ') || '—'}`];
  if (data.color) return [`tag "${data.name}" (${data.color})`];
  return [JSON.stringify(data)];
}

let step = 0;
function section(title: string) {
  console.log(`\n${color(1, `── ${++step}. ${title}`)}`);
}

async function show(who: string, client: Client, tool: string, args: Record<string, unknown>): Promise<Envelope> {
  console.log(`${color(36, `${who} →`)} ${tool} ${JSON.stringify(args)}`);
  const result = await client.callTool({ name: tool, arguments: args });
  const envelope = result.structuredContent as unknown as Envelope;
  if (full) {
    console.log(JSON.stringify(envelope, null, 2));
  } else if (envelope.status) {
    console.log(`${color(32, '  ✓')} ${envelope.message}`);
    for (const line of summarize(envelope.data)) console.log(`    ${line}`);
  } else {
    const { code, hint, details, candidates } = envelope.error!;
    console.log(`${color(31, `  ✗ ${code}`)} ${envelope.message}`);
    if (hint) console.log(`    hint: ${hint}`);
    if (details) console.log(`    details: ${JSON.stringify(details)}`);
    if (candidates) console.log(`    candidates: ${JSON.stringify(candidates)}`);
  }
  return envelope;
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'ticket-mcp-demo-'));
  const db = join(dir, 'tickets.db');
  console.log(`ticket-mcp demo: two agent runtimes, each with its own server process, on ${db}`);
  const claude = await startAgent(db, 'claude@acme.example');
  const codex = await startAgent(db, 'codex@acme.example');
  const A = 'claude';
  const B = 'codex ';
  try {
    section('Set up the directory: a team, two people, two tags');
    await show(A, claude, 'create_team', { name: 'Engineering', identifier: 'ENG', description: 'Bugs and outages' });
    await show(A, claude, 'create_agent', { name: 'Priya Shah', email: 'priya@acme.example', teams: ['SUP', 'ENG'] });
    await show(A, claude, 'create_agent', { name: 'Omar Haddad', email: 'omar@acme.example', teams: ['SUP'] });
    await show(A, claude, 'create_tag', { name: 'billing', description: 'Charges, invoices, refunds', color: 'green' });
    await show(A, claude, 'create_tag', { name: 'outage', description: 'Something is down', color: 'red' });

    section('Tickets come in (a retried create is answered once)');
    const charge = { title: 'Customer charged twice', requestorEmail: 'kim@example.com', priorityName: 'High', idempotencyKey: 'mail-8841' };
    await show(A, claude, 'create_ticket', charge);
    await show(A, claude, 'create_ticket', charge);
    await show(A, claude, 'create_ticket', { title: 'Checkout page returns 500', requestorEmail: 'ops@example.com', teamId: 'ENG', priorityName: 'Urgent', performRouting: true });
    await show(B, codex, 'create_ticket', { title: 'Password reset mail never arrives', requestorEmail: 'lee@example.com', chatId: 'chat-311' });
    await show(B, codex, 'create_ticket', { title: 'Same chat, second ticket?', requestorEmail: 'lee@example.com', chatId: 'chat-311' });

    section('Hand SUP-1 to Priya: assigning moves it to pending');
    await show(A, claude, 'assign_ticket', { id: 'SUP-1', assignedAgentId: 'Priya Shah' });

    section('Both agents grab SUP-2 at the same moment: one wins, one loses the race');
    const [first, second] = await Promise.all([
      show(A, claude, 'takeover', { id: 'SUP-2' }),
      show(B, codex, 'takeover', { id: 'SUP-2' }),
    ]);
    const [winner, winnerName] = first!.status ? [claude, A] : [codex, B];
    if (first!.status === second!.status) throw new Error('the race should have exactly one winner');

    section('The winner works the ticket: tag, note, priority, fix, close');
    await show(winnerName, winner, 'add_tag', { ticketId: 'SUP-2', tagId: 'email' });
    await show(winnerName, winner, 'add_tag', { ticketId: 'sup-2', tagId: 'Email' });
    await show(winnerName, winner, 'add_comment', { id: 'SUP-2', body: 'Mail provider bounced our domain; asked them to unblock.', internal: true });
    await show(winnerName, winner, 'update_ticket', { id: 'SUP-2', priorityName: 'High', metadata: { provider: 'mailco' } });
    await show(winnerName, winner, 'complete_ticket', { id: 'SUP-2', comment: 'Domain unblocked; reset mails arrive again.' });
    await show(winnerName, winner, 'set_ticket_status', { id: 'SUP-2', status: 'closed', comment: 'Customer confirmed.' });

    section('What a model gets wrong, and the answers that set it right');
    await show(B, codex, 'complete_ticket', { id: 'ENG-1' });
    await show(B, codex, 'assign_ticket', { ticket_id: 'ENG-1', assignedAgentId: 'Omar' });
    await show(B, codex, 'assign_ticket', { id: 'ENG-1', assignedAgentId: 'Omar' });
    await show(B, codex, 'assign_ticket', { id: 'ENG-1', assignedAgentId: 'omar@acme.example' });
    await show(B, codex, 'set_ticket_status', { id: 'ENG-1', status: 'closed' });
    await show(B, codex, 'takeover', { id: 'SUP-1' });
    await show(B, codex, 'update_ticket', { id: 'ENG-1', priorityName: 'High', expectedVersion: 1 });
    await show(B, codex, 'update_ticket', { id: 'SUP-2', title: 'Edit after closing' });

    section('The queue and the audit trail');
    await show(A, claude, 'list_tickets', {});
    await show(A, claude, 'list_agents', {});
    await show(A, claude, 'get_ticket', { id: 'SUP-2' });
    await show(A, claude, 'get_ticket_history', { id: 'SUP-2' });
  } finally {
    await Promise.all([claude.close(), codex.close()]);
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`\nDone. The database was a throwaway; run with --json to see every envelope in full.`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
