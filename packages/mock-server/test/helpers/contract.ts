import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

// ajv-formats is CommonJS; under NodeNext its default import is the module object.
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

interface ResponseObject {
  $ref?: string;
  content?: Record<string, { schema?: unknown }>;
  headers?: Record<string, unknown>;
}
type Operation = { responses: Record<string, ResponseObject> };
interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
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

/**
 * Statuses the server may answer before routing, on operations that do not declare them
 * (a 413 for a body sent to `GET /Status/ping`); operations that take a body document 413.
 */
const PROTOCOL_STATUSES = new Set([413]);

export interface ObservedResponse {
  method: string;
  /** The request path, without query. */
  path: string;
  status: number;
  contentType: string | null;
  /** The raw body text. */
  body: string;
}

/**
 * Check one response against the spec: the operation must exist (or the status is a documented
 * protocol-level error), the status must be declared (exact, or its `5XX` range), the media type
 * must be one the response declares, and the body must validate against that media type's schema.
 * Throws with every problem found.
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
  if (!specPath || !operation) {
    const expected = specPath ? 405 : 404;
    if (status !== expected) return [`no operation ${method} ${path} in the spec, so expected ${expected}`];
    return checkBody(response, '/components/schemas/ProblemDetails', 'application/problem+json');
  }
  const base = `/paths/${escapePointer(specPath)}/${method.toLowerCase()}/responses`;
  const key = [String(status), `${String(status)[0]}XX`, 'default'].find((k) => k in operation.responses);
  if (!key) {
    if (PROTOCOL_STATUSES.has(status)) {
      return checkBody(response, '/components/schemas/ProblemDetails', 'application/problem+json');
    }
    return [`status ${status} is not documented for ${method} ${specPath}`];
  }
  let pointer = `${base}/${escapePointer(key)}`;
  let declared = operation.responses[key]!;
  while (declared.$ref) {
    pointer = declared.$ref.slice(1);
    declared = resolvePointer(pointer) as ResponseObject;
  }
  const content = declared.content ?? {};
  const mediaTypes = Object.keys(content);
  if (mediaTypes.length === 0) {
    return response.body === '' ? [] : [`the ${key} response has no content, but a body was sent`];
  }
  const mediaType = response.contentType?.split(';')[0]?.trim().toLowerCase();
  if (!mediaType || !mediaTypes.includes(mediaType)) {
    return [`content type ${response.contentType} is not one of ${mediaTypes.join(', ')}`];
  }
  return checkBody(response, `${pointer}/content/${escapePointer(mediaType)}/schema`, mediaType);
}

function checkBody(response: ObservedResponse, schemaPointer: string, mediaType: string): string[] {
  const actualType = response.contentType?.split(';')[0]?.trim().toLowerCase();
  if (actualType !== mediaType) return [`content type ${response.contentType}, expected ${mediaType}`];
  let body: unknown;
  try {
    body = JSON.parse(response.body);
  } catch {
    return ['the body is not JSON'];
  }
  const validate = validatorAt(schemaPointer);
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
