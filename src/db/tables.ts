// Generated from schema.sql by scripts/gen-db-types.ts (npm run gen:types). Do not edit.
import type { Generated } from 'kysely';

export interface Tables {
  accounts: AccountsTable;
  agents: AgentsTable;
  api_keys: ApiKeysTable;
  comment_search: CommentSearchTable;
  comments: CommentsTable;
  console_sessions: ConsoleSessionsTable;
  contacts: ContactsTable;
  events: EventsTable;
  former_ticket_keys: FormerTicketKeysTable;
  idempotency_keys: IdempotencyKeysTable;
  priorities: PrioritiesTable;
  search_scopes: SearchScopesTable;
  sentiments: SentimentsTable;
  status_transitions: StatusTransitionsTable;
  statuses: StatusesTable;
  tags: TagsTable;
  team_members: TeamMembersTable;
  teams: TeamsTable;
  ticket_links: TicketLinksTable;
  ticket_search: TicketSearchTable;
  ticket_tags: TicketTagsTable;
  ticket_types: TicketTypesTable;
  tickets: TicketsTable;
  workspaces: WorkspacesTable;
}

export interface AccountsTable {
  id: string;
  workspace_id: string;
  name: string;
  name_key: string;
  created_at: string;
}

export interface AgentsTable {
  id: string;
  workspace_id: string;
  name: string;
  name_key: string;
  email: string;
  email_key: string;
  kind: 'human' | 'ai';
  is_active: Generated<number>;
  created_at: string;
  updated_at: string;
}

export interface ApiKeysTable {
  id: string;
  workspace_id: string;
  agent_id: string;
  key_hash: string;
  key_prefix: string;
  read_only: Generated<number>;
  created_at: string;
  revoked_at: string | null;
}

export interface CommentSearchTable {
  body: string | null;
}

export interface CommentsTable {
  id: string;
  workspace_id: string;
  ticket_id: string;
  author_id: string;
  body: string;
  is_internal: Generated<number>;
  created_at: string;
}

export interface ConsoleSessionsTable {
  id: string;
  token_hash: string;
  workspace_id: string;
  agent_id: string;
  api_key_id: string | null;
  read_only: Generated<number>;
  created_at: string;
  expires_at: string;
}

export interface ContactsTable {
  id: string;
  workspace_id: string;
  email: string;
  email_key: string;
  first_name: string | null;
  last_name: string | null;
  created_at: string;
  updated_at: string;
}

export interface EventsTable {
  seq: Generated<number>;
  workspace_id: string;
  ticket_id: string;
  type: 'created' | 'status_changed' | 'assignment_changed' | 'comment_added' | 'tag_added' | 'tag_removed' | 'metadata_updated' | 'deleted' | 'restored' | 'team_changed' | 'lease_expired' | 'linked' | 'unlinked';
  actor_id: string;
  ticket_version: number;
  data: Generated<string>;
  created_at: string;
}

export interface FormerTicketKeysTable {
  workspace_id: string;
  team_id: string;
  number: number;
  ticket_id: string;
  created_at: string;
}

export interface IdempotencyKeysTable {
  workspace_id: string;
  key: string;
  request_hash: string;
  ticket_id: string;
  response: string;
  created_at: string;
}

export interface PrioritiesTable {
  id: string;
  workspace_id: string;
  name: string;
  position: number;
  is_default: Generated<number>;
}

export interface SearchScopesTable {
  scope: Generated<number>;
  workspace_id: string;
}

export interface SentimentsTable {
  id: string;
  workspace_id: string;
  name: string;
  position: number;
  is_default: Generated<number>;
}

export interface StatusTransitionsTable {
  workspace_id: string;
  from_status: string;
  to_status: string;
}

export interface StatusesTable {
  id: string;
  workspace_id: string;
  name: string;
  description: string;
  position: number;
}

export interface TagsTable {
  id: string;
  workspace_id: string;
  name: string;
  name_key: string;
  description: string | null;
  color: Generated<'default' | 'gray' | 'red' | 'orange' | 'yellow' | 'green' | 'blue' | 'purple' | 'pink' | 'brown'>;
  created_at: string;
  updated_at: string;
}

export interface TeamMembersTable {
  workspace_id: string;
  team_id: string;
  agent_id: string;
  created_at: string;
}

export interface TeamsTable {
  id: string;
  workspace_id: string;
  name: string;
  name_key: string;
  identifier: string;
  description: string | null;
  ticket_counter: Generated<number>;
  created_at: string;
  updated_at: string;
}

export interface TicketLinksTable {
  workspace_id: string;
  ticket_id: string;
  related_id: string;
  type: 'relates_to' | 'duplicates' | 'blocks' | 'follows_up';
  created_by: string;
  created_at: string;
}

export interface TicketSearchTable {
  title: string | null;
  description: string | null;
}

export interface TicketTagsTable {
  workspace_id: string;
  ticket_id: string;
  tag_id: string;
  created_by: string;
  created_at: string;
}

export interface TicketTypesTable {
  id: string;
  workspace_id: string;
  name: string;
  position: number;
}

export interface TicketsTable {
  seq: Generated<number>;
  id: string;
  workspace_id: string;
  team_id: string;
  number: number;
  title: string;
  description: string | null;
  status: string;
  priority_id: string;
  sentiment_id: string;
  type_id: string | null;
  account_id: string | null;
  assignee_id: string | null;
  contact_id: string;
  submitter_email: string | null;
  due_date: string | null;
  source: string;
  is_private: Generated<number>;
  form_id: string | null;
  metadata: Generated<string>;
  custom_field_values: Generated<string>;
  attachment_urls: Generated<string>;
  ai_generated_title: string | null;
  ai_generated_summary: string | null;
  chat_id: string | null;
  circumstance: 'handover' | 'takeover' | null;
  created_by: string;
  completed_by: string | null;
  ongoing_at: string | null;
  completed_at: string | null;
  closed_at: string | null;
  deleted_at: string | null;
  version: Generated<number>;
  created_at: string;
  updated_at: string;
  lease_expires_at: string | null;
}

export interface WorkspacesTable {
  id: string;
  name: string;
  created_at: string;
}
