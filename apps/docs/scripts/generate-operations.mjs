// The HTTP API's operations as a page of the site (reference/api.md): the Redoc page in public/
// is a standalone app the site's search cannot see, so each operation also gets a section here,
// generated from the bundled spec, that search finds and that links to its page in Redoc.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { docsDir, specDir } from './paths.mjs';
import { prose } from './text.mjs';

export const operationsPage = join(docsDir, 'reference', 'api.md');

/** `#/components/x/y` in the bundled document. */
function resolve(spec, value) {
  if (!value?.$ref) return value;
  return value.$ref
    .slice(2)
    .split('/')
    .reduce((node, key) => node?.[key], spec);
}

const oneLine = (text) => prose((text ?? '').trim().replace(/\s*\n\s*/g, ' '));
const code = (text) => `\`${text}\``;

/** The Redoc route of an operation: `#/<tag>/<operationId>`, lower-cased, as Redoc names them. */
export function redocRoute(operation) {
  return `/api/index.html#/${operation.tags[0].toLowerCase()}/${operation.operationId.toLowerCase()}`;
}

function section(spec, method, path, operation) {
  const secured = !Array.isArray(operation.security) || operation.security.length > 0;
  const lines = [
    `## ${operation.summary} {#${operation.operationId.toLowerCase()}}`,
    '',
    `${code(`${method.toUpperCase()} ${path}`)} · operation ${code(operation.operationId)} · ${
      secured ? 'bearer token (`Authorization: Bearer <token>`)' : 'no authentication'
    }`,
    '',
    prose((operation.description ?? '').trim()),
    '',
  ];
  const body = operation.requestBody?.content?.['application/json']?.schema;
  if (body) {
    const name = body.$ref?.split('/').at(-1);
    const schema = resolve(spec, body);
    const required = new Set(schema.required ?? []);
    const fields = Object.entries(schema.properties ?? {});
    lines.push(`**Request body**${name ? ` (${code(name)})` : ''}: ${oneLine(schema.description)}`, '');
    if (fields.length > 0) {
      lines.push('| field | type | required | meaning |', '| --- | --- | --- | --- |');
      for (const [field, property] of fields) {
        const resolved = resolve(spec, property);
        lines.push(
          `| ${code(field)} | ${resolved.type ?? ''} | ${required.has(field) ? 'yes' : 'no'} | ${oneLine(resolved.description)} |`,
        );
      }
      lines.push('');
    }
  }
  lines.push('**Responses**', '', '| status | meaning |', '| --- | --- |');
  for (const [status, response] of Object.entries(operation.responses)) {
    lines.push(`| ${code(status)} | ${oneLine(resolve(spec, response).description)} |`);
  }
  lines.push(
    '',
    `<a href="${redocRoute(operation)}" target="_self">${operation.operationId} in the API reference</a>: schemas, every example, and the error documents.`,
    '',
  );
  return lines;
}

export async function generateOperations() {
  const spec = JSON.parse(await readFile(join(specDir, 'dist', 'openapi.json'), 'utf8'));
  const lines = [
    '# HTTP API operations',
    '',
    `The ${Object.keys(spec.paths).length} operations of the TestMax HTTP API (\`${spec.info.title}\` ${spec.info.version}),`,
    'generated from `spec/openapi.yaml` when the site is built. Each links to its page in the',
    '<a href="/api/index.html" target="_self">full API reference</a>, which also shows the schemas and',
    `every example. Base URL: ${code(spec.servers?.[0]?.url ?? '')}.`,
    '',
  ];
  const operations = [];
  for (const [path, methods] of Object.entries(spec.paths)) {
    for (const [method, operation] of Object.entries(methods)) {
      lines.push(...section(spec, method, path, operation));
      operations.push(operation.operationId);
    }
  }
  await writeFile(operationsPage, lines.join('\n'));
  return `API operations: reference/api.md (${operations.join(', ')})`;
}
