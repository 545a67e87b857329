import type { Migration } from '../migrate.js';

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
  {
    version: 1,
    name: 'initial schema',
    sql: String.raw`
CREATE COLLATION nocase (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
CREATE DOMAIN iso_instant AS text COLLATE "C"
  CHECK (VALUE ~ '^(\d{4}|[+-]\d{6})-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$');

CREATE TABLE workspaces (
  id text COLLATE "C" PRIMARY KEY,
  name text COLLATE nocase NOT NULL UNIQUE,
  created_at iso_instant NOT NULL
);

CREATE TABLE statuses (
  id text COLLATE "C" PRIMARY KEY,
  workspace_id text COLLATE "C" NOT NULL REFERENCES workspaces (id),
  name text COLLATE "C" NOT NULL,
  description text COLLATE "C" NOT NULL,
  position integer NOT NULL,
  UNIQUE (workspace_id, name)
);

CREATE TABLE status_transitions (
  workspace_id text COLLATE "C" NOT NULL REFERENCES workspaces (id),
  from_status text COLLATE "C" NOT NULL,
  to_status text COLLATE "C" NOT NULL,
  PRIMARY KEY (workspace_id, from_status, to_status),
  FOREIGN KEY (workspace_id, from_status) REFERENCES statuses (workspace_id, name),
  FOREIGN KEY (workspace_id, to_status) REFERENCES statuses (workspace_id, name)
);

CREATE TABLE priorities (
  id text COLLATE "C" PRIMARY KEY,
  workspace_id text COLLATE "C" NOT NULL REFERENCES workspaces (id),
  name text COLLATE nocase NOT NULL,
  position integer NOT NULL,
  is_default integer NOT NULL DEFAULT 0 CHECK (is_default IN (0, 1)),
  UNIQUE (workspace_id, name)
);

CREATE TABLE sentiments (
  id text COLLATE "C" PRIMARY KEY,
  workspace_id text COLLATE "C" NOT NULL REFERENCES workspaces (id),
  name text COLLATE nocase NOT NULL,
  position integer NOT NULL,
  is_default integer NOT NULL DEFAULT 0 CHECK (is_default IN (0, 1)),
  UNIQUE (workspace_id, name)
);

CREATE TABLE ticket_types (
  id text COLLATE "C" PRIMARY KEY,
  workspace_id text COLLATE "C" NOT NULL REFERENCES workspaces (id),
  name text COLLATE nocase NOT NULL,
  position integer NOT NULL,
  UNIQUE (workspace_id, name)
);

CREATE TABLE teams (
  id text COLLATE "C" PRIMARY KEY,
  workspace_id text COLLATE "C" NOT NULL REFERENCES workspaces (id),
  name text COLLATE "C" NOT NULL,
  name_key text COLLATE "C" NOT NULL,
  identifier text COLLATE "C" NOT NULL CHECK (identifier = upper(identifier)),
  description text COLLATE "C",
  -- The last number handed out: UPDATE … RETURNING bumps it under the row's lock, so
  -- numbers have no gaps and no duplicates across processes.
  ticket_counter integer NOT NULL DEFAULT 0,
  created_at iso_instant NOT NULL,
  updated_at iso_instant NOT NULL,
  UNIQUE (workspace_id, identifier),
  UNIQUE (workspace_id, name_key)
);

CREATE TABLE agents (
  id text COLLATE "C" PRIMARY KEY,
  workspace_id text COLLATE "C" NOT NULL REFERENCES workspaces (id),
  name text COLLATE "C" NOT NULL,
  name_key text COLLATE "C" NOT NULL,
  email text COLLATE "C" NOT NULL,
  email_key text COLLATE "C" NOT NULL,
  kind text COLLATE "C" NOT NULL CHECK (kind IN ('human', 'ai')),
  is_active integer NOT NULL DEFAULT 1 CHECK (is_active IN (0, 1)),
  created_at iso_instant NOT NULL,
  updated_at iso_instant NOT NULL,
  UNIQUE (workspace_id, email_key)
);
CREATE INDEX agents_by_name ON agents (workspace_id, name_key);

CREATE TABLE team_members (
  workspace_id text COLLATE "C" NOT NULL REFERENCES workspaces (id),
  team_id text COLLATE "C" NOT NULL REFERENCES teams (id),
  agent_id text COLLATE "C" NOT NULL REFERENCES agents (id),
  created_at iso_instant NOT NULL,
  PRIMARY KEY (team_id, agent_id)
);
CREATE INDEX team_members_by_agent ON team_members (agent_id);

CREATE TABLE contacts (
  id text COLLATE "C" PRIMARY KEY,
  workspace_id text COLLATE "C" NOT NULL REFERENCES workspaces (id),
  email text COLLATE "C" NOT NULL,
  email_key text COLLATE "C" NOT NULL,
  first_name text COLLATE "C",
  last_name text COLLATE "C",
  created_at iso_instant NOT NULL,
  updated_at iso_instant NOT NULL,
  UNIQUE (workspace_id, email_key)
);

CREATE TABLE accounts (
  id text COLLATE "C" PRIMARY KEY,
  workspace_id text COLLATE "C" NOT NULL REFERENCES workspaces (id),
  name text COLLATE "C" NOT NULL,
  name_key text COLLATE "C" NOT NULL,
  created_at iso_instant NOT NULL,
  UNIQUE (workspace_id, name_key)
);

-- Full-text search. Words match in any English form (Snowball's English stemmer, with no
-- stop words, as SQLite's porter keeps every word), accents folded (unaccent). Text goes
-- through ticket_search_text first, in documents and queries alike, so an email, a host or
-- a path is split into its words as SQLite's unicode61 splits it ("example" finds
-- bob@example.com) instead of staying one token.
CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE TEXT SEARCH DICTIONARY ticket_english_stem (TEMPLATE = snowball, LANGUAGE = english);
CREATE TEXT SEARCH CONFIGURATION ticket_search (COPY = simple);
ALTER TEXT SEARCH CONFIGURATION ticket_search
  ALTER MAPPING FOR asciiword, asciihword, hword_asciipart, word, hword, hword_part
  WITH unaccent, ticket_english_stem;
CREATE FUNCTION ticket_search_text(body text) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
  RETURN translate(body, E'@./:\\', '     ');
CREATE FUNCTION ticket_search_document(body text) RETURNS tsvector
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN to_tsvector('ticket_search', ticket_search_text(coalesce(body, '')));
-- websearch_to_tsquery never fails on user text: unbalanced quotes and operators are words.
CREATE FUNCTION ticket_search_query(body text) RETURNS tsquery
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN websearch_to_tsquery('ticket_search', ticket_search_text(coalesce(body, '')));

CREATE TABLE tickets (
  -- Creation order: the list cursor's tie-breaker and a search page's order.
  seq bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  id text COLLATE "C" NOT NULL UNIQUE,
  workspace_id text COLLATE "C" NOT NULL REFERENCES workspaces (id),
  team_id text COLLATE "C" NOT NULL REFERENCES teams (id),
  number integer NOT NULL,
  title text COLLATE "C" NOT NULL,
  description text COLLATE "C",
  status text COLLATE "C" NOT NULL,
  priority_id text COLLATE "C" NOT NULL REFERENCES priorities (id),
  sentiment_id text COLLATE "C" NOT NULL REFERENCES sentiments (id),
  type_id text COLLATE "C" REFERENCES ticket_types (id),
  account_id text COLLATE "C" REFERENCES accounts (id),
  assignee_id text COLLATE "C" REFERENCES agents (id),
  contact_id text COLLATE "C" NOT NULL REFERENCES contacts (id),
  submitter_email text COLLATE "C",
  due_date iso_instant,
  source text COLLATE "C" NOT NULL,
  is_private integer NOT NULL DEFAULT 0 CHECK (is_private IN (0, 1)),
  form_id text COLLATE "C",
  metadata text COLLATE "C" NOT NULL DEFAULT '{}' CHECK (metadata::json IS NOT NULL),
  custom_field_values text COLLATE "C" NOT NULL DEFAULT '[]' CHECK (custom_field_values::json IS NOT NULL),
  attachment_urls text COLLATE "C" NOT NULL DEFAULT '[]' CHECK (attachment_urls::json IS NOT NULL),
  ai_generated_title text COLLATE "C",
  ai_generated_summary text COLLATE "C",
  chat_id text COLLATE "C",
  circumstance text COLLATE "C" CHECK (circumstance IN ('handover', 'takeover')),
  created_by text COLLATE "C" NOT NULL REFERENCES agents (id),
  completed_by text COLLATE "C" REFERENCES agents (id),
  ongoing_at iso_instant,
  completed_at iso_instant,
  closed_at iso_instant,
  deleted_at iso_instant,
  version integer NOT NULL DEFAULT 1,
  created_at iso_instant NOT NULL,
  updated_at iso_instant NOT NULL,
  -- Title and description; comments carry their own vector (comments.search_vector).
  search_vector tsvector NOT NULL GENERATED ALWAYS AS (
    setweight(ticket_search_document(title), 'A') || setweight(ticket_search_document(description), 'B')
  ) STORED,
  UNIQUE (team_id, number),
  FOREIGN KEY (workspace_id, status) REFERENCES statuses (workspace_id, name)
);
CREATE INDEX tickets_by_updated ON tickets (workspace_id, updated_at, seq);
CREATE INDEX tickets_by_status ON tickets (workspace_id, status, updated_at, seq);
CREATE INDEX tickets_by_assignee ON tickets (assignee_id, updated_at, seq);
CREATE INDEX tickets_by_team ON tickets (team_id, updated_at, seq);
CREATE INDEX tickets_by_team_status ON tickets (team_id, status, updated_at, seq);
CREATE INDEX tickets_by_priority ON tickets (priority_id, updated_at, seq);
CREATE INDEX tickets_by_contact ON tickets (contact_id, updated_at, seq);
CREATE INDEX tickets_live_by_assignee ON tickets (assignee_id, status) WHERE deleted_at IS NULL;
CREATE INDEX tickets_by_due ON tickets (workspace_id, due_date) WHERE due_date IS NOT NULL;
CREATE INDEX tickets_by_chat ON tickets (workspace_id, chat_id) WHERE chat_id IS NOT NULL;
CREATE UNIQUE INDEX tickets_one_live_per_chat ON tickets (workspace_id, chat_id)
  WHERE chat_id IS NOT NULL AND status <> 'closed' AND deleted_at IS NULL;
CREATE INDEX tickets_search ON tickets USING gin (search_vector);

CREATE TABLE tags (
  id text COLLATE "C" PRIMARY KEY,
  workspace_id text COLLATE "C" NOT NULL REFERENCES workspaces (id),
  name text COLLATE "C" NOT NULL CHECK (length(name) BETWEEN 3 AND 50),
  name_key text COLLATE "C" NOT NULL,
  description text COLLATE "C" CHECK (description IS NULL OR length(description) BETWEEN 3 AND 250),
  color text COLLATE "C" NOT NULL DEFAULT 'default' CHECK (color IN (
    'default', 'gray', 'red', 'orange', 'yellow', 'green', 'blue', 'purple', 'pink', 'brown')),
  created_at iso_instant NOT NULL,
  updated_at iso_instant NOT NULL,
  UNIQUE (workspace_id, name_key)
);

CREATE TABLE ticket_tags (
  workspace_id text COLLATE "C" NOT NULL REFERENCES workspaces (id),
  ticket_id text COLLATE "C" NOT NULL REFERENCES tickets (id),
  tag_id text COLLATE "C" NOT NULL REFERENCES tags (id),
  created_by text COLLATE "C" NOT NULL REFERENCES agents (id),
  created_at iso_instant NOT NULL,
  PRIMARY KEY (ticket_id, tag_id)
);
CREATE INDEX ticket_tags_by_tag ON ticket_tags (tag_id, ticket_id);

CREATE TABLE comments (
  id text COLLATE "C" PRIMARY KEY,
  workspace_id text COLLATE "C" NOT NULL REFERENCES workspaces (id),
  ticket_id text COLLATE "C" NOT NULL REFERENCES tickets (id),
  author_id text COLLATE "C" NOT NULL REFERENCES agents (id),
  body text COLLATE "C" NOT NULL,
  is_internal integer NOT NULL DEFAULT 0 CHECK (is_internal IN (0, 1)),
  created_at iso_instant NOT NULL,
  search_vector tsvector NOT NULL GENERATED ALWAYS AS (ticket_search_document(body)) STORED
);
CREATE INDEX comments_by_ticket ON comments (ticket_id, created_at);
CREATE INDEX comments_search ON comments USING gin (search_vector);

-- The audit trail: one row per change, written in the change's own transaction.
CREATE TABLE events (
  seq bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  workspace_id text COLLATE "C" NOT NULL REFERENCES workspaces (id),
  ticket_id text COLLATE "C" NOT NULL REFERENCES tickets (id),
  type text COLLATE "C" NOT NULL CHECK (type IN (
    'created', 'status_changed', 'assignment_changed', 'comment_added',
    'tag_added', 'tag_removed', 'metadata_updated', 'deleted')),
  actor_id text COLLATE "C" NOT NULL REFERENCES agents (id),
  ticket_version integer NOT NULL,
  data text COLLATE "C" NOT NULL DEFAULT '{}' CHECK (data::json IS NOT NULL),
  created_at iso_instant NOT NULL
);
CREATE INDEX events_by_ticket ON events (ticket_id, seq);
-- Row triggers refuse UPDATE and DELETE; TRUNCATE skips row triggers, so it has its own.
CREATE FUNCTION events_are_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'events are append-only' USING ERRCODE = 'restrict_violation';
END;
$$;
CREATE TRIGGER events_are_append_only BEFORE UPDATE OR DELETE ON events
  FOR EACH ROW EXECUTE FUNCTION events_are_append_only();
CREATE TRIGGER events_are_append_only_truncate BEFORE TRUNCATE ON events
  FOR EACH STATEMENT EXECUTE FUNCTION events_are_append_only();

CREATE TABLE idempotency_keys (
  workspace_id text COLLATE "C" NOT NULL REFERENCES workspaces (id),
  key text COLLATE "C" NOT NULL,
  request_hash text COLLATE "C" NOT NULL,
  ticket_id text COLLATE "C" NOT NULL REFERENCES tickets (id),
  response text COLLATE "C" NOT NULL CHECK (response::json IS NOT NULL),
  created_at iso_instant NOT NULL,
  PRIMARY KEY (workspace_id, key)
);
`,
  },
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
];
