/**
 * Prints an agent session as a transcript a person can follow: each call, then its
 * answer in a line or a few (or the whole envelope with --json). Used by the demos.
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';

const full = process.argv.includes('--json');
const color = process.stdout.isTTY ? (code: number, text: string) => `\x1b[${code}m${text}\x1b[0m` : (_: number, text: string) => text;

export interface Envelope {
  data: any;
  status: boolean;
  message: string;
  error?: { code: string; hint?: string; details?: unknown; candidates?: unknown };
}

/** One line per ticket or row, so the session reads like a transcript. */
function summarize(data: any): string[] {
  if (!data) return [];
  const ticket = (t: any) =>
    `${t.ticketIdentifier} "${t.title}" [${t.status}] assignee: ${t.assignedAgent ?? '—'}, priority: ${t.priority}` +
    `${t.tags?.length ? `, tags: ${t.tags.map((g: any) => g.name).join(', ')}` : ''}, version ${t.version}`;
  if (data.ticketIdentifier) return [ticket(data), ...(data.comments ?? []).map((c: any) => `  💬 ${c.author}${c.internal ? ' (internal)' : ''}: ${c.body}`)];
  if (data.ticket && data.comment) {
    return [`💬 ${data.comment.author}: ${data.comment.body}`, `${data.ticket.ticketIdentifier} [${data.ticket.status}], version ${data.ticket.version}`];
  }
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
  // One agent or team before the lists: an agent's record has a teams list of its own.
  if (data.identifier) return [`team ${data.identifier} (${data.name})`];
  if (data.email) return [`agent ${data.name} <${data.email}> teams: ${data.teams.join(', ') || '—'}`];
  if (data.tags && data.nextCursor !== undefined) return data.tags.map((g: any) => `tag "${g.name}" (${g.color}), ${g.activeTicketCount} active`);
  if (data.teams) return data.teams.map((t: any) => `team ${t.identifier} (${t.name}), members: ${t.members.join(', ') || '—'}, open: ${t.openTickets}, pending: ${t.pendingTickets}`);
  if (data.agents) return data.agents.map((a: any) => `${a.name} <${a.email}> teams: ${a.teams.join(', ') || '—'}, open: ${a.openTickets}, pending: ${a.pendingTickets}`);
  if (data.color) return [`tag "${data.name}" (${data.color})`];
  return [JSON.stringify(data)];
}

let step = 0;
export function section(title: string) {
  console.log(`\n${color(1, `── ${++step}. ${title}`)}`);
}

export async function show(who: string, client: Client, tool: string, args: Record<string, unknown>): Promise<Envelope> {
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

