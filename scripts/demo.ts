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
import { section, show } from './transcript.js';

const CLI = fileURLToPath(new URL('../bin/ticket-mcp.cjs', import.meta.url));
async function startAgent(db: string, actor: string): Promise<Client> {
  const transport = new StdioClientTransport({ command: process.execPath, args: [CLI, '--db', db, '--actor', actor], stderr: 'ignore' });
  const client = new Client({ name: 'ticket-mcp-demo', version: '1.0.0' });
  await client.connect(transport);
  await client.listTools();
  return client;
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
