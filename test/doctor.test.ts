import { spawnSync } from 'node:child_process';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { examine } from '../src/db/sqlite/doctor.js';
import { CLI, seedHealthyHelpdesk, tempDir } from './helpers.js';

/** The doctor passes a database the service wrote, and names each invariant a tampered copy breaks. */
const { dir, cleanup } = tempDir();
const healthy = join(dir, 'healthy.db');

beforeAll(() => seedHealthyHelpdesk(healthy));
afterAll(cleanup);

function tampered(name: string, sql: string): string {
  const path = join(dir, `${name}.db`);
  copyFileSync(healthy, path);
  const db = new BetterSqlite3(path);
  db.exec(sql);
  db.close();
  return path;
}

const failing = (path: string) => {
  const db = new BetterSqlite3(path);
  const findings = examine(db).filter((f) => !f.ok);
  db.close();
  return findings.map((f) => f.check);
};

describe('ticket-mcp doctor', () => {
  it('passes a database the service wrote, from the command line too', () => {
    expect(failing(healthy)).toEqual([]);
    const run = spawnSync(process.execPath, [CLI, 'doctor', '--db', healthy], { encoding: 'utf8' });
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/\(6 tickets\)/);
    expect(run.stdout).toMatch(/All 14 checks passed\./);
  });

  const cases: [string, string, string][] = [
    ['status', "UPDATE tickets SET status = 'closed' WHERE number = 1", 'status against history'],
    ['assignee', "UPDATE tickets SET assignee_id = NULL WHERE number = 1", 'assignee against history'],
    ['version', 'UPDATE tickets SET version = version + 1 WHERE number = 3', 'versions and events'],
    ['comment', 'DELETE FROM comments WHERE rowid = 1', 'comments against history'],
    ['tag', "DELETE FROM ticket_tags WHERE rowid IN (SELECT rowid FROM ticket_tags LIMIT 1)", 'tags against history'],
    ['numbering', 'UPDATE teams SET ticket_counter = ticket_counter + 1', 'team numbering'],
    ['deleted', 'UPDATE tickets SET deleted_at = NULL WHERE number = 2', 'deletion against history'],
    // SUP-4 was deleted, then restored: its latest such event says it is not deleted.
    ['restored', "UPDATE tickets SET deleted_at = '2026-01-01T00:00:00.000Z' WHERE number = 4", 'deletion against history'],
    // ENG-1 moved to SUP-6: ENG's counter counts the key it keeps.
    ['former key', 'DELETE FROM former_ticket_keys', 'team numbering'],
    ['fts', 'DELETE FROM ticket_search WHERE rowid = (SELECT min(rowid) FROM ticket_search)', 'full-text index'],
    ['fts title', "UPDATE ticket_search SET title = 'other words' WHERE rowid = (SELECT min(rowid) FROM ticket_search)", 'full-text index'],
    ['comment index', "INSERT INTO comment_search (comment_search) VALUES ('delete-all')", 'full-text index'],
    [
      'workspace',
      `INSERT INTO workspaces (id, name, created_at) VALUES ('ws_other', 'other', '2026-01-01');
       INSERT INTO agents (id, workspace_id, name, name_key, email, email_key, kind, created_at, updated_at)
         VALUES ('ag_other', 'ws_other', 'Stranger', 'stranger', 's@x.co', 's@x.co', 'human', '2026-01-01', '2026-01-01');
       UPDATE comments SET author_id = 'ag_other' WHERE rowid = 1;`,
      'workspaces',
    ],
    // The events table refuses updates; tampering with history means dropping that guard first.
    ['creation', "DROP TRIGGER events_are_append_only_update; UPDATE events SET type = 'comment_added' WHERE rowid = (SELECT min(rowid) FROM events WHERE type = 'created')", 'creation'],
    ['reference', "PRAGMA foreign_keys = OFF; UPDATE tickets SET contact_id = 'ct_gone' WHERE number = 1", 'foreign keys'],
  ];
  for (const [name, sql, check] of cases) {
    it(`finds a ${name} changed behind the service's back`, () => {
      expect(failing(tampered(name, sql))).toContain(check);
    });
  }

  it('exits 1 and names the failure, in text and as JSON', () => {
    const path = tampered('both', "UPDATE tickets SET status = 'resolved' WHERE number = 3");
    const text = spawnSync(process.execPath, [CLI, 'doctor', '--db', path], { encoding: 'utf8' });
    expect(text.status).toBe(1);
    expect(text.stdout).toMatch(/FAIL {2}status against history: SUP-3 \(status resolved, history says pending\)/);
    expect(text.stdout).toMatch(/1 of 14 checks failed\./);
    const json = spawnSync(process.execPath, [CLI, 'doctor', '--db', path, '--json'], { encoding: 'utf8' });
    expect(json.status).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, findings: expect.arrayContaining([expect.objectContaining({ check: 'status against history', ok: false })]) });
  });
});
