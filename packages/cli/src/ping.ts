import { ping as pingApi } from '@testmax/auth/node';
import type { Context } from './context.js';
import { loggerFor } from './session-flow.js';
import { requestSettings } from './settings.js';

/** `GET /Status/ping` through the SDK, with the CLI's timeout and retry settings. */
export async function ping(context: Context, baseUrl: string): Promise<void> {
  const { timeoutMs, retries } = requestSettings(context.env);
  await pingApi({
    baseUrl,
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
    ...(retries === undefined ? {} : { retry: { retries } }),
    logger: loggerFor(context),
  });
}
