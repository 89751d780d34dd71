/**
 * Redaction of what an error carries: anything reachable from it (causes at any depth,
 * AggregateError's errors, own properties enumerable or not, Headers, Request, Map, Set,
 * arrays, plain objects) is read as `util.inspect(error, { depth: Infinity, showHidden: true })`
 * would print it. When a secret is there, the error is replaced by a redacted stand-in.
 *
 * Runtime-neutral: in Node (and runtimes with `process.getBuiltinModule`) the real
 * `util.inspect` renders it; everywhere a traversal of the object graph does too, so a browser's
 * console (which lets one expand anything) is covered as well.
 */
import { redact } from './redact.js';

/** Past this many values, the graph is too big to tell: the error is replaced. */
const MAX_VALUES = 10_000;

type Inspect = (value: unknown, options: Record<string, unknown>) => string;

function nodeInspect(): Inspect | undefined {
  try {
    const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
    const util = proc?.getBuiltinModule?.('node:util') as { inspect?: Inspect } | undefined;
    return typeof util?.inspect === 'function' ? util.inspect : undefined;
  } catch {
    return undefined;
  }
}

const tag = (value: object) => Object.prototype.toString.call(value);

/** Every string reachable from `root`, or `undefined` when it cannot be told (too big, a trap threw). */
function reachableStrings(root: unknown): string[] | undefined {
  const out: string[] = [];
  const seen = new Set<object>();
  const pending: unknown[] = [root];
  let visits = 0;
  try {
    while (pending.length > 0) {
      if (++visits > MAX_VALUES) return undefined;
      const value = pending.pop();
      if (typeof value === 'string') out.push(value);
      if (value === null || (typeof value !== 'object' && typeof value !== 'function')) continue;
      if (seen.has(value) || ArrayBuffer.isView(value) || value instanceof ArrayBuffer) continue;
      seen.add(value);
      const kind = tag(value);
      // What their own inspection shows, which lives in private state the keys below miss.
      if (kind === '[object Headers]') {
        (value as Headers).forEach((v, k) => {
          out.push(k, v);
        });
      } else if (kind === '[object Request]' || kind === '[object Response]') {
        pending.push((value as Request).url, (value as Request).headers);
      } else if (kind === '[object URL]' || kind === '[object URLSearchParams]') {
        out.push(String(value));
      } else if (value instanceof Map) {
        for (const [k, v] of value) pending.push(k, v);
      } else if (value instanceof Set) {
        for (const v of value) pending.push(v);
      }
      if (value instanceof Error) out.push(value.name, value.message, value.stack ?? '');
      for (const key of Reflect.ownKeys(value)) {
        if (typeof key === 'string') out.push(key);
        const descriptor = Object.getOwnPropertyDescriptor(value, key);
        if (descriptor && 'value' in descriptor) pending.push(descriptor.value);
      }
    }
  } catch {
    return undefined;
  }
  return out;
}

/** What could be shown of `value`, or `undefined` when that cannot be told safely. */
function shownText(value: unknown): string | undefined {
  const strings = reachableStrings(value);
  if (strings === undefined) return undefined;
  const inspect = nodeInspect();
  if (inspect) {
    try {
      strings.push(
        inspect(value, {
          depth: Number.POSITIVE_INFINITY,
          showHidden: true,
          maxArrayLength: MAX_VALUES,
          maxStringLength: Number.POSITIVE_INFINITY,
        }),
      );
    } catch {
      return undefined;
    }
  }
  return strings.join('\n');
}

function codeOf(error: unknown): string | undefined {
  for (const value of [error, (error as { cause?: unknown } | undefined)?.cause]) {
    const code = (value as { code?: unknown } | null | undefined)?.code;
    // An error code (ECONNRESET), never free text.
    if (typeof code === 'string' && /^[A-Z][A-Z0-9_]{0,39}$/.test(code)) return code;
  }
  return undefined;
}

/**
 * `error` itself when nothing secret can be seen through it; otherwise a plain `Error` with its
 * message redacted (and cut short) and its `code`, the part worth keeping for debugging.
 */
export function safeCause(error: unknown, secrets: Iterable<string | undefined>): unknown {
  const list = [...secrets];
  const shown = shownText(error);
  if (shown !== undefined && redact(shown, list) === shown) return error;
  let message = '';
  try {
    message = error instanceof Error ? String(error.message) : String(error);
  } catch {}
  const standIn = new Error(`${redact(message, list).slice(0, 500)} (details withheld: they held a secret)`);
  const code = codeOf(error);
  return code === undefined ? standIn : Object.assign(standIn, { code });
}
