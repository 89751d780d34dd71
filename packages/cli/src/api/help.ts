import { apiOperations } from './target.js';

/**
 * The operations of the spec, one row each (`POST Account/search`, what it does and its fields),
 * for `testmax api --help` and the docs' CLI reference (command-help.ts).
 */
export function knownOperationRows(): [string, string][] {
  return apiOperations().map((operation) => {
    const fields = operation.body?.fields.map(
      (field) => `${field.name}${field.required ? '' : '?'}: ${field.type}`,
    );
    const details = [
      operation.summary,
      operation.public ? 'no login needed' : undefined,
      fields && fields.length > 0 ? `fields ${fields.join(', ')}` : undefined,
    ].filter(Boolean);
    return [`${operation.method} ${operation.path.slice(1)}`, details.join('; ')];
  });
}
