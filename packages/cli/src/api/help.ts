import { apiOperations } from './target.js';

/** The operations of the spec, one line each, for `testmax api --help` and the docs. */
export function knownOperationLines(): string[] {
  const operations = apiOperations();
  const width = Math.max(...operations.map((operation) => operation.path.length + operation.method.length));
  return operations.map((operation) => {
    const name = `${operation.method} ${operation.path.slice(1)}`;
    const fields = operation.body?.fields.map(
      (field) => `${field.name}${field.required ? '' : '?'}: ${field.type}`,
    );
    const details = [
      operation.summary,
      operation.public ? 'no login needed' : undefined,
      fields && fields.length > 0 ? `fields ${fields.join(', ')}` : undefined,
    ].filter(Boolean);
    return `  ${name.padEnd(width + 1)}  ${details.join('; ')}`;
  });
}

export function apiHelp(): string {
  return `
The body is JSON: fields with -f name=value (text) and -F name=value (true, false, null and
numbers become JSON values; @file reads a file's text, @- standard input); nested with
name[key]=value and lists with name[]=value, as gh api does. Or the whole body with --input.
Without any, a POST sends {}. For GET, fields become the query string.

For a path the spec knows, the body is checked against its request schema before anything is
sent (exit 2 naming the field). Other paths are sent unchecked, as POST unless -X says otherwise.
Auth/loginKey, Auth/validate and Auth/logout are the login, validate/token and logout commands.

The answer is printed as it came: JSON laid out on a terminal, compact when piped.
Exit 0 when the answer says success: true (or has no envelope), 1 when it says success: false
(its errorCode and errorMessage on stderr), 3 when the token is refused even after logging in
again, 5 when the server stays unavailable (408, 429, 5xx after retries, network); any other
HTTP error is 1. The session is the one of login/token: it refreshes the token, logs in again
once after a refusal (with the key from the environment, the config file or the OS keychain),
and repeats only what is safe to repeat (an unknown POST is never sent twice).

Known operations (from the spec):
${knownOperationLines().join('\n')}

Examples:
  testmax api Status/ping
  testmax api Account/search -F onlyActiveAccounts=true
  testmax api Account/search --input filter.json
  echo '{"onlyActiveAccounts": false}' | testmax api Account/search --input -
  testmax api Account/search --include | less
  testmax api Account/search | jq '.accounts[].name'`;
}
