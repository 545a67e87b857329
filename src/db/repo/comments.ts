import type { Insertable } from 'kysely';
import type { Db } from '../engine.js';
import type { CommentsTable } from '../tables.js';

export const insertComment = (db: Db, comment: Insertable<CommentsTable>) => db.insertInto('comments').values(comment).execute();
