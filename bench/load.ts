import { customAlphabet } from 'nanoid';
import { sqliteEngine } from '../src/db/sqlite/engine.js';
import { openDatabase } from '../src/db/sqlite/open.js';
import { fold } from '../src/domain/text.js';
import { ensureWorkspace, resolveActor } from '../src/service/workspace.js';

/**
 * Fills a database with realistic tickets, fast: raw prepared inserts in large
 * transactions, the full-text index built once at the end. Each ticket has its
 * team number, requestor, status history, assignee, tags, comments and events.
 */
const TEAMS = [
  ['Support', 'SUP'],
  ['Engineering', 'ENG'],
  ['Operations', 'OPS'],
  ['Billing', 'BIL'],
  ['Security', 'SEC'],
  ['Sales', 'SAL'],
  ['People', 'HR'],
  ['IT', 'IT'],
] as const;
const TAGS = ['billing', 'outage', 'vip', 'login', 'refund', 'bug', 'feature-request', 'security', 'email', 'mobile', 'api', 'performance', 'onboarding', 'invoice', 'sso', 'export', 'import', 'search', 'notifications', 'integrations'];
const SUBJECTS = ['Login', 'Invoice', 'Checkout', 'Password reset', 'Export', 'Dashboard', 'Mobile app', 'API token', 'Webhook', 'SSO', 'Report', 'Search', 'Upload', 'Email digest', 'Calendar sync', 'Billing page', 'Refund', 'Subscription', 'Printer', 'VPN'];
const PROBLEMS = ['fails', 'is slow', 'returns 500', 'times out', 'shows the wrong total', 'is missing data', 'crashes on start', 'loops forever', 'rejects valid input', 'sends duplicates', 'is blank', 'double charges'];
const DETAILS = ['since the last deploy', 'for some customers', 'on Safari', 'after the upgrade', 'in the EU region', 'for admins only', 'every Monday', 'with large files', 'on Android', 'when offline', 'behind the proxy', 'for new accounts'];
const WORDS = 'customer reported issue again error page account user data sync timeout server network browser cache cookie session token permission role admin team project workspace file folder payment card charge plan trial upgrade downgrade renewal contract quote order shipment address phone notification alert metric graph chart export import backup restore migration database query index latency throughput memory disk cpu queue worker job cron retry webhook integration partner vendor'.split(' ');
const STATUSES: [string, number][] = [['closed', 0.6], ['resolved', 0.15], ['pending', 0.1], ['open', 0.15]];

const id = customAlphabet('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz', 16);

/** A small deterministic generator, so every run loads the same data. */
function random(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  return {
    next,
    int: (max: number) => Math.floor(next() * max),
    pick: <T>(items: readonly T[]) => items[Math.floor(next() * items.length)]!,
    sentence: (words: number) => Array.from({ length: words }, () => WORDS[Math.floor(next() * WORDS.length)]).join(' '),
  };
}

