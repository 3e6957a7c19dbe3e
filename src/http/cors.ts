import type { MiddlewareHandler } from 'hono';

/**
 * CORS for the SDK endpoints: browsers call them from any site with a public app key and no
 * credentials. Preflights are answered here; other answers (errors included: the app's error
 * handler has run by the time `next()` returns) get their headers after the route, on the final
 * response, rather than on a placeholder the route then replaces (hono/cors's way, which copied
 * every header on each SDK call).
 */
const ALLOW_METHODS = 'GET,POST,OPTIONS';
const ALLOW_HEADERS = 'Content-Type,If-None-Match,Authorization';
const EXPOSE_HEADERS = 'ETag,X-Request-Id';
const MAX_AGE_SECONDS = '86400';

export function sdkCors(): MiddlewareHandler {
  return async (c, next) => {
    if (c.req.method === 'OPTIONS') {
      return new Response(null, {
        status: 204,
        headers: {
          'Access-Control-Allow-Origin': '*',
          'Access-Control-Allow-Methods': ALLOW_METHODS,
          'Access-Control-Allow-Headers': ALLOW_HEADERS,
          'Access-Control-Expose-Headers': EXPOSE_HEADERS,
          'Access-Control-Max-Age': MAX_AGE_SECONDS,
        },
      });
    }
    await next();
    c.res.headers.set('Access-Control-Allow-Origin', '*');
    c.res.headers.set('Access-Control-Expose-Headers', EXPOSE_HEADERS);
  };
}
