import type { Updateable } from 'kysely';
import type { TicketsTable } from '../db/tables.js';
import { validationError } from '../errors.js';
import { canonicalJson, eitherOf, type Json, type VersionGuard } from './arguments.js';
import { changeMessage, changesOf } from './change-message.js';
import { loadForChange, saveChange, type EventDraft } from './changes.js';
import { normalizeInstant, now, type Caller } from './context.js';
import type { Change, ServiceDeps } from './deps.js';
import { teamMove } from './moves.js';
import { accountFor } from './participants.js';
import { findLookup } from './refs.js';
import { readTicketDetail } from './ticket-view.js';
import type { TicketDetail } from './views.js';

/** A ticket's metadata is kept small: it is in every answer about the ticket. */
export const METADATA_MAX_BYTES = 16_384;

export interface UpdateTicketInput extends VersionGuard {
  id: string;
  /** Moves the ticket to this team (id, identifier or name): it takes that team's next key. */
  teamId?: string;
  title?: string;
  description?: string | null;
  priorityId?: string;
  priorityName?: string;
  sentimentId?: string;
  typeId?: string | null;
  accountId?: string | null;
  dueDate?: string | null;
  submitterEmail?: string | null;
  isPrivate?: boolean;
  formId?: string | null;
  metadata?: Json;
  customFieldValues?: Json[];
  attachmentUrls?: string[];
  aiGeneratedTitle?: string | null;
  aiGeneratedSummary?: string | null;
}

export async function updateTicket(deps: ServiceDeps, caller: Caller, input: UpdateTicketInput): Promise<Change<TicketDetail>> {
  const { id, expectedVersion, ...fields } = input;
  if (Object.values(fields).every((v) => v === undefined)) {
    throw validationError('update_ticket needs at least one field to change besides `id`.', {
      hint: 'Pass e.g. title, description, priorityName, dueDate, teamId or metadata. Status, assignee and tags have their own tools.',
    });
  }
  return deps.engine.write(async (db) => {
    const at = now();
    const ws = caller.workspaceId;
    const ticket = await loadForChange(db, caller, id, expectedVersion, 'be edited');
    const before = await readTicketDetail(deps, db, ticket.id);
    const patch: Updateable<TicketsTable> = {};
    const events: EventDraft[] = [];
    /** Records one field: `shownBefore`/`shownAfter` are what the model sees, `stored` what the column gets. */
    const change = <C extends keyof TicketsTable>(field: string, column: C, shownBefore: unknown, shownAfter: unknown, stored: Updateable<TicketsTable>[C]) => {
      if (canonicalJson(shownBefore) === canonicalJson(shownAfter)) return;
      patch[column] = stored;
      events.push({ type: 'metadata_updated', data: { field, before: shownBefore, after: shownAfter } });
    };
    const text = <C extends keyof TicketsTable>(field: keyof typeof fields & keyof TicketDetail, column: C) => {
      const value = fields[field] as string | null | undefined;
      if (value !== undefined) change(field, column, before[field], value, value as Updateable<TicketsTable>[C]);
    };
    text('title', 'title');
    text('description', 'description');
    text('submitterEmail', 'submitter_email');
    text('formId', 'form_id');
    text('aiGeneratedTitle', 'ai_generated_title');
    text('aiGeneratedSummary', 'ai_generated_summary');
    const lookups = await deps.lookups.of(db, ws);
    const priority = await eitherOf(
      ['priorityId', 'priorityName'],
      [fields.priorityId, fields.priorityName],
      (ref, field) => findLookup(lookups.priorities, 'priority', ref, field),
      (p) => p.id,
    );
    if (priority) change('priority', 'priority_id', before.priority, priority.name, priority.id);
    if (fields.sentimentId !== undefined) {
      const sentiment = findLookup(lookups.sentiments, 'sentiment', fields.sentimentId, 'sentimentId');
      change('sentiment', 'sentiment_id', before.sentiment, sentiment.name, sentiment.id);
    }
    if (fields.typeId !== undefined) {
      const type = fields.typeId === null ? null : findLookup(lookups.types, 'ticket type', fields.typeId, 'typeId');
      change('type', 'type_id', before.type, type?.name ?? null, type?.id ?? null);
    }
    if (fields.accountId !== undefined) {
      const account = fields.accountId === null ? null : await accountFor(db, caller, fields.accountId, at);
      change('account', 'account_id', before.account, account?.name ?? null, account?.id ?? null);
    }
    if (fields.dueDate !== undefined) {
      const due = fields.dueDate === null ? null : normalizeInstant(fields.dueDate);
      change('dueDate', 'due_date', before.dueDate, due, due);
    }
    if (fields.isPrivate !== undefined) {
      change('isPrivate', 'is_private', before.isPrivate, fields.isPrivate, fields.isPrivate ? 1 : 0);
    }
    if (fields.metadata !== undefined) {
      // Merged like Stripe's metadata: given keys are set, a null value removes its key.
      const merged: Json = { ...before.metadata };
      for (const [k, v] of Object.entries(fields.metadata)) {
        if (v === null) delete merged[k];
        else merged[k] = v;
      }
      const stored = JSON.stringify(merged);
      if (Buffer.byteLength(stored) > METADATA_MAX_BYTES) {
        throw validationError('`metadata`: merged with what the ticket has, it would exceed 16 KB as JSON.', {
          hint: 'Remove keys (set them to null) or store less.',
        });
      }
      change('metadata', 'metadata', before.metadata, merged, stored);
    }
    if (fields.customFieldValues !== undefined) {
      const values = fields.customFieldValues;
      change('customFieldValues', 'custom_field_values', before.customFieldValues, values, JSON.stringify(values));
    }
    if (fields.attachmentUrls !== undefined) {
      const urls = fields.attachmentUrls;
      change('attachmentUrls', 'attachment_urls', before.attachmentUrls, urls, JSON.stringify(urls));
    }
    const move = fields.teamId === undefined ? undefined : await teamMove(db, caller, ticket, fields.teamId, at);
    if (move) {
      Object.assign(patch, move.patch);
      events.unshift(move.event);
    }
    const changed = await saveChange(db, caller, ticket, patch, events, at, expectedVersion);
    const data = changed ? await readTicketDetail(deps, db, ticket.id) : before;
    return {
      data,
      changed,
      message: changed
        ? changeMessage(ticket.key, changesOf(events))
        : `Ticket ${ticket.key} already had those values; nothing changed.`,
    };
  });
}