export async function loadTickets(
  path: string,
  count: number,
): Promise<{ seconds: number; tickets: number; comments: number; events: number; ticketsPerTeam: Record<string, number> }> {
  const started = performance.now();
  const opened = openDatabase(path);
  const ws = await ensureWorkspace(sqliteEngine(opened));
  const actor = (await resolveActor(sqliteEngine(opened), ws, undefined)).id;
  const raw = opened.raw;
  const rnd = random(42);
  const now = Date.parse('2026-11-01T00:00:00Z');
  const span = 2 * 365 * 24 * 3600 * 1000;
  const iso = (t: number) => new Date(t).toISOString();
  const at0 = iso(now - span);

  const lookups = {
    status: new Map((raw.prepare('SELECT name, id FROM statuses WHERE workspace_id = ?').all(ws) as { name: string; id: string }[]).map((s) => [s.name, s.id])),
    priorities: (raw.prepare('SELECT id, name FROM priorities WHERE workspace_id = ? ORDER BY position').all(ws) as { id: string; name: string }[]),
    sentiment: (raw.prepare('SELECT id FROM sentiments WHERE workspace_id = ? AND is_default = 1').get(ws) as { id: string }).id,
  };
  const teams: { id: string; identifier: string; counter: number }[] = [];
  const insertTeam = raw.prepare('INSERT INTO teams (id, workspace_id, name, name_key, identifier, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)');
  const insertAgent = raw.prepare(
    "INSERT INTO agents (id, workspace_id, name, name_key, email, email_key, kind, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'human', ?, ?)",
  );
  const insertMember = raw.prepare('INSERT INTO team_members (workspace_id, team_id, agent_id, created_at) VALUES (?, ?, ?, ?)');
  const insertTag = raw.prepare('INSERT INTO tags (id, workspace_id, name, name_key, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)');
  const insertContact = raw.prepare('INSERT INTO contacts (id, workspace_id, email, email_key, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)');
  const agents: string[] = [];
  const tags: string[] = [];
  const contacts: string[] = [];
  raw.transaction(() => {
    const sup = raw.prepare("SELECT id FROM teams WHERE workspace_id = ? AND identifier = 'SUP'").get(ws) as { id: string };
    for (const [name, identifier] of TEAMS) {
      const teamId = identifier === 'SUP' ? sup.id : `tm_${id()}`;
      if (identifier !== 'SUP') insertTeam.run(teamId, ws, name, fold(name), identifier, at0, at0);
      teams.push({ id: teamId, identifier, counter: 0 });
    }
    for (let a = 0; a < 50; a++) {
      const agentId = `ag_${id()}`;
      insertAgent.run(agentId, ws, `Agent ${a}`, fold(`Agent ${a}`), `agent${a}@example.com`, `agent${a}@example.com`, at0, at0);
      insertMember.run(ws, teams[a % teams.length]!.id, agentId, at0);
      agents.push(agentId);
    }
    for (const name of TAGS) {
      const tagId = `tg_${id()}`;
      insertTag.run(tagId, ws, name, name, at0, at0);
      tags.push(tagId);
    }
    for (let c = 0; c < Math.max(100, Math.min(50_000, count / 20)); c++) {
      const contactId = `ct_${id()}`;
      insertContact.run(contactId, ws, `customer${c}@example.com`, `customer${c}@example.com`, at0, at0);
      contacts.push(contactId);
    }
  })();

  // The full-text triggers index one row at a time; the index is built whole at the end instead.
  const triggers = raw
    .prepare("SELECT name, sql FROM sqlite_schema WHERE type = 'trigger' AND (name LIKE 'ticket_search_%' OR name LIKE 'comment_search_%')")
    .all() as { name: string; sql: string }[];
  for (const trigger of triggers) raw.exec(`DROP TRIGGER ${trigger.name}`);

  const insertTicket = raw.prepare(`INSERT INTO tickets (id, workspace_id, team_id, number, title, description, status, priority_id,
      sentiment_id, assignee_id, contact_id, due_date, source, chat_id, circumstance, created_by, completed_by, ongoing_at, completed_at,
      closed_at, version, created_at, updated_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'email', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const insertTicketTag = raw.prepare('INSERT INTO ticket_tags (workspace_id, ticket_id, tag_id, created_by, created_at) VALUES (?, ?, ?, ?, ?)');
  const insertComment = raw.prepare('INSERT INTO comments (id, workspace_id, ticket_id, author_id, body, is_internal, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)');
  const insertEvent = raw.prepare('INSERT INTO events (workspace_id, ticket_id, type, actor_id, ticket_version, data, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)');
  let comments = 0;
  let events = 0;
  const batch = 20_000;
  for (let start = 0; start < count; start += batch) {
    raw.transaction(() => {
      for (let i = start; i < Math.min(count, start + batch); i++) {
        const ticketId = `tk_${id()}`;
        const team = teams[rnd.next() < 0.4 ? 0 : rnd.int(teams.length)]!;
        const number = ++team.counter;
        const created = now - span + Math.floor((span * i) / count);
        let clock = created;
        const later = () => (clock += 60_000 + rnd.int(48 * 3600_000));
        const roll = rnd.next();
        let status = 'open';
        let acc = 0;
        for (const [name, share] of STATUSES) if (roll < (acc += share)) { status = name; break; }
        const assignee = status === 'open' && rnd.next() < 0.5 ? null : rnd.pick(agents);
        const title = `${rnd.pick(SUBJECTS)} ${rnd.pick(PROBLEMS)} ${rnd.pick(DETAILS)}`;
        const description = `${rnd.sentence(8)}. ${rnd.sentence(10)}.`;
        const key = `${team.identifier}-${number}`;
        const eventsOf: [string, unknown][] = [['created', { ticket: key, title, status: 'open', team: team.identifier, source: 'email' }]];
        if (assignee) eventsOf.push(['assignment_changed', { from: null, to: { id: assignee }, circumstance: 'handover' }]);
        const path = status === 'open' ? [] : status === 'pending' ? ['pending'] : status === 'resolved' ? ['pending', 'resolved'] : ['pending', 'resolved', 'closed'];
        let from = 'open';
        const stamps: Record<string, string> = {};
        for (const to of path) {
          eventsOf.push(['status_changed', { from, to }]);
          stamps[to] = iso(later());
          from = to;
        }
        const tagged = new Set<number>();
        for (let t = rnd.int(3); t > 0; t--) tagged.add(rnd.int(tags.length));
        for (const t of tagged) eventsOf.push(['tag_added', { tagId: tags[t], tag: TAGS[t] }]);
        const commentCount = rnd.int(4);
        const version = eventsOf.length + commentCount;
        const updated = iso(later());
        insertTicket.run(
          ticketId, ws, team.id, number, title, description, status, rnd.pick(lookups.priorities).id, lookups.sentiment, assignee,
          rnd.pick(contacts), rnd.next() < 0.1 ? iso(created + 7 * 86400_000) : null, rnd.next() < 0.3 ? `chat-${i}` : null,
          assignee ? 'handover' : null, actor, stamps.resolved ? assignee : null, stamps.pending ?? null, stamps.resolved ?? null,
          stamps.closed ?? null, version, iso(created), updated,
        );
        eventsOf.forEach(([type, data], v) => insertEvent.run(ws, ticketId, type, actor, v + 1, JSON.stringify(data), iso(created)));
        events += eventsOf.length;
        for (let c = 0; c < commentCount; c++) {
          const body = rnd.sentence(12);
          insertComment.run(`cm_${id()}`, ws, ticketId, assignee ?? actor, body, rnd.next() < 0.3 ? 1 : 0, iso(later()));
          insertEvent.run(ws, ticketId, 'comment_added', actor, eventsOf.length + c + 1, JSON.stringify({ body }), updated);
          comments++;
          events++;
        }
        for (const t of tagged) insertTicketTag.run(ws, ticketId, tags[t], actor, iso(created));
      }
    })();
  }
  raw.transaction(() => {
    const setCounter = raw.prepare('UPDATE teams SET ticket_counter = ? WHERE id = ?');
    for (const team of teams) setCounter.run(team.counter, team.id);
    // As schema.sql's migration 4 builds them: rowid = the workspace's scope × 2^40 + the ticket's seq.
    raw.exec(`INSERT INTO ticket_search (rowid, title, description)
      SELECT s.scope * 1099511627776 + t.seq, t.title, coalesce(t.description, '')
      FROM tickets t JOIN search_scopes s ON s.workspace_id = t.workspace_id ORDER BY 1`);
    raw.exec(`INSERT INTO comment_search (rowid, body)
      SELECT s.scope * 1099511627776 + t.seq, group_concat(c.body, char(10))
      FROM comments c JOIN tickets t ON t.id = c.ticket_id JOIN search_scopes s ON s.workspace_id = t.workspace_id
      GROUP BY t.seq ORDER BY 1`);
    for (const trigger of triggers) raw.exec(trigger.sql);
  })();
  raw.pragma('wal_checkpoint(TRUNCATE)');
  await opened.close();
  const ticketsPerTeam = Object.fromEntries(teams.map((t) => [t.identifier, t.counter]));
  return { seconds: (performance.now() - started) / 1000, tickets: count, comments, events, ticketsPerTeam };
}
