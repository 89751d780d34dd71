import type { Context } from '../context.js';
import { readChain } from '../credentials.js';
import { ping } from '../ping.js';

export async function run(context: Context): Promise<void> {
  const { baseUrl } = readChain(context);
  const started = performance.now();
  await ping(context, baseUrl.value);
  const latencyMs = Math.round(performance.now() - started);
  const { output } = context;
  output.document({ baseUrl: baseUrl.value, latencyMs });
  output.line(`${output.paint('green', '✓')} ${baseUrl.value} is up (${latencyMs} ms)`);
}
