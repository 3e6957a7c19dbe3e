import { createServer, type Server } from 'node:http';
import avro from 'avsc';
import type { TestProject } from 'vitest/node';

/**
 * A local HTTP server for integration tests: records every request it receives (method, path,
 * headers, body) and answers 200 with `{"ok":true}`, or what a test scripted for that path with
 * `POST /__respond?path=<path>` (`{status, body, content_type, delay_ms, times, headers}`). Workers under test
 * call it as a partner's or provider's endpoint would be called; tests read what arrived from
 * `GET /__received?path=<path>`. Loopback only.
 */
interface Scripted {
  status: number;
  body: string;
  content_type: string;
  delay_ms: number;
  /** Answer this way this many times, then 200 again (unset: every time). */
  times: number | null;
  headers: Record<string, string>;
}
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const received: {
    method: string;
    path: string;
    headers: Record<string, unknown>;
    body: string;
    /** The body's bytes, base64: binary bodies (encrypted Web Push) do not survive as text. */
    body_base64: string;
  }[] = [];
  const scripted = new Map<string, Scripted>();
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
      if (url.pathname === '/__avro') {
        // Currents tests: decode an Avro container file with avsc, a standard reader that runs in
        // Node only, and answer its header and records as JSON.
        decodeAvro(Buffer.concat(chunks)).then(
          (decoded) => {
            res.setHeader('content-type', 'application/json');
            res.end(JSON.stringify(decoded));
          },
          (err: unknown) => {
            res.statusCode = 422;
            res.end(String(err));
          },
        );
        return;
      }
      if (url.pathname === '/__respond') {
        const script = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        scripted.set(url.searchParams.get('path') ?? '', {
          status: script.status ?? 200,
          body: script.body ?? '',
          content_type: script.content_type ?? 'application/json',
          delay_ms: script.delay_ms ?? 0,
          times: script.times ?? null,
          headers: script.headers ?? {},
        });
        res.end('{}');
        return;
      }
      received.push({
        method: req.method ?? '',
        path: url.pathname,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        body_base64: Buffer.concat(chunks).toString('base64'),
      });
      const script = scripted.get(url.pathname);
      if (script?.times !== null && script?.times !== undefined) {
        script.times--;
        if (script.times < 0) scripted.delete(url.pathname);
      }
      if (!script || (script.times !== null && script.times < 0)) {
        res.setHeader('content-type', 'application/json');
        res.end('{"ok":true}');
        return;
      }
      setTimeout(() => {
        res.statusCode = script.status;
        res.setHeader('content-type', script.content_type);
        for (const [k, v] of Object.entries(script.headers)) res.setHeader(k, v);
        res.end(script.body);
      }, script.delay_ms);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  project.provide('httpSinkPort', typeof address === 'object' && address ? address.port : 0);
  return () => new Promise((resolve) => server.close(() => resolve()));
}

/** An Avro object container file's schema, codec and records, read by avsc. */
function decodeAvro(
  bytes: Buffer,
): Promise<{ schema: unknown; codec: string; records: unknown[] }> {
  return new Promise((resolve, reject) => {
    const records: unknown[] = [];
    let schema: unknown = null;
    let codec = '';
    const decoder = new avro.streams.BlockDecoder();
    decoder.on('metadata', (type: avro.Type, c: string) => {
      schema = type.schema({ exportAttrs: true });
      codec = c;
    });
    decoder.on('data', (r: object) => records.push({ ...r }));
    decoder.on('end', () => resolve({ schema, codec, records }));
    decoder.on('error', reject);
    decoder.end(bytes);
  });
}

declare module 'vitest' {
  export interface ProvidedContext {
    httpSinkPort: number;
  }
}
