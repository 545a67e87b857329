/**
 * Characters that show nothing, or reorder what is shown, yet make two strings differ:
 * controls, format characters (zero-width spaces and joiners, bidi overrides and
 * isolates), line and paragraph separators, and the other default-ignorable code points
 * (Hangul fillers, variation selectors). In a name a model picks a record by, or an
 * email, they let two records look identical.
 */
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Default_Ignorable_Code_Point}]/u;

/** The first invisible character of `text`, written as `U+200B`, if it has one. */
export function invisibleCharacter(text: string): string | undefined {
  const found = INVISIBLE.exec(text)?.[0];
  return found === undefined ? undefined : `U+${found.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** What the VALIDATION_ERROR says after the field's name. */
export const invisibleMessage = (character: string) =>
  `contains ${character}, an invisible or control character; remove it, since it would let two names look the same`;
