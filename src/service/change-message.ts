/**
 * How an answer says what a change did, old → new ("status open → pending", "assigned
 * Otto → Priya Shah <priya@acme.example>", "due 2026-12-01 17:00 UTC → 2026-12-04"): the
 * one place that phrases it, so every operation words its changes alike.
 */

/** One changed property, as the message shows it. */
export interface Change {
  /** What changed, as a person says it: "status", "assigned", "due", "priority". */
  label: string;
  from: unknown;
  to: unknown;
  /** The steps between, when one change took several (open → pending → resolved). */
  via?: unknown[];
}

/** Longer values (a description, metadata) are named as changed, not shown. */
const SHOWN_MAX = 60;
const MIDNIGHT = 'T00:00:00.000Z';
const INSTANT = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}):\d{2}\.\d{3}Z$/;

/** A stored value as a person reads it: a day for a midnight instant, minutes in UTC otherwise, "none" for nothing. */
export function shownValue(value: unknown): string {
  if (value === null || value === undefined) return 'none';
  if (typeof value === 'string') {
    if (value.endsWith(MIDNIGHT) && INSTANT.test(value)) return value.slice(0, 10);
    const instant = INSTANT.exec(value);
    return instant ? `${instant[1]} ${instant[2]} UTC` : value;
  }
  return JSON.stringify(value);
}

/** "status open → pending"; "description changed" when either side is too long to repeat. */
export function describeChange({ label, from, to, via = [] }: Change): string {
  const [before, after] = [shownValue(from), shownValue(to)];
  if (typeof from === 'object' && from !== null) return `${label} changed`;
  if (before.length > SHOWN_MAX || after.length > SHOWN_MAX) return `${label} changed`;
  return [`${label} ${before}`, ...via.map(shownValue), after].join(' → ');
}

/** "Ticket SUP-4: status open → pending; priority High → Urgent." and any further sentence after it. */
export function changeMessage(key: string, changes: readonly Change[], ...then: string[]): string {
  const what = changes.length === 0 ? 'nothing changed' : changes.map(describeChange).join('; ');
  return [`Ticket ${key}: ${what}.`, ...then].join(' ');
}

/** The words update_ticket's fields go by in a message. */
const FIELD_LABELS: Record<string, string> = { dueDate: 'due', isPrivate: 'private', submitterEmail: 'submitter', formId: 'form' };

type AgentShown = { id: string; name: string } | null;

/**
 * The changes a list of events records, in their order: status moves, assignments and
 * field edits (comments and tags say themselves). `agents` gives how to show an agent
 * by id, e.g. `Name <email>`; the event's name is used otherwise.
 */
export function changesOf(events: readonly { type: string; data: Record<string, unknown> }[], agents: Record<string, string> = {}): Change[] {
  const agent = (a: unknown) => (a ? (agents[(a as AgentShown)!.id] ?? (a as AgentShown)!.name) : 'nobody');
  const changes: Change[] = [];
  for (const event of events) {
    const { data } = event;
    const last = changes.at(-1);
    // Consecutive moves of one change read as one path: status open → pending → resolved.
    if (event.type === 'status_changed' && last?.label === 'status' && last.to === data.from) {
      last.via = [...(last.via ?? []), last.to];
      last.to = data.to;
    } else changes.push(...changeOf(event, agent));
  }
  return changes;
}

function changeOf(event: { type: string; data: Record<string, unknown> }, agent: (a: unknown) => string): Change[] {
  const { data } = event;
  if (event.type === 'status_changed') return [{ label: 'status', from: data.from, to: data.to }];
  if (event.type === 'assignment_changed') return [{ label: 'assigned', from: agent(data.from), to: agent(data.to) }];
  if (event.type === 'team_changed') {
    return [{ label: 'key', from: data.fromKey, to: data.toKey }, { label: 'team', from: data.fromTeam, to: data.toTeam }];
  }
  if (event.type === 'metadata_updated') {
    const field = String(data.field);
    return [{ label: FIELD_LABELS[field] ?? field, from: data.before, to: data.after }];
  }
  return [];
}

/** An agent in a message: `Name <email>`, so two agents who share a name are told apart. */
export const agentLabel = (agent: { name: string; email: string } | null | undefined) =>
  agent ? `${agent.name} <${agent.email}>` : 'nobody';
