import type { Comment, TicketWithComments } from './views.js';

/** get_ticket shows at most this many of the newest comments; get_ticket_history has them all. */
export const COMMENTS_SHOWN = 20;

/**
 * ...and at most this many bytes (UTF-8) of their text, so an answer stays small whatever
 * the thread: the newest comment is always shown, cut to this size if it is longer.
 */
export const COMMENT_TEXT_BUDGET = 16 * 1024;

/**
 * A comment as get_ticket's statement reads it: its body is at most COMMENT_TEXT_BUDGET
 * characters of the whole, and `bytes` the whole one's size.
 */
export type CommentRow = Comment & { bytes: number };

/** The first `limit` bytes of a text, cut between two characters (never inside one's UTF-8 bytes). */
function cutToBytes(text: string, limit: number): string {
  const bytes = Buffer.from(text);
  let end = limit;
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end).toString('utf8');
}

/**
 * Of the newest COMMENTS_SHOWN (oldest first), those that fit the budget whole, newest
 * first; or the newest alone, cut, when it does not. And a hint when some are left out or cut.
 * (Summed here rather than by a window in the statement: that cost get_ticket ~40 µs.)
 */
export function commentsWithin(rows: CommentRow[], count: number): Pick<TicketWithComments, 'comments' | 'commentsHint'> {
  let from = rows.length;
  let bytes = 0;
  while (from > 0 && bytes + rows[from - 1]!.bytes <= COMMENT_TEXT_BUDGET) bytes += rows[--from]!.bytes;
  const cut = from === rows.length && rows.length > 0;
  const comments: Comment[] = rows.slice(cut ? -1 : from).map(({ bytes: whole, ...comment }) =>
    cut ? { ...comment, body: `${cutToBytes(comment.body, COMMENT_TEXT_BUDGET)}\n[cut: this comment has ${whole} bytes; get_ticket_history has it whole]` } : comment,
  );
  if (comments.length === count && !cut) return { comments };
  const shown = cut
    ? `The newest comment is cut to ${COMMENT_TEXT_BUDGET / 1024} KB${count > 1 ? `, and the ${count - 1} older ones are not shown` : ''}`
    : `The newest ${comments.length} of ${count} comments are shown`;
  return {
    comments,
    commentsHint: `${shown}: get_ticket shows at most ${COMMENTS_SHOWN} comments and ${COMMENT_TEXT_BUDGET / 1024} KB of their text. get_ticket_history has every comment in full (its comment_added events).`,
  };
}
