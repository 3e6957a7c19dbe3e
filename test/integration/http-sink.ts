import { createServer, type Server } from 'node:http';
import type { TestProject } from 'vitest/node';

/**
 * A local HTTP server for integration tests: records every request it receives (method, path,
 * headers, body) and answers 200. Workers under test call it as a partner's endpoint would be
 * called; tests read what arrived from `GET /__received?path=<path>`. Loopback only.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const received: {
    method: string;
    path: string;
    headers: Record<string, unknown>;
    body: string;
  }[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://sink');
      if (url.pathname === '/__received') {
        const path = url.searchParams.get('path');
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify(received.filter((r) => r.path === path)));
        return;
      }
      received.push({
        method: req.method ?? '',
        path: url.pathname,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      res.setHeader('content-type', 'application/json');
      res.end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  project.provide('httpSinkPort', typeof address === 'object' && address ? address.port : 0);
  return () => new Promise((resolve) => server.close(() => resolve()));
}

declare module 'vitest' {
  export interface ProvidedContext {
    httpSinkPort: number;
  }
}
