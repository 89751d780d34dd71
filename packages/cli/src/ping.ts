import { ping as pingApi } from '@testmax/auth/node';
import type { Context } from './context.js';
import { loggerFor, settingsFor } from './session-flow.js';

/** `GET /Status/ping` through the SDK, with the CLI's timeout and retry settings. */
export async function ping(context: Context, baseUrl: string): Promise<void> {
  const { timeoutMs, retries } = settingsFor(context);
  await pingApi({ baseUrl, timeoutMs, retry: { retries }, logger: loggerFor(context) });
}
