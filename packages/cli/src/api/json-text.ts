import type { Paint } from '../colour.js';

/**
 * Re-lay JSON text without parsing it into numbers: `12345678901234567890` or `1.10` in an
 * answer are printed exactly as the server sent them (JSON.parse + stringify would round the
 * first and drop the zero of the second). The text must already be valid JSON.
 */
export function layoutJson(text: string, options: { indent: number; paint?: Paint }): string {
  const { indent, paint } = options;
  const colour = paint ?? ((_style: unknown, token: string) => token);
  const pretty = indent > 0;
  const newline = (depth: number) => (pretty ? `\n${' '.repeat(indent * depth)}` : '');
  let out = '';
  let depth = 0;
  let i = 0;
  // After `{` or `[`: a closing bracket next means an empty container, kept on one line.
  let opened = false;
  while (i < text.length) {
    const char = text[i]!;
    if (char === ' ' || char === '\t' || char === '\n' || char === '\r') {
      i++;
      continue;
    }
    if (char === '"') {
      const end = stringEnd(text, i);
      const token = text.slice(i, end);
      i = end;
      if (opened) out += newline(depth);
      opened = false;
      // A string followed by `:` is a key.
      const isKey = nextSignificant(text, i) === ':';
      out += colour(isKey ? 'cyan' : 'green', token);
      continue;
    }
    if (char === '{' || char === '[') {
      if (opened) out += newline(depth);
      out += char;
      depth++;
      opened = true;
      i++;
      continue;
    }
    if (char === '}' || char === ']') {
      depth--;
      if (!opened) out += newline(depth);
      opened = false;
      out += char;
      i++;
      continue;
    }
    if (char === ',') {
      out += `,${newline(depth)}`;
      i++;
      continue;
    }
    if (char === ':') {
      out += pretty ? ': ' : ':';
      i++;
      continue;
    }
    // A number or a literal (true, false, null): up to the next delimiter.
    let end = i;
    while (end < text.length && !',:]} \t\n\r'.includes(text[end]!)) end++;
    if (opened) out += newline(depth);
    opened = false;
    out += colour('yellow', text.slice(i, end));
    i = end;
  }
  return out;
}

function stringEnd(text: string, start: number): number {
  let i = start + 1;
  while (i < text.length) {
    if (text[i] === '\\') i += 2;
    else if (text[i] === '"') return i + 1;
    else i++;
  }
  return text.length;
}

function nextSignificant(text: string, from: number): string | undefined {
  for (let i = from; i < text.length; i++) {
    const char = text[i]!;
    if (char !== ' ' && char !== '\t' && char !== '\n' && char !== '\r') return char;
  }
  return undefined;
}

/** The parsed value when `text` is JSON, else `undefined` (a JSON `null` is `{ value: null }`). */
export function parseJson(text: string): { value: unknown } | undefined {
  try {
    return { value: JSON.parse(text) };
  } catch {
    return undefined;
  }
}
