import { Hono } from 'hono';
import { log, logs } from '../lib/log';
import type { AppEnv } from './context';
import { sdkCors } from './cors';
import { ApiError, errorBody } from './errors';
import { mountRoutes } from './mount';
import { buildOpenApi } from './openapi';
import type { AnyRoute } from './route';

/**
 * The Hono app: request ids, one error renderer in Braze's envelope, the declared routes, and
 * the OpenAPI description generated from them.
 */
export function createApp(routes: readonly AnyRoute[]): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.use(async (c, next) => {
    const requestId = c.req.header('cf-ray') ?? crypto.randomUUID();
    const started = Date.now();
    c.set('requestId', requestId);
    c.set('rateHeaders', {});
    await next();
    c.res.headers.set('X-Request-Id', requestId);
    for (const [k, v] of Object.entries(c.get('rateHeaders'))) c.res.headers.set(k, v);
    // One access line per request; never the body, the key or the query string.
    if (!logs('info')) return;
    log('info', 'request', {
      request_id: requestId,
      method: c.req.method,
      path: new URL(c.req.url).pathname,
      status: c.res.status,
      ms: Date.now() - started,
      workspace: c.get('caller')?.workspace.id,
    });
  });

  // SDK endpoints are called by browsers from any site (a public app key, no credentials).
  app.use('/sdk/*', sdkCors());

  let openapi: unknown = null;
  app.get('/openapi.json', (c) => {
    openapi ??= buildOpenApi(routes);
    return c.json(openapi);
  });

  mountRoutes(app, routes);

  app.notFound((c) =>
    c.json(errorBody(`Not Found: ${c.req.method} ${new URL(c.req.url).pathname}`), 404),
  );

  app.onError((err, c) => {
    const headers = { ...c.get('rateHeaders'), 'X-Request-Id': c.get('requestId') ?? '' };
    if (err instanceof ApiError) {
      return c.json(errorBody(err.message, err.errors), err.status, headers);
    }
    log('error', 'unhandled error', {
      request_id: c.get('requestId'),
      method: c.req.method,
      path: new URL(c.req.url).pathname,
      error: err instanceof Error ? `${err.name}: ${err.message}` : String(err),
    });
    return c.json(
      { message: 'Internal Server Error', request_id: c.get('requestId') },
      500,
      headers,
    );
  });

  return app;
}
