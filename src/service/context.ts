import { customAlphabet } from 'nanoid';

/** The workspace a fresh database has, and the one stdio and `keys create` use unless told otherwise. */
export const DEFAULT_WORKSPACE = 'default';

/** Who is calling and where: every service call is scoped to one workspace and one actor. */
export interface Caller {
  workspaceId: string;
  agentId: string;
}

const randomPart = customAlphabet('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz', 16);

/** Prefixed ids (`tk_…`, `ag_…`) tell a model at a glance what kind of record an id names. */
export const ID_PREFIX = {
  workspace: 'ws',
  team: 'tm',
  agent: 'ag',
  contact: 'ct',
  account: 'ac',
  ticket: 'tk',
  tag: 'tg',
  comment: 'cm',
  status: 'st',
  priority: 'pr',
  sentiment: 'se',
  type: 'ty',
  key: 'key',
  session: 'cs',
} as const;

export const newId = (kind: keyof typeof ID_PREFIX) => `${ID_PREFIX[kind]}_${randomPart()}`;

/** One clock reading per transaction, so a change and its events carry the same time. */
export const now = () => new Date().toISOString();

/** Stored due dates are full ISO timestamps, so `dueBefore` compares them as text. */
export const normalizeInstant = (value: string) => new Date(value).toISOString();
