import type { Hono } from 'hono';
import type { z } from 'zod';
import { DEFAULT_MAX_BODY_BYTES, readJsonBody } from './body';
import type { AppEnv, Ctx } from './context';
import { badRequest } from './errors';
import { enforceRateLimit, requireApiKey, requireOperator } from './guard';
import type { AnyRoute } from './route';

/** Describe the first validation problems in one readable sentence. */
export function describeIssues(error: z.ZodError): { message: string; errors: string[] } {
  const errors = error.issues.slice(0, 10).map((i) => {
    const where = i.path.length > 0 ? i.path.join('.') : 'body';
    return `${where}: ${i.message}`;
  });
  return { message: errors[0] ?? 'Invalid request', errors };
}

async function run(c: Ctx, route: AnyRoute): Promise<Response> {
  const hasBody = route.method !== 'get' && route.method !== 'delete' && route.rawBody !== true;
  const maxBytes = route.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  let body: unknown;
  if (route.auth.type === 'api_key') {
    if (c.req.header('authorization') || !hasBody) {
      await requireApiKey(c, undefined, route.auth.permission);
      await enforceRateLimit(c, route.auth.bucket);
      if (hasBody) body = await readJsonBody(c.req.raw, maxBytes);
    } else {
      // The legacy key may sit in the body, so the body is read first; a body error is only
      // reported once the caller has proved who it is.
      let bodyError: unknown = null;
      body = await readJsonBody(c.req.raw, maxBytes).catch((err: unknown) => {
        bodyError = err;
        return undefined;
      });
      await requireApiKey(c, body, route.auth.permission);
      await enforceRateLimit(c, route.auth.bucket);
      if (bodyError) throw bodyError;
    }
  } else {
    if (route.auth.type === 'operator') requireOperator(c);
    if (hasBody && route.rawBody !== true) body = await readJsonBody(c.req.raw, maxBytes);
  }
  c.set('body', body);

  let parsedBody: unknown = body;
  if (route.body && route.validateBody !== false) {
    if (body === undefined) throw badRequest('A JSON request body is required');
    const result = route.body.safeParse(body);
    if (!result.success) {
      const { message, errors } = describeIssues(result.error);
      throw badRequest(message, errors);
    }
    parsedBody = result.data;
  }
  let query: unknown = {};
  if (route.query) {
    const result = route.query.safeParse(c.req.queries() ? flattenQuery(c) : {});
    if (!result.success) {
      const { message, errors } = describeIssues(result.error);
      throw badRequest(message, errors);
    }
    query = result.data;
  }
  return route.handler(c, { body: parsedBody, query });
}

/** Query parameters: single values as strings, repeated ones (or `x[]`) as arrays. */
function flattenQuery(c: Ctx): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [key, values] of Object.entries(c.req.queries())) {
    const name = key.endsWith('[]') ? key.slice(0, -2) : key;
    out[name] = key.endsWith('[]') || values.length > 1 ? values : values[0]!;
  }
  return out;
}

/** Mount declared routes on the app. */
export function mountRoutes(app: Hono<AppEnv>, routes: readonly AnyRoute[]): void {
  for (const route of routes) {
    const path = route.path.replace(/\{(\w+)\}/g, ':$1');
    app.on(route.method.toUpperCase(), path, (c) => run(c, route));
  }
}
