import { CliError, ExitCode } from '../exit-codes.js';
import { quoteWord } from '../usage.js';

/** One `-f` / `-F` as typed: `-f name=text` (a string) or `-F name=value` (typed). */
export interface RawField {
  typed: boolean;
  text: string;
}

/** Where `-F name=@file` reads from: a path, or `-` for standard input. */
export type ReadFieldFile = (path: string, field: string) => Promise<string>;

export type JsonObject = { [key: string]: JsonValue };
export type JsonValue = string | number | boolean | null | JsonValue[] | JsonObject;

const NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

function usage(message: string, hint = 'See `testmax api --help` for the field syntax.'): CliError {
  return new CliError(ExitCode.usage, message, hint);
}

/** `-f` or `-F`, as the user typed it, for messages. */
function flagOf(field: RawField): string {
  return field.typed ? '-F' : '-f';
}

/**
 * `name`, `name[]`, `name[key]`, `a[b][c][]` → the path of keys ('' appends to an array), as
 * `gh api` reads them.
 */
export function parseFieldName(name: string, flag: string): string[] {
  const match = /^([^[\]]+)((?:\[[^[\]]*\])*)$/.exec(name);
  if (!match) {
    throw usage(
      `${flag} ${quoteWord(name)} is not a field name: use name, name[key] or name[] before the "=".`,
    );
  }
  const keys = [match[1]!];
  for (const part of match[2]!.matchAll(/\[([^[\]]*)\]/g)) keys.push(part[1]!);
  return keys;
}

/**
 * A `-F` value: `true`, `false`, `null` and numbers become JSON values; `@file` is the file's
 * text (`@-`: standard input); anything else is a string. A number JavaScript cannot hold
 * exactly is refused rather than sent rounded.
 */
export async function typedValue(value: string, name: string, readFile: ReadFieldFile): Promise<JsonValue> {
  if (value === 'true') return true;
  if (value === 'false') return false;
  if (value === 'null') return null;
  if (NUMBER.test(value)) {
    const number = Number(value);
    const isInteger = !/[.eE]/.test(value);
    if (!Number.isFinite(number) || (isInteger && !Number.isSafeInteger(number))) {
      throw usage(
        `-F ${name}: the number ${value.length <= 20 ? value : `(${value.length} digits)`} cannot be sent exactly as a JSON number.`,
        `Send it as text instead: -f ${name}=…`,
      );
    }
    return number;
  }
  if (value.startsWith('@')) return readFile(value.slice(1), name);
  return value;
}

function describeSlot(keys: string[]): string {
  return keys.map((key, i) => (i === 0 ? key : `[${key}]`)).join('');
}

/** Put `value` at `keys` in `target`, refusing a key that is both a value and a container. */
function place(target: JsonObject, keys: string[], value: JsonValue, flag: string): void {
  let container: JsonObject | JsonValue[] = target;
  for (let depth = 0; depth < keys.length; depth++) {
    const key = keys[depth]!;
    const last = depth === keys.length - 1;
    const nextIsArray = !last && keys[depth + 1] === '';
    if (Array.isArray(container)) {
      if (key !== '') {
        throw usage(
          `${flag} ${describeSlot(keys)}: ${describeSlot(keys.slice(0, depth))} is a list (name[]), not an object.`,
        );
      }
      if (last) {
        container.push(value);
        return;
      }
      const child: JsonObject | JsonValue[] = nextIsArray ? [] : {};
      container.push(child);
      container = child;
      continue;
    }
    if (key === '') {
      throw usage(`${flag} ${describeSlot(keys)}: a list (name[]) cannot be the top level of the body.`);
    }
    if (last) {
      if (Object.hasOwn(container, key) && typeof container[key] === 'object' && container[key] !== null) {
        throw usage(
          `${flag} ${describeSlot(keys)}: ${describeSlot(keys)} already holds fields; give it a value or fields, not both.`,
        );
      }
      container[key] = value;
      return;
    }
    const existing: JsonValue | undefined = Object.hasOwn(container, key) ? container[key] : undefined;
    if (existing === undefined) {
      const child: JsonObject | JsonValue[] = nextIsArray ? [] : {};
      container[key] = child;
      container = child;
    } else if (typeof existing === 'object' && existing !== null && Array.isArray(existing) === nextIsArray) {
      container = existing;
    } else {
      throw usage(
        `${flag} ${describeSlot(keys)}: ${describeSlot(keys.slice(0, depth + 1))} was already given as ${Array.isArray(existing) ? 'a list' : typeof existing === 'object' && existing !== null ? 'an object' : 'a value'}.`,
      );
    }
  }
}

/** Split `name=value` at the first `=`. */
export function splitField(field: RawField): { name: string; value: string } {
  const at = field.text.indexOf('=');
  if (at <= 0) {
    throw usage(
      `${flagOf(field)} needs name=value${at === 0 ? ' (the name is empty)' : `; got ${quoteWord(field.text)}`}.`,
    );
  }
  return { name: field.text.slice(0, at), value: field.text.slice(at + 1) };
}

/** The JSON object the fields describe, in the order given. */
export async function buildFieldsBody(fields: RawField[], readFile: ReadFieldFile): Promise<JsonObject> {
  const body: JsonObject = {};
  for (const field of fields) {
    const { name, value } = splitField(field);
    const flag = flagOf(field);
    const keys = parseFieldName(name, flag);
    const parsed = field.typed ? await typedValue(value, name, readFile) : value;
    place(body, keys, parsed, flag);
  }
  return body;
}

/** For GET and HEAD: the fields as query parameters, `name=value` as typed (no files). */
export async function buildFieldsQuery(
  fields: RawField[],
  readFile: ReadFieldFile,
): Promise<[string, string][]> {
  const pairs: [string, string][] = [];
  for (const field of fields) {
    const { name, value } = splitField(field);
    parseFieldName(name, flagOf(field));
    const parsed = field.typed ? await typedValue(value, name, readFile) : value;
    pairs.push([name, typeof parsed === 'string' ? parsed : JSON.stringify(parsed)]);
  }
  return pairs;
}
