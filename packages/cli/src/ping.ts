import { ping as pingApi } from '@testmax/auth/node';
import type { Context } from './context.js';
import { loggerFor, settingsFor } from './session-flow.js';
import { retryFor } from './settings.js';

/** `GET /Status/ping` through the SDK, with the CLI's timeout and retry settings. */
export async function ping(context: Context, baseUrl: string): Promise<void> {
  const settings = settingsFor(context);
  await pingApi({
    baseUrl,
    timeoutMs: settings.timeoutMs,
    retry: retryFor(settings, context.startedAt),
    logger: loggerFor(context),
  });
}
