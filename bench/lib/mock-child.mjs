// A mock server in its own process, so the client side of a benchmark has a core to itself
// and the server's work is not billed to the SDK. Sends its URL to the parent over IPC.
import { load } from './deps.mjs';

const { startMockServer } = await load('@testmax/mock-server');
const options = JSON.parse(process.argv[2] ?? '{}');
const server = await startMockServer(options);
process.send?.({ url: server.url });
process.on('message', async (message) => {
  if (message === 'close') {
    await server.close();
    process.exit(0);
  }
});
process.on('disconnect', () => process.exit(0));
