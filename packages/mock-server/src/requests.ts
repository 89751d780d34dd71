import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';

/**
 * Request bodies are checked against the request schemas of the bundled spec
 * (`@testmax/spec/openapi.json`), so the simulator refuses exactly what the contract forbids and
 * a spec change cannot leave it accepting a body that is no longer allowed.
 */

/** Why a body was refused: the `detail` and `errors` of a 400 problem document. */
export interface BodyProblem {
  detail: string;
  /** Messages per field, `$` for the body as a whole (the shape of ASP.NET validation problems). */
  errors: Record<string, string[]>;
}

export type CheckedBody = { ok: true; body: unknown } | { ok: false; problem: BodyProblem };

interface RequestSchema {
  required: boolean;
  validate: ValidateFunction | undefined;
}

interface OpenApiOperation {
  requestBody?: { required?: boolean; content?: Record<string, { schema?: unknown }> };
}

const SPEC_ID = 'https://testmax.local/openapi.json';
/** An error lists at most this many fields: a body with 10 000 unknown keys gets a short answer. */
const MAX_ERRORS = 10;
/** Field names are the client's own text; a huge one is cut rather than echoed whole. */
const MAX_FIELD_NAME = 64;

let schemas: Map<string, RequestSchema> | undefined;

/**
 * Compile the request schemas once per process, the first time a server starts (not at import, so
 * importing the package stays free of work). Throws if the bundled spec cannot be read.
 */
export function loadRequestSchemas(): void {
  if (schemas) return;
  const file = createRequire(import.meta.url).resolve('@testmax/spec/openapi.json');
  const spec = JSON.parse(readFileSync(file, 'utf8')) as {
    paths: Record<string, Record<string, OpenApiOperation>>;
  };
  // strict: false because an OpenAPI document is not a JSON Schema (its `x-*` keywords and the
  // objects around the schemas must be ignored); formats are not enforced, as the vendor does not.
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
  ajv.addSchema(spec, SPEC_ID);
  const compiled = new Map<string, RequestSchema>();
  for (const [path, methods] of Object.entries(spec.paths)) {
    for (const [method, operation] of Object.entries(methods)) {
      const body = operation.requestBody;
      const pointer = `/paths/${escapePointer(path)}/${method}/requestBody/content/application~1json/schema`;
      compiled.set(key(path, method), {
        required: body?.required === true,
        validate: body?.content?.['application/json']?.schema
          ? ajv.compile({ $ref: `${SPEC_ID}#${pointer}` })
          : undefined,
      });
    }
  }
  schemas = compiled;
}

/**
 * Parse and check the body of a request to `path` (the spec's spelling) with `method`.
 * `inBandFields` are fields whose absence or `null` the operation answers in-band, as the vendor
 * does for `Auth/loginKey` ("userName and apiKey are required"), so they are not refused here.
 */
export function checkBody(
  path: string,
  method: string,
  text: string,
  inBandFields: readonly string[] = [],
): CheckedBody {
  loadRequestSchemas();
  const schema = schemas!.get(key(path, method));
  if (text.trim() === '') {
    return schema?.required
      ? refuse([['$', 'A non-empty request body is required.']])
      : { ok: true, body: undefined };
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return refuse([['$', 'The request body is not valid JSON.']]);
  }
  if (!schema?.validate || schema.validate(body)) return { ok: true, body };
  const problems = (schema.validate.errors ?? [])
    .filter((error) => !answeredInBand(error, body, inBandFields))
    .map(describe);
  return problems.length === 0 ? { ok: true, body } : refuse(problems);
}

function refuse(problems: [field: string, message: string][]): CheckedBody {
  // A Map, then fromEntries: a field named `__proto__` must become a key, not the prototype.
  const byField = new Map<string, string[]>();
  for (const [field, message] of problems.slice(0, MAX_ERRORS)) {
    byField.set(field, [...(byField.get(field) ?? []), message]);
  }
  const errors = Object.fromEntries(byField);
  const [, first] = problems[0]!;
  const more = problems.length - 1;
  const detail = more > 0 ? `${first} (and ${more} more problem${more > 1 ? 's' : ''})` : first;
  return { ok: false, problem: { detail, errors } };
}

function answeredInBand(error: ErrorObject, body: unknown, fields: readonly string[]): boolean {
  if (error.keyword === 'required') return fields.includes(String(error.params.missingProperty));
  if (error.keyword !== 'type' || !/^\/[^/]+$/.test(error.instancePath)) return false;
  const field = error.instancePath.slice(1).replaceAll('~1', '/').replaceAll('~0', '~');
  return fields.includes(field) && (body as Record<string, unknown>)[field] === null;
}

/** An ajv error in the words of the 400 the client gets. Values are never echoed, only field names. */
function describe(error: ErrorObject): [field: string, message: string] {
  const at = error.instancePath
    .split('/')
    .slice(1)
    .map((segment) => segment.replaceAll('~1', '/').replaceAll('~0', '~'));
  const name = (segments: string[]) => {
    const joined = segments.join('.');
    return joined.length > MAX_FIELD_NAME ? `${joined.slice(0, MAX_FIELD_NAME)}…` : joined;
  };
  switch (error.keyword) {
    case 'additionalProperties': {
      const field = name([...at, String(error.params.additionalProperty)]);
      return [field, `The field ${field} is not allowed.`];
    }
    case 'required': {
      const field = name([...at, String(error.params.missingProperty)]);
      return [field, `The field ${field} is required.`];
    }
    case 'type': {
      // A nullable field's type is a list ("boolean,null"): "a boolean or null".
      const type = String(error.params.type)
        .split(',')
        .map((one) => TYPE_NAMES[one] ?? one)
        .join(' or ');
      if (at.length === 0) return ['$', `The request body must be ${type}.`];
      const field = name(at);
      return [field, `The field ${field} must be ${type}.`];
    }
    default: {
      const field = at.length === 0 ? '$' : name(at);
      return [
        field,
        `The ${at.length === 0 ? 'request body' : `field ${field}`} ${error.message ?? 'is invalid'}.`,
      ];
    }
  }
}

const TYPE_NAMES: Record<string, string> = {
  object: 'a JSON object',
  array: 'an array',
  string: 'a string',
  boolean: 'a boolean',
  integer: 'an integer',
  number: 'a number',
  null: 'null',
};

const key = (path: string, method: string) => `${method.toLowerCase()} ${path}`;
const escapePointer = (segment: string) => segment.replaceAll('~', '~0').replaceAll('/', '~1');
