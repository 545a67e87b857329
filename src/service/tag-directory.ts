import type { Db } from '../db/engine.js';
import { insertTag as insertTagRow, liveTicketsTagged, tagByNameKey, tagPage, tagRow, updateTagRow, type TagRecord } from '../db/repo/tags.js';
import { characters, fold } from '../domain/text.js';
import { conflict, validationError } from '../errors.js';
import { newId, now, type Caller } from './context.js';
import type { Result, ServiceDeps } from './deps.js';
import { invisibleCharacter, invisibleMessage } from './invisible.js';
import { more, nameCursor, plural, type Paging } from './paging.js';
import { findTag } from './refs.js';
import type { Tag, TagPage, TAG_COLORS } from './views.js';

type TagColor = (typeof TAG_COLORS)[number];

/** A tag with its count of live (open or pending, not deleted) tickets. */
async function tagView(db: Db, tag: TagRecord): Promise<Tag> {
  const n = await liveTicketsTagged(db, tag.id);
  return {
    id: tag.id,
    name: tag.name,
    description: tag.description,
    color: tag.color,
    activeTicketCount: n,
    createdAt: tag.created_at,
    updatedAt: tag.updated_at,
  };
}

const readTag = async (db: Db, tagId: string) => tagView(db, await tagRow(db, tagId));

async function refuseTakenTagName(db: Db, workspaceId: string, name: string, exceptId?: string): Promise<void> {
  const holder = await tagByNameKey(db, workspaceId, fold(name));
  if (holder && holder.id !== exceptId) {
    throw conflict(`A tag named "${holder.name}" already exists (names ignore case).`, {
      hint: 'Use the existing tag, or pick another name.',
      candidates: [{ id: holder.id, name: holder.name }],
    });
  }
}

export interface CreateTagInput {
  name: string;
  description?: string;
  color?: TagColor;
}

/** A new tag, its name checked in characters as the schema counts them; add_tag creates tags through it too. */
export async function insertTag(
  db: Db,
  workspaceId: string,
  fields: { name: string; description?: string; color?: TagColor },
  at: string,
  field = 'name',
): Promise<TagRecord> {
  const name = validTagName(fields.name, field);
  await refuseTakenTagName(db, workspaceId, name);
  const tag: TagRecord = {
    id: newId('tag'),
    workspace_id: workspaceId,
    name,
    name_key: fold(name),
    description: fields.description ?? null,
    color: fields.color ?? 'default',
    created_at: at,
    updated_at: at,
  };
  await insertTagRow(db, tag);
  return tag;
}

export function validTagName(text: string, field: string): string {
  const name = text.trim();
  const length = characters(name);
  if (length < 3 || length > 50) {
    throw validationError(`\`${field}\`: a tag name needs 3 to 50 characters; "${name}" has ${length}.`);
  }
  // add_tag names a new tag by its tagId reference, which the tool's schema does not check as a name.
  const invisible = invisibleCharacter(name);
  if (invisible) throw validationError(`\`${field}\` ${invisibleMessage(invisible)}.`);
  return name;
}

export async function createTag(deps: ServiceDeps, caller: Caller, input: CreateTagInput): Promise<Result<Tag>> {
  return deps.engine.write(async (db) => {
    const tag = await tagView(db, await insertTag(db, caller.workspaceId, input, now()));
    return { data: tag, message: `Tag "${tag.name}" created.` };
  });
}

export interface UpdateTagInput {
  id: string;
  name?: string;
  description?: string | null;
  color?: TagColor;
}

export async function updateTag(deps: ServiceDeps, caller: Caller, input: UpdateTagInput): Promise<Result<Tag>> {
  const { id, ...fields } = input;
  if (Object.values(fields).every((v) => v === undefined)) {
    throw validationError('update_tag needs at least one change besides `id`.', { hint: 'Pass name, description or color.' });
  }
  return deps.engine.write(async (db) => {
    const at = now();
    const tag = await findTag(db, caller.workspaceId, id);
    const name = fields.name === undefined ? undefined : validTagName(fields.name, 'name');
    if (name !== undefined) await refuseTakenTagName(db, caller.workspaceId, name, tag.id);
    await updateTagRow(db, tag.id, {
      ...(name !== undefined && { name, name_key: fold(name) }),
      ...(fields.description !== undefined && { description: fields.description }),
      ...(fields.color !== undefined && { color: fields.color }),
      updated_at: at,
    });
    const updated = await readTag(db, tag.id);
    return { data: updated, message: `Tag "${updated.name}" updated.` };
  });
}

export interface ListTagsInput extends Paging {
  search?: string;
}

export async function listTags(deps: ServiceDeps, caller: Caller, input: ListTagsInput): Promise<Result<TagPage>> {
  const paging = nameCursor('tags', input);
  return deps.engine.read(async (db) => {
    const rows = await tagPage(db, caller.workspaceId, input.search, paging.after, paging.pageSize + 1);
    const { page, nextCursor } = paging.page(rows);
    const tags: Tag[] = [];
    for (const row of page) tags.push(await tagView(db, row));
    return { data: { tags, nextCursor }, message: `${plural(tags.length, 'tag')}${more(nextCursor)}.` };
  });
}
