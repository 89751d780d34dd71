import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';

/** Listen on a free port of 127.0.0.1 and resolve with the server's `http://127.0.0.1:PORT` URL. */
export async function listenOnLoopback(server: Server): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('server has no TCP address');
  return `http://127.0.0.1:${address.port}`;
}

/** A loopback URL nothing listens on (a port just freed): connecting to it is refused. */
export async function deadUrl(): Promise<string> {
  const server = createServer();
  const url = await listenOnLoopback(server);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return url;
}

/**
 * A loopback port free right now, for a process that must be told its port (`--port N`, as a
 * README starts it). Another process could take it before ours binds; on a test machine that is
 * rare enough, and the process then fails loudly (EADDRINUSE), never silently.
 */
export async function freeLoopbackPort(): Promise<number> {
  return Number(new URL(await deadUrl()).port);
}

/** Whether anything accepts connections at a loopback `port`, or at a URL's host and port. */
export function acceptsConnections(target: number | string): Promise<boolean> {
  const { hostname, port } =
    typeof target === 'number' ? { hostname: '127.0.0.1', port: target } : urlPort(target);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function urlPort(url: string): { hostname: string; port: number } {
  const parsed = new URL(url);
  return {
    hostname: parsed.hostname,
    port: Number(parsed.port || (parsed.protocol === 'https:' ? 443 : 80)),
  };
}
