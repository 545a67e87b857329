import type { Migration } from '../migrate.js';
import { DIRECTORY_V1 } from './schema-directory.js';
import { TICKETS_V1 } from './schema-tickets.js';
import { SEARCH_V1 } from './search.js';

/**
 * PostgreSQL's schema: a translation of schema.sql, migration for migration, with the same
 * version numbers, tables, columns, constraints and index names, so the Kysely types in
 * src/db/tables.ts describe both engines (test/pg-schema.test.ts checks it). Never edit a
 * migration that has shipped: append one here and in schema.sql.
 *
 * How SQLite's types are carried over, so the service reads the same values on both:
 * - TEXT is `text COLLATE "C"`: compared and sorted byte by byte like SQLite's BINARY,
 *   whatever locale the database was created with (names, keys and cursors sort alike).
 * - COLLATE NOCASE is the `nocase` collation: ICU, case-insensitive, so `=` and UNIQUE
 *   ignore case as SQLite's do (ICU folds all of Unicode; NOCASE folds ASCII only).
 *   PostgreSQL 15 refuses LIKE on such a column: none is searched with LIKE.
 * - Timestamps stay text, in the `iso_instant` domain: the exact strings the service
 *   wrote (Date#toISOString), compared as text as on SQLite, and kept intact inside JSON
 *   aggregates, where a timestamptz would come back in PostgreSQL's own format.
 * - Flags stay integers 0/1 with the same CHECK: the service writes and compares numbers.
 * - JSON stays text with a validity CHECK (a cast to json, which keeps the text as it was;
 *   jsonb would reorder keys), so the service parses the same strings.
 * - Row ids (seq) are bigint identities, read back as numbers by the engine's type parser
 *   (db/postgres/open.ts); `BY DEFAULT` lets `migrate --from` keep SQLite's values.
 */
export const postgresMigrations: Migration[] = [
  { version: 1, name: 'initial schema', sql: DIRECTORY_V1 + SEARCH_V1 + TICKETS_V1 },
  {
    version: 2,
    name: 'API keys for the HTTP transport',
    sql: String.raw`
CREATE TABLE api_keys (
  id text COLLATE "C" PRIMARY KEY,
  workspace_id text COLLATE "C" NOT NULL REFERENCES workspaces (id),
  agent_id text COLLATE "C" NOT NULL REFERENCES agents (id),
  key_hash text COLLATE "C" NOT NULL UNIQUE,
  key_prefix text COLLATE "C" NOT NULL,
  read_only integer NOT NULL DEFAULT 0 CHECK (read_only IN (0, 1)),
  created_at iso_instant NOT NULL,
  revoked_at iso_instant
);
`,
  },
  {
    // SQLite's migration 3 fixes its planner's statistics; PostgreSQL's autovacuum keeps
    // its own. The version is kept so both engines number the same schema alike.
    version: 3,
    name: 'fixed planner statistics (SQLite only)',
    sql: '',
  },
  {
    // SQLite's migration 4 rebuilds its FTS5 indexes per workspace and per comment; the
    // tsvector columns of migration 1 are already per row and scoped by their query.
    version: 4,
    name: 'scoped full-text indexes (SQLite only)',
    sql: '',
  },
  {
    version: 5,
    name: 'work queue leases, ticket links, keys kept after a move, new event types',
    sql: String.raw`
ALTER TABLE tickets ADD COLUMN lease_expires_at iso_instant;
CREATE INDEX tickets_by_lease ON tickets (lease_expires_at) WHERE lease_expires_at IS NOT NULL;
CREATE INDEX tickets_waiting ON tickets (team_id, seq)
  WHERE assignee_id IS NULL AND deleted_at IS NULL AND status IN ('open', 'pending');

CREATE TABLE ticket_links (
  workspace_id text COLLATE "C" NOT NULL REFERENCES workspaces (id),
  ticket_id text COLLATE "C" NOT NULL REFERENCES tickets (id),
  related_id text COLLATE "C" NOT NULL REFERENCES tickets (id),
  type text COLLATE "C" NOT NULL CHECK (type IN ('relates_to', 'duplicates', 'blocks', 'follows_up')),
  created_by text COLLATE "C" NOT NULL REFERENCES agents (id),
  created_at iso_instant NOT NULL,
  PRIMARY KEY (ticket_id, related_id, type),
  CHECK (ticket_id <> related_id)
);
CREATE INDEX ticket_links_by_related ON ticket_links (related_id, ticket_id);

CREATE TABLE former_ticket_keys (
  workspace_id text COLLATE "C" NOT NULL REFERENCES workspaces (id),
  team_id text COLLATE "C" NOT NULL REFERENCES teams (id),
  number integer NOT NULL,
  ticket_id text COLLATE "C" NOT NULL REFERENCES tickets (id),
  created_at iso_instant NOT NULL,
  PRIMARY KEY (team_id, number)
);
CREATE INDEX former_ticket_keys_by_ticket ON former_ticket_keys (ticket_id);

ALTER TABLE events DROP CONSTRAINT events_type_check;
ALTER TABLE events ADD CONSTRAINT events_type_check CHECK (type IN (
  'created', 'status_changed', 'assignment_changed', 'comment_added',
  'tag_added', 'tag_removed', 'metadata_updated', 'deleted',
  'restored', 'team_changed', 'lease_expired', 'linked', 'unlinked'));
CREATE INDEX events_by_workspace ON events (workspace_id, seq);
`,
  },
  {
    version: 6,
    name: 'web console sessions',
    sql: String.raw`
CREATE TABLE console_sessions (
  id text COLLATE "C" PRIMARY KEY,
  token_hash text COLLATE "C" NOT NULL UNIQUE,
  workspace_id text COLLATE "C" NOT NULL REFERENCES workspaces (id),
  agent_id text COLLATE "C" NOT NULL REFERENCES agents (id),
  api_key_id text COLLATE "C" REFERENCES api_keys (id),
  read_only integer NOT NULL DEFAULT 0 CHECK (read_only IN (0, 1)),
  created_at iso_instant NOT NULL,
  expires_at iso_instant NOT NULL
);
CREATE INDEX console_sessions_by_expiry ON console_sessions (expires_at);
`,
  },
  {
    version: 7,
    name: "the live tickets' own index, for the console's queue counts",
    sql: String.raw`
CREATE INDEX tickets_live ON tickets (workspace_id, team_id, status, assignee_id, due_date, deleted_at)
  WHERE deleted_at IS NULL AND status IN ('open', 'pending');
`,
  },
];
