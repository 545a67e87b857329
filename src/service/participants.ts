import type { Db } from '../db/engine.js';
import { agentById } from '../db/repo/agents.js';
import { accountByIdOrName, contactByEmail, insertAccount, insertContact, updateContactNames } from '../db/repo/contacts.js';
import { fold } from '../domain/text.js';
import { notFound, validationError } from '../errors.js';
import { newId, type Caller } from './context.js';
import { findAgent, type AgentRecord } from './refs.js';

/** Who takes part in a ticket: agents who hold or write, the contact who asked, the account they belong to. */
export const agentRef = (agent: Pick<AgentRecord, 'id' | 'name'>) => ({ id: agent.id, name: agent.name });

export function refuseInactive(agent: AgentRecord, field: string): void {
  if (agent.is_active !== 1) {
    throw validationError(`\`${field}\`: ${agent.name} <${agent.email}> is deactivated and cannot hold tickets.`, {
      hint: 'Pick an active agent (list_agents), or reactivate this one with update_agent.',
    });
  }
}

export const agentRecord = async (db: Db, agentId: string): Promise<AgentRecord> => (await agentById(db, { id: agentId }))[0]!;

export async function agentSummary(db: Db, agentId: string | null) {
  if (agentId === null) return null;
  return agentRef(await agentRecord(db, agentId));
}

/** The agent an optional argument names, or the caller when it names nobody. */
export const agentOrCaller = (db: Db, caller: Caller, ref: string | undefined): Promise<AgentRecord> =>
  ref === undefined ? agentRecord(db, caller.agentId) : findAgent(db, caller.workspaceId, ref);

export interface ContactNames {
  id: string;
  email: string;
  first_name: string | null;
  last_name: string | null;
}

/** The contact of an email, created on first use; a name is filled in when first learned, never overwritten by a guess. */
export async function contactFor(
  db: Db,
  caller: Caller,
  input: { requestorEmail: string; requestorFirstName?: string; requestorLastName?: string },
  at: string,
): Promise<ContactNames> {
  const [existing] = await contactByEmail(db, { ws: caller.workspaceId, key: fold(input.requestorEmail) });
  if (!existing) {
    const contact = {
      id: newId('contact'),
      email: input.requestorEmail,
      first_name: input.requestorFirstName ?? null,
      last_name: input.requestorLastName ?? null,
    };
    await insertContact(db, {
      id: contact.id,
      ws: caller.workspaceId,
      email: contact.email,
      key: fold(contact.email),
      first: contact.first_name,
      last: contact.last_name,
      at,
    });
    return contact;
  }
  const first_name = existing.first_name ?? input.requestorFirstName ?? null;
  const last_name = existing.last_name ?? input.requestorLastName ?? null;
  if (first_name !== existing.first_name || last_name !== existing.last_name) {
    await updateContactNames(db, existing.id, first_name, last_name, at);
  }
  return { id: existing.id, email: existing.email, first_name, last_name };
}

/** An account by id or name; an unknown name creates the account, as a contact is created on first use. */
export async function accountFor(db: Db, caller: Caller, ref: string, at: string): Promise<{ id: string; name: string }> {
  const text = ref.trim();
  const found = await accountByIdOrName(db, caller.workspaceId, text, fold(text));
  if (found) return found;
  if (text.startsWith('ac_')) {
    throw notFound(`No account with id "${text}".`, { hint: 'Pass an account id, or a name to create the account.' });
  }
  const account = { id: newId('account'), name: text };
  await insertAccount(db, { ...account, name_key: fold(text), workspace_id: caller.workspaceId, created_at: at });
  return account;
}
