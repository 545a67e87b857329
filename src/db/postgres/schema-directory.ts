/**
 * Migration 1, first part: the directory and the lookups (workspaces, statuses and their
 * transitions, priorities, sentiments, ticket types, teams, agents, contacts, accounts),
 * with the collation and the timestamp domain every table uses. Shipped: never edit.
 */
export const DIRECTORY_V1 = String.raw`
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
`;
