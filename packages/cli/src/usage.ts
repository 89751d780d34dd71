/**
 * Usage errors repeat what the user typed only when it cannot be a secret: people paste an API
 * key or a token in the wrong place (`testmax tmx_…`), and the error line would then show it
 * on screen and in CI logs. Command names and flags are short; keys and JWTs are long or
 * start with a known prefix.
 */
const SECRET_PREFIX = /^(tmx_|eyj)/i;
const MAX_ECHO = 20;

/** How commander quotes one of the CLI's own options: `'--username <email>'`. */
const OPTION_TERM = /^(-\w, )?--[a-z][\w-]* [<[][\w.-]+[>\]]$/;

export function echoable(word: string): boolean {
  if (OPTION_TERM.test(word)) return true;
  return word.length <= MAX_ECHO && !SECRET_PREFIX.test(word);
}

/** `'frob'`, or a description that does not repeat the word. */
export function quoteWord(word: string): string {
  return echoable(word)
    ? `'${word}'`
    : `(${word.length} characters, not repeated here in case it is a secret)`;
}

/**
 * commander's error text as one line: without its "error:" prefix, with any inline option value
 * and any word that might be a secret left out, and its "\n(Did you mean …?)" joined on.
 */
export function usageMessage(message: string): string {
  const text = message
    .replace(/^error:\s*/, '')
    .replace(/'(--?[\w-]+)=[^']*'/g, "'$1=…'")
    .replace(/'([^']*)'/g, (quoted, word: string) => (echoable(word) ? quoted : quoteWord(word)))
    .replace(/\s*\n\s*\(Did you mean ([^)]*)\)/g, (_all, rest: string) => ` (did you mean ${rest})`)
    .replace(/\s*\n\s*/g, ' ')
    .trim();
  return /[.!?]$/.test(text) ? text : `${text}.`;
}

/** Optimal string alignment distance, enough to suggest a command for a typo. */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

/** " (did you mean status?)" for a near miss, else "". Same rule as commander's suggestions. */
export function suggestion(word: string, candidates: readonly string[]): string {
  let best = 3;
  let similar: string[] = [];
  for (const candidate of candidates) {
    const d = distance(word, candidate);
    const length = Math.max(word.length, candidate.length);
    if ((length - d) / length <= 0.4) continue;
    if (d < best) {
      best = d;
      similar = [candidate];
    } else if (d === best) similar.push(candidate);
  }
  if (similar.length === 0) return '';
  similar.sort();
  return similar.length === 1
    ? ` (did you mean ${similar[0]}?)`
    : ` (did you mean one of ${similar.join(', ')}?)`;
}
