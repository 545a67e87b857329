import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sqliteEngine } from '../src/db/sqlite/engine.js';
import { openDatabase } from '../src/db/sqlite/open.js';
import { newId } from '../src/service/context.js';
import { openSqliteEngine } from '../src/db/sqlite/engine.js';
import { TicketService } from '../src/service/service.js';
import { fold } from '../src/domain/text.js';
import { ensureWorkspace, resolveActor } from '../src/service/workspace.js';
import { log, median, percentile, timed, type Row, us } from './harness.js';

/**
 * createTicket in-process, each in its own transaction, against raw better-sqlite3
 * doing the same writes and reads in the same transactions with prepared
 * statements: what the service layer (Kysely, validation, async) costs.
 */
export async function benchThroughput(total: number): Promise<Row[]> {
  const dir = mkdtempSync(join(tmpdir(), 'ticket-mcp-bench-throughput-'));
  const service = new TicketService(openSqliteEngine(join(dir, 'service.db')));
  const serviceWs = await service.ensureWorkspace();
  const caller = { workspaceId: serviceWs, agentId: (await service.resolveActor(serviceWs, undefined)).id };

  const raw = openDatabase(join(dir, 'raw.db'));
  const rawWs = await ensureWorkspace(sqliteEngine(raw));
  const actor = (await resolveActor(sqliteEngine(raw), rawWs, undefined)).id;
  const r = raw.raw;
  const lookup = r.prepare(`SELECT
      (SELECT id FROM teams WHERE workspace_id = ? ORDER BY created_at, id LIMIT 1) AS team,
      (SELECT id FROM priorities WHERE workspace_id = ? AND is_default = 1) AS priority,
      (SELECT id FROM sentiments WHERE workspace_id = ? AND is_default = 1) AS sentiment`).get(rawWs, rawWs, rawWs) as Record<string, string>;
  const team = r.prepare('SELECT * FROM teams WHERE id = ?');
  const contact = r.prepare('SELECT * FROM contacts WHERE workspace_id = ? AND email_key = ?');
  const insertContact = r.prepare(
    'INSERT INTO contacts (id, workspace_id, email, email_key, first_name, last_name, created_at, updated_at) VALUES (?, ?, ?, ?, NULL, NULL, ?, ?)',
  );
  const counter = r.prepare('UPDATE teams SET ticket_counter = ticket_counter + 1 WHERE id = ? RETURNING ticket_counter');
  const insertTicket = r.prepare(`INSERT INTO tickets (id, workspace_id, team_id, number, title, description, status, priority_id,
      sentiment_id, type_id, account_id, assignee_id, contact_id, submitter_email, due_date, source, is_private, form_id, metadata,
      custom_field_values, attachment_urls, ai_generated_title, ai_generated_summary, chat_id, circumstance, created_by, ongoing_at,
      created_at, updated_at)
    VALUES (?, ?, ?, ?, ?, NULL, 'open', ?, ?, NULL, NULL, NULL, ?, NULL, NULL, 'mcp', 0, NULL, '{}', '[]', '[]', NULL, NULL, NULL, NULL, ?, NULL, ?, ?)`);
  const insertEvent = r.prepare(
    "INSERT INTO events (workspace_id, ticket_id, type, actor_id, ticket_version, data, created_at) VALUES (?, ?, 'created', ?, 1, ?, ?)",
  );
  const detail = r.prepare(`SELECT t.*, tm.name AS team_name, tm.identifier AS team_identifier, c.email AS contact_email,
      c.first_name AS contact_first_name, c.last_name AS contact_last_name, ac.name AS account_name, ag.name AS assignee_name,
      ag.email AS assignee_email,
      (SELECT json_group_array(json_object('id', g.id, 'name', g.name, 'color', g.color) ORDER BY g.name_key)
        FROM ticket_tags tt JOIN tags g ON g.id = tt.tag_id WHERE tt.ticket_id = t.id) AS tags_json
    FROM tickets t JOIN teams tm ON tm.id = t.team_id JOIN contacts c ON c.id = t.contact_id
    LEFT JOIN accounts ac ON ac.id = t.account_id LEFT JOIN agents ag ON ag.id = t.assignee_id WHERE t.id = ?`);
  const createRaw = r
    .transaction((title: string, email: string) => {
      const at = new Date().toISOString();
      const teamRow = team.get(lookup.team) as { id: string; identifier: string };
      let contactRow = contact.get(rawWs, fold(email)) as { id: string } | undefined;
      if (!contactRow) {
        contactRow = { id: newId('contact') };
        insertContact.run(contactRow.id, rawWs, email, fold(email), at, at);
      }
      const { ticket_counter: number } = counter.get(teamRow.id) as { ticket_counter: number };
      const id = newId('ticket');
      insertTicket.run(id, rawWs, teamRow.id, number, title, lookup.priority, lookup.sentiment, contactRow.id, actor, at, at);
      const data = { ticket: `${teamRow.identifier}-${number}`, title, status: 'open', priority: 'Medium', team: teamRow.identifier, requestorEmail: email, source: 'mcp' };
      insertEvent.run(rawWs, id, actor, JSON.stringify(data), at);
      const row = detail.get(id) as { tags_json: string };
      return { ...row, tags: JSON.parse(row.tags_json) };
    })
    .immediate.bind(null);

  // Chunks alternate between the two, so drift on a shared machine hits both alike.
  const chunk = 250;
  const serviceEach: number[] = [];
  const rawEach: number[] = [];
  for (let done = 0; done < total; done += chunk) {
    for (let i = done; i < done + chunk; i++) {
      const [, elapsed] = await timed(() => service.createTicket(caller, { title: `Throughput ${i}`, requestorEmail: `c${i % 100}@example.com` }));
      serviceEach.push(elapsed);
    }
    for (let i = done; i < done + chunk; i++) {
      const started = performance.now();
      createRaw(`Throughput ${i}`, `c${i % 100}@example.com`);
      rawEach.push(performance.now() - started);
    }
  }
  await service.close();
  await raw.close();
  rmSync(dir, { recursive: true, force: true });
  const perSecond = (each: number[]) => (each.length / each.reduce((sum, ms) => sum + ms, 0)) * 1000;
  const serviceRate = perSecond(serviceEach);
  const rawRate = perSecond(rawEach);
  log(`throughput: service ${serviceRate.toFixed(0)}/s, raw ${rawRate.toFixed(0)}/s; p50 service ${us(median(serviceEach))}, raw ${us(median(rawEach))}`);
  const section = `Service throughput in-process (${total} creates, one transaction each)`;
  return [
    {
      section,
      measure: 'createTicket per second',
      value: `${serviceRate.toFixed(0)}/s`,
      baseline: `raw better-sqlite3, same writes: ${rawRate.toFixed(0)}/s`,
      ratio: serviceRate / rawRate,
      target: '≥ 0.5',
      met: serviceRate / rawRate >= 0.5,
    },
    // The median leaves out the WAL checkpoint (a few ms once every ≈50 creates), which the rate above includes.
    {
      section,
      measure: 'createTicket p50 (p99)',
      value: `${us(median(serviceEach))} (${us(percentile(serviceEach, 0.99))})`,
      baseline: `raw better-sqlite3, same writes: ${us(median(rawEach))} (${us(percentile(rawEach, 0.99))})`,
      ratio: median(serviceEach) / median(rawEach),
      target: '—',
    },
  ];
}
