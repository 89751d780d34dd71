import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

// ajv-formats is CommonJS; under NodeNext its default import is the module object.
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

interface HeaderObject {
  $ref?: string;
  required?: boolean;
  schema?: unknown;
}
interface ResponseObject {
  $ref?: string;
  content?: Record<string, { schema?: unknown }>;
  headers?: Record<string, HeaderObject>;
}
type Responses = Record<string, ResponseObject>;
interface OpenApiDocument {
  paths: Record<string, Record<string, { responses: Responses }>>;
  /** Answers no operation owns (404, 405, 409, 413, 429, 5xx): see the spec's "Protocol-level errors". */
  'x-testmax-protocol-responses': Responses;
}

/** The bundled document other languages consume: the simulator must answer exactly as it says. */
export const SPEC_PATH = createRequire(import.meta.url).resolve('@testmax/spec/openapi.json');
const spec = JSON.parse(readFileSync(SPEC_PATH, 'utf8')) as OpenApiDocument;
const SPEC_ID = 'https://testmax.local/openapi.json';

// strict: false because an OpenAPI document is not a JSON Schema: its `x-*` keywords and the
// non-schema objects around the schemas must be ignored, not rejected.
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema(spec, SPEC_ID);

const validators = new Map<string, ValidateFunction>();
function validatorAt(pointer: string): ValidateFunction {
  let validate = validators.get(pointer);
  if (!validate) {
    validate = ajv.compile({ $ref: `${SPEC_ID}#${pointer}` });
    validators.set(pointer, validate);
  }
  return validate;
}

const escapePointer = (segment: string) => segment.replaceAll('~', '~0').replaceAll('/', '~1');

export interface ObservedResponse {
  method: string;
  /** The request path, without query. */
  path: string;
  status: number;
  contentType: string | null;
  /** Response headers (any case); none when left out. */
  headers?: Record<string, string>;
  /** The raw body text. */
  body: string;
}

/**
 * Check one response against the spec. The status must be declared by the operation (exact, or
 * a range such as `4XX`) or, failing that, be one of the document's `x-testmax-protocol-responses` (the only
 * answers for a path or method no operation has); every required header must be present and
 * every documented header valid; the media type must be one the response declares; and the body
 * must validate against that media type's schema. Throws with every problem found.
 */
export function assertMatchesSpec(response: ObservedResponse): void {
  const problems = problemsWith(response);
  if (problems.length > 0) {
    throw new Error(
      `${response.method} ${response.path} → ${response.status} does not match the spec:\n  ${problems.join('\n  ')}\n  body: ${response.body.slice(0, 500)}`,
    );
  }
}

function problemsWith(response: ObservedResponse): string[] {
  const { method, status } = response;
  // Mirrors the server's routing: case-insensitive, a trailing slash ignored.
  const path = response.path.length > 1 ? response.path.replace(/\/+$/, '') : response.path;
  const specPath = Object.keys(spec.paths).find(
    (candidate) => candidate.toLowerCase() === path.toLowerCase(),
  );
  const operation = specPath ? spec.paths[specPath]?.[method.toLowerCase()] : undefined;
  // The spec's table: 404 is for a path no operation has, 405 for a path without this method.
  if (!specPath && status === 405) return [`405 for ${path}, which the spec does not have (expected 404)`];
  if (specPath && !operation && status === 404) {
    return [`404 for ${specPath}, which the spec has (expected 405 for ${method})`];
  }
  const declared = operation
    ? lookup(
        operation.responses,
        status,
        `/paths/${escapePointer(specPath!)}/${method.toLowerCase()}/responses`,
      )
    : undefined;
  const found =
    declared ?? lookup(spec['x-testmax-protocol-responses'], status, '/x-testmax-protocol-responses', false);
  if (!found) {
    return operation
      ? [`status ${status} is not documented for ${method} ${specPath}, nor as a protocol-level response`]
      : [`no operation ${method} ${path} in the spec, and ${status} is not a protocol-level response`];
  }
  let { pointer, object } = found;
  while (object.$ref) {
    pointer = object.$ref.slice(1);
    object = resolvePointer(pointer) as ResponseObject;
  }
  return [...checkHeaders(response, object, pointer), ...checkContent(response, object, pointer, found.key)];
}

function lookup(responses: Responses, status: number, base: string, withDefault = true) {
  const keys = [String(status), `${String(status)[0]}XX`, ...(withDefault ? ['default'] : [])];
  const key = keys.find((candidate) => candidate in responses);
  return key === undefined
    ? undefined
    : { key, pointer: `${base}/${escapePointer(key)}`, object: responses[key]! };
}

function checkHeaders(response: ObservedResponse, declared: ResponseObject, pointer: string): string[] {
  const actual = new Map(Object.entries(response.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  const problems: string[] = [];
  for (const [name, raw] of Object.entries(declared.headers ?? {})) {
    let headerPointer = `${pointer}/headers/${escapePointer(name)}`;
    let header = raw;
    while (header.$ref) {
      headerPointer = header.$ref.slice(1);
      header = resolvePointer(headerPointer) as HeaderObject;
    }
    const value = actual.get(name.toLowerCase());
    if (value === undefined) {
      if (header.required) problems.push(`the required header ${name} is missing`);
      continue;
    }
    if (!header.schema) continue;
    const validate = validatorAt(`${headerPointer}/schema`);
    if (!validate(value)) {
      problems.push(
        `header ${name}: ${JSON.stringify(value)} ${validate.errors?.[0]?.message ?? 'is invalid'}`,
      );
    }
  }
  return problems;
}

function checkContent(response: ObservedResponse, declared: ResponseObject, pointer: string, key: string) {
  const content = declared.content ?? {};
  const mediaTypes = Object.keys(content);
  if (mediaTypes.length === 0) {
    return response.body === '' ? [] : [`the ${key} response has no content, but a body was sent`];
  }
  const mediaType = response.contentType?.split(';')[0]?.trim().toLowerCase();
  if (!mediaType || !mediaTypes.includes(mediaType)) {
    return [`content type ${response.contentType} is not one of ${mediaTypes.join(', ')}`];
  }
  let body: unknown;
  try {
    body = JSON.parse(response.body);
  } catch {
    return ['the body is not JSON'];
  }
  const validate = validatorAt(`${pointer}/content/${escapePointer(mediaType)}/schema`);
  if (validate(body)) return [];
  return (validate.errors ?? []).map((error) => `${error.instancePath || '(body)'} ${error.message}`);
}

function resolvePointer(pointer: string): unknown {
  let node: unknown = spec;
  for (const raw of pointer.split('/').slice(1)) {
    const segment = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    node = (node as Record<string, unknown>)[segment];
  }
  return node;
}
