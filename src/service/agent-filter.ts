import type { Db } from '../db/engine.js';
import { agentsNamedFrom } from '../db/repo/agents.js';
import { fold } from '../domain/text.js';
import { DomainError } from '../errors.js';
import { agentCandidates, ambiguous, CANDIDATE_LIMIT, findAgent, type AgentRecord } from './refs.js';

/**
 * The agent a list filter names: an id, email or exact name as everywhere, or else the
 * start of one agent's name in any case ("priya" for Priya Shah). Only reads take a
 * prefix: a write must name its agent exactly.
 */
export async function findAgentForFilter(db: Db, workspaceId: string, ref: string): Promise<AgentRecord> {
  try {
    return await findAgent(db, workspaceId, ref);
  } catch (error) {
    if (!(error instanceof DomainError) || error.code !== 'NOT_FOUND') throw error;
    const named = await agentsNamedFrom(db, workspaceId, fold(ref.trim()), CANDIDATE_LIMIT);
    if (named.length === 1) return named[0]!;
    if (named.length > 1) throw ambiguous('agent', ref.trim(), await agentCandidates(db, named));
    throw error;
  }
}
