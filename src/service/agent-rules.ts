import type { Db } from '../db/engine.js';
import { agentRow, otherActiveAgent } from '../db/repo/agents.js';
import { DomainError } from '../errors.js';
import type { Caller } from './context.js';
import type { AgentRecord } from './refs.js';

/** The changes update_agent can make to an agent's record (team memberships aside). */
export interface AgentChange {
  name?: string;
  email?: string;
  kind?: 'human' | 'ai';
  active?: boolean;
}

const forbidden = (message: string, hint: string) => new DomainError('FORBIDDEN', message, { hint });

/**
 * Who may change whom. An agent's API keys work only while it is active, so deactivating
 * is the sharpest change: nobody deactivates themselves, nor the workspace's last active
 * agent. An AI agent may not change a human's name, email or active state, nor any
 * agent's kind (an AI that could make an agent human would step out of this rule); team
 * memberships anyone may change. Humans may change anyone. Checked inside the write
 * transaction, on the rows as they are now.
 */
export async function refuseForbiddenChange(db: Db, caller: Caller, target: AgentRecord, change: AgentChange): Promise<void> {
  const who = `${target.name} <${target.email}>`;
  const deactivating = change.active === false && target.is_active === 1;
  if (change.active === false && target.id === caller.agentId) {
    throw forbidden('You cannot deactivate yourself, the agent making this call: your own keys would stop working.', 'Ask another agent (a human, if you are one) to deactivate you.');
  }
  const { kind } = await agentRow(db, caller.agentId);
  if (kind === 'ai') {
    if (change.kind !== undefined && change.kind !== target.kind) {
      throw forbidden(`An AI agent cannot change an agent's kind; ${who} stays ${target.kind}.`, 'Ask a human agent to make this change.');
    }
    const touched = [
      change.name !== undefined && change.name.trim() !== target.name && 'name',
      change.email !== undefined && change.email.trim() !== target.email && 'email',
      change.active !== undefined && (change.active ? 1 : 0) !== target.is_active && 'active state',
    ].filter((field): field is string => field !== false);
    if (target.kind === 'human' && touched.length > 0) {
      throw forbidden(
        `An AI agent cannot change a human agent's ${touched.join(' or ')}; ${who} is human.`,
        'Ask a human agent to make this change. You may change their teams (addTeams, removeTeams) and hand their open work over (reassignTo, without active).',
      );
    }
  }
  if (deactivating) {
    const other = await otherActiveAgent(db, target.workspace_id, target.id);
    if (!other) {
      throw forbidden(`${who} is the last active agent of this workspace; deactivating them would leave nobody to act.`, 'Create or reactivate another agent first (create_agent, update_agent).');
    }
  }
}
