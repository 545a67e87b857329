import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Tool as ListedTool } from '@modelcontextprotocol/sdk/types.js';

/**
 * The 28 everyday prompts of the shared model-prompts list, scripted as the calls a model
 * that read tools/list would make, in order (each builds on the ones before). Driven by
 * test/model-prompts.test.ts and by the bench's answers section against a built bin, so
 * both measure the same run. A step that needs a tool or an argument another change adds
 * names it in `needs`, and is skipped while tools/list lacks it.
 */

export interface Call {
  prompt: string;
  tool: string;
  args: Record<string, unknown>;
  /** Bytes of the answer's text content (the envelope as JSON), what a model reads. */
  bytes: number;
  envelope: { status: boolean; message: string; data: any; error?: { code: string; [k: string]: unknown } };
  /** A ticket-changing tool answered with a ticket (not a list, a read, or a failure). */
  changedTicket: boolean;
}

/** What a step needs beyond today's surface: a tool, or an argument of one. */
export interface Need {
  tool: string;
  arg?: string;
}

export interface Skipped {
  prompt: string;
  needs: string;
}

export interface PromptRun {
  calls: Call[];
  skipped: Skipped[];
  /** Prompts and resources read (28), beside the tool calls. */
  reads: { what: string; bytes: number }[];
}

const READS = new Set(['get_ticket', 'list_tickets', 'get_ticket_history', 'list_agents', 'list_teams', 'list_tags']);

export const needLabel = (need: Need) => (need.arg ? `${need.tool}.${need.arg}` : need.tool);

function offers(listed: ListedTool[], need: Need): boolean {
  const tool = listed.find((t) => t.name === need.tool);
  if (!tool) return false;
  return need.arg === undefined || Object.hasOwn((tool.inputSchema.properties ?? {}) as object, need.arg);
}

/**
 * Runs every prompt. `asPriya` connects a client acting as another agent
 * (priya@acme.example, made by prompt 1) on the same database, for prompt 21.
 */
