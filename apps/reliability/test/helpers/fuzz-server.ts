import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One answer, exactly as it goes on the wire. */
export interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export type Responder = (path: string, request: IncomingMessage) => Answer;

/**
 * A bare loopback HTTP server whose answers the test decides per request: the SDK talks to it
 * over a real socket, exactly as to the API, so nothing about `fetch` is faked.
 */
export class FuzzServer {
  responder: Responder = () => ({ status: 404, headers: {}, body: '' });
  readonly counts = new Map<string, number>();

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<FuzzServer> {
    let instance: FuzzServer | undefined;
    const server = createServer((req, res) => {
      // Drain the request first: answering before reading it can reset the connection.
      req.resume();
      req.on('end', () => {
        const path = (req.url ?? '/').split('?')[0] ?? '/';
        const self = instance as FuzzServer;
        self.counts.set(path, (self.counts.get(path) ?? 0) + 1);
        const answer = self.responder(path, req);
        try {
          res.writeHead(answer.status, answer.headers);
          res.end(answer.body);
        } catch {
          // A generated header node refuses: count it as a dropped connection.
          res.destroy();
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    instance = new FuzzServer(server, `http://127.0.0.1:${port}`);
    return instance;
  }

  calls(path: string): number {
    return this.counts.get(path) ?? 0;
  }

  reset(responder: Responder): void {
    this.counts.clear();
    this.responder = responder;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}

export function json(body: unknown, status = 200): Answer {
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify(body),
  };
}

/** An unsigned JWT with these claims: the SDK reads `exp`/`iat`, never the signature. */
export function jwt(claims: Record<string, unknown>): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'HS256', typ: 'JWT' })}.${part(claims)}.c2lnbmF0dXJl`;
}
