// What the browser smoke test bundles: the client and the runtime-neutral entry of auth only.
// Anything here that reached for `node:*` would break every web app that uses the SDK.

export { AuthSession, InvalidCredentialsError, TestMaxError } from '@testmax/auth';
export { createClient, DEFAULT_BASE_URL } from '@testmax/client';