export async function runModelPrompts(client: Client, asPriya: () => Promise<Client>): Promise<PromptRun> {
  const listed = (await client.listTools()).tools;
  const run: PromptRun = { calls: [], skipped: [], reads: [] };
  let prompt = '';

  async function call(tool: string, args: Record<string, unknown>, by: Client = client): Promise<Call['envelope']> {
    const result = await by.callTool({ name: tool, arguments: args });
    const text = (result.content as { type: string; text?: string }[])[0]?.text ?? '';
    const envelope = result.structuredContent as Call['envelope'];
    const changedTicket = envelope.status && !READS.has(tool) && typeof envelope.data?.ticketIdentifier === 'string';
    run.calls.push({ prompt, tool, args, bytes: Buffer.byteLength(text), envelope, changedTicket });
    return envelope;
  }
  /** Runs `steps` for the prompt when tools/list has what they need; else records the skip. */
  async function step(name: string, steps: () => Promise<unknown>, needs?: Need): Promise<void> {
    prompt = name;
    if (needs && !offers(listed, needs)) {
      run.skipped.push({ prompt: name, needs: needLabel(needs) });
      return;
    }
    await steps();
  }

  await step('1 set up teams and agents', async () => {
    await call('create_team', { name: 'Billing', identifier: 'BIL' });
    await call('create_team', { name: 'Engineering', identifier: 'ENG' });
    await call('create_agent', { name: 'Priya Shah', email: 'priya@acme.example', teams: ['ENG'] });
    await call('create_agent', { name: 'Tom Lee', email: 'tom@acme.example', teams: ['BIL'] });
    await call('create_agent', { name: 'Otto', email: 'otto@acme.example', kind: 'ai', teams: ['BIL', 'ENG'] });
  });
  await step('2 invoice ticket', () =>
    call('create_ticket', {
      title: 'Cannot download invoice PDF',
      requestorEmail: 'jane@customer.example',
      teamId: 'BIL',
      priorityName: 'High',
      dueDate: '2026-12-01T17:00:00Z',
    }),
  );
  await step('3 login ticket, routed', () =>
    call('create_ticket', { title: 'Login fails after password reset', requestorEmail: 'john.doe@example.com', teamId: 'ENG', performRouting: true }),
  );
  await step('4 three Engineering tickets', async () => {
    for (const title of ['API 500 on /export', 'Slow dashboard', 'Typo on pricing page']) {
      await call('create_ticket', { title, requestorEmail: 'ops@customer.example', teamId: 'ENG' });
    }
  });
  await step('5 assign login to Priya', () => call('assign_ticket', { id: 'ENG-1', assignedAgentId: 'Priya Shah' }));
  await step('6 take over the oldest open billing ticket', async () => {
    const page = await call('list_tickets', { team: 'BIL', status: 'open', sort: 'created', pageSize: 1 });
    await call('takeover', { id: page.data?.tickets?.[0]?.key ?? 'BIL-1' });
  });
  await step('7 tag the invoice ticket', async () => {
    await call('add_tag', { ticketId: 'BIL-1', tagId: 'invoices' });
    await call('add_tag', { ticketId: 'BIL-1', tagId: 'vip-customer' });
  });
  await step("8 Priya's plate", () => call('list_tickets', { assignee: 'Priya', status: ['open', 'pending'] }));
  await step('9 complete login with a note', () => call('complete_ticket', { id: 'ENG-1', comment: 'Cleared stale session cookies.' }));
  await step('10 close every resolved Engineering ticket', async () => {
    const page = await call('list_tickets', { team: 'ENG', status: 'resolved' });
    for (const row of page.data?.tickets ?? []) await call('set_ticket_status', { id: row.key, status: 'closed' });
  });
  await step(
    '11 reopen login as a follow-up',
    () => call('create_ticket', { title: 'Login fails again', requestorEmail: 'john.doe@example.com', teamId: 'ENG', followUpOf: 'ENG-1' }),
    { tool: 'create_ticket', arg: 'followUpOf' },
  );
  await step("12 find 'export'", () => call('list_tickets', { search: 'export' }));
  await step('13 login history', () => call('get_ticket_history', { id: 'ENG-1' }));
  await step('14 internal note', () =>
    call('add_comment', { id: 'BIL-1', body: 'Customer is on the enterprise plan.', internal: true }),
  );
  await step('15 urgent, due later', () => call('update_ticket', { id: 'BIL-1', priorityName: 'Urgent', dueDate: '2026-12-04' }));
  await step('16 rename tag', () => call('update_tag', { id: 'vip-customer', name: 'vip', color: 'red' }));
  await step('17 move typo to Billing', () => call('update_ticket', { id: 'ENG-4', teamId: 'BIL' }), { tool: 'update_ticket', arg: 'teamId' });
  await step("18 mark 'Slow dashboard' done", () => call('complete_ticket', { id: 'ENG-3' }), { tool: 'complete_ticket', arg: 'internal' });
  await step('19 assign to Sam (no Sam)', () => call('assign_ticket', { id: 'ENG-2', assignedAgentId: 'Sam' }));
  await step('20 a second Priya Shah', async () => {
    await call('create_agent', { name: 'Priya Shah', email: 'priya.s@acme.example', teams: ['ENG'] });
    const ambiguous = await call('assign_ticket', { id: 'ENG-2', assignedAgentId: 'Priya Shah' });
    const candidates = (ambiguous.error?.candidates ?? []) as { id: string; email?: string }[];
    const chosen = candidates.find((c) => c.email === 'priya.s@acme.example')?.id ?? 'priya.s@acme.example';
    if (!ambiguous.status) await call('assign_ticket', { id: 'ENG-2', assignedAgentId: chosen });
  });
  let refund = '';
  await step('21 one ticket per chat', async () => {
    const chatId = '7c9e6679-7425-40de-944b-e07fc1b1cbf0';
    const first = await call('create_ticket', { title: 'Refund request', requestorEmail: 'lee@customer.example', chatId });
    refund = first.data?.ticketIdentifier ?? '';
    await call('create_ticket', { title: 'Refund please', requestorEmail: 'lee@customer.example', chatId }, await asPriya());
  });
  // An AI may not deactivate a human: the refusal says so and offers the handover alone.
  await step('22 Tom leaves, Otto takes his work', async () => {
    const refused = await call('update_agent', { id: 'tom@acme.example', active: false, reassignTo: 'Otto' });
    if (!refused.status) await call('update_agent', { id: 'tom@acme.example', reassignTo: 'Otto' });
  }, {
    tool: 'update_agent',
    arg: 'reassignTo',
  });
  await step('23 claim the next ticket', () => call('claim_next_ticket', {}), { tool: 'claim_next_ticket' });
  await step('24 overdue as of 2026-12-02', () => call('list_tickets', { dueBefore: '2026-12-02', status: ['open', 'pending'], sort: 'due' }));
  await step('25 load per team and agent', async () => {
    await call('list_teams', {});
    await call('list_agents', {});
  });
  await step('26a delete the refund ticket', () => call('delete_ticket', { id: refund, confirm: true }));
  await step('26b undo the delete', () => call('restore_ticket', { id: refund }), { tool: 'restore_ticket' });
  await step('27 unassign the export ticket', () => call('assign_ticket', { id: 'ENG-2', assignedAgentId: null }));
  prompt = '28 prompts and the ticket resource';
  const queue = await client.getPrompt({ name: 'queue_summary', arguments: { team: 'ENG' } });
  run.reads.push({ what: 'queue_summary', bytes: Buffer.byteLength(JSON.stringify(queue)) });
  const triage = await client.getPrompt({ name: 'triage_ticket', arguments: { id: 'BIL-1' } });
  run.reads.push({ what: 'triage_ticket', bytes: Buffer.byteLength(JSON.stringify(triage)) });
  const resource = await client.readResource({ uri: 'ticket://BIL-1' });
  run.reads.push({ what: 'ticket://BIL-1', bytes: Buffer.byteLength(JSON.stringify(resource)) });
  return run;
}

const medianOf = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? 0 : sorted[Math.floor((sorted.length - 1) / 2)]!;
};

/** The figures the bench and the test hold to their targets. */
export function promptFigures(run: PromptRun) {
  const changes = run.calls.filter((c) => c.changedTicket).map((c) => c.bytes);
  return {
    toolCalls: run.calls.length,
    answerBytes: run.calls.reduce((sum, c) => sum + c.bytes, 0),
    changes: changes.length,
    medianChangeBytes: medianOf(changes),
  };
}
