import { CliError, ExitCode } from '../exit-codes.js';
import type { Operation } from '../generated/operations.js';
import { suggestion } from '../usage.js';

/** What ajv reports (the parts used here). */
interface SchemaError {
  instancePath: string;
  keyword: string;
  params: Record<string, unknown>;
  message?: string;
}

type Validator = ((data: unknown) => boolean) & { errors?: SchemaError[] | null };

/** `/a/0/b` → `a[0].b`; '' for the body itself. */
function fieldOf(instancePath: string): string {
  return instancePath
    .split('/')
    .slice(1)
    .map((part) => part.replaceAll('~1', '/').replaceAll('~0', '~'))
    .map((part, i) => (/^\d+$/.test(part) ? `[${part}]` : i === 0 ? part : `.${part}`))
    .join('');
}

/** The kind of a JSON value, never the value itself (it may be a secret). */
function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return 'text';
  return `a ${typeof value}`;
}

function valueAt(body: unknown, instancePath: string): unknown {
  let value = body;
  for (const part of instancePath.split('/').slice(1)) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[part.replaceAll('~1', '/').replaceAll('~0', '~')];
  }
  return value;
}

/** One schema error as a sentence that names the field. */
function describe(error: SchemaError, body: unknown, operation: Operation): { text: string; hint?: string } {
  const field = fieldOf(error.instancePath);
  const where = field ? `field ${field}` : 'the body';
  const names = operation.body?.fields.map((f) => f.name) ?? [];
  switch (error.keyword) {
    case 'additionalProperties': {
      const extra = String(error.params.additionalProperty);
      const takes = names.length > 0 ? `it takes ${names.join(', ')}` : 'it takes no fields';
      return {
        text: `unknown field ${field ? `${field}.` : ''}${extra}${suggestion(extra, names)}; ${takes}`,
      };
    }
    case 'required':
      return {
        text: `the required field ${field ? `${field}.` : ''}${String(error.params.missingProperty)} is missing`,
      };
    case 'type': {
      const value = valueAt(body, error.instancePath);
      // ajv gives a list for a union type ("boolean,null"): said as "boolean or null".
      const wanted = String(error.params.type).split(',').join(' or ');
      const typedText =
        typeof value === 'string' &&
        wanted !== 'string' &&
        field !== '' &&
        /^(true|false|null|-?\d[\d.eE+-]*)$/.test(value);
      return {
        text: `${where} must be ${wanted === 'object' ? 'an object' : wanted}, not ${kindOf(value)}`,
        ...(typedText ? { hint: `-f sends text; -F ${field}=… sends typed values (${wanted}).` } : {}),
      };
    }
    case 'enum':
      return {
        text: `${where} must be one of ${(error.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`,
      };
    default:
      return { text: `${where} ${error.message ?? 'does not match the schema'}` };
  }
}

/**
 * Check a body against the operation's request schema (compiled ahead of time from the spec).
 * Throws a usage error (exit 2) naming the first problem's field; nothing has been sent.
 */
export async function checkBody(body: unknown, operation: Operation): Promise<void> {
  if (!operation.body) return;
  // Loaded only when there is a body to check: `testmax api Status/ping` never pays for it.
  const validators = (await import('../generated/request-validators.js')) as unknown as Record<
    string,
    Validator
  >;
  const validate = validators[operation.body.validator];
  if (!validate || validate(body)) return;
  const errors = validate.errors ?? [];
  // The most useful first: a field the API does not know (a typo), then missing ones.
  const order = ['additionalProperties', 'required', 'type'];
  const rank = (error: SchemaError) => {
    const index = order.indexOf(error.keyword);
    return index < 0 ? order.length : index;
  };
  const first = [...errors].sort((a, b) => rank(a) - rank(b))[0];
  const label = `${operation.method} ${operation.path.slice(1)}`;
  if (!first)
    throw new CliError(
      ExitCode.usage,
      `The body does not match ${label}'s request schema; nothing was sent.`,
      'See `testmax api --help` for its fields.',
    );
  const { text, hint } = describe(first, body, operation);
  const more =
    errors.length > 1 ? ` (and ${errors.length - 1} more problem${errors.length > 2 ? 's' : ''})` : '';
  throw new CliError(
    ExitCode.usage,
    `The body does not match ${label}'s request schema: ${text}${more}; nothing was sent.`,
    hint ?? 'See `testmax api --help` for its fields.',
  );
}
