/**
 * Every page is built with `html`: each interpolated value is escaped as text unless it
 * is itself Html (a fragment built the same way), so ticket text can never become markup.
 * Bidi controls are shown as their code points, so a title cannot reorder what follows it.
 */
export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const BIDI_CONTROLS = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

export function escapeText(value: string): string {
  return value
    .replace(/[&<>"']/g, (c) => ENTITIES[c]!)
    .replace(BIDI_CONTROLS, (c) => `[U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}]`);
}

type Value = Html | string | number | boolean | null | undefined | readonly Value[];

function render(value: Value): string {
  if (value === null || value === undefined || value === false || value === true) return '';
  if (value instanceof Html) return value.text;
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeText(String(value));
}

export function html(strings: TemplateStringsArray, ...values: Value[]): Html {
  let out = strings[0]!;
  values.forEach((value, i) => (out += render(value) + strings[i + 1]!));
  return new Html(out);
}

/** `name="…"` attributes that are present or not: `attr('selected', on)`. */
export const flag = (name: string, on: boolean) => new Html(on ? ` ${name}` : '');
