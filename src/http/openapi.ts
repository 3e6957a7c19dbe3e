import { z } from 'zod';
import type { AnyRoute } from './route';

const ErrorEnvelope = z
  .object({
    message: z.string().describe('What went wrong, or "success"'),
    errors: z.array(z.unknown()).optional(),
  })
  .meta({ id: 'ErrorEnvelope' });

/** Named schemas (those with a `.meta({ id })`), hoisted into `components.schemas`. */
type Components = Record<string, unknown>;

function schemaIn(components: Components, s: z.ZodType): unknown {
  const generated = z.toJSONSchema(s, {
    io: 'input',
    unrepresentable: 'any',
    target: 'openapi-3.0',
  });
  // zod writes document-local refs; in OpenAPI they must point into components.schemas.
  const out = JSON.parse(
    JSON.stringify(generated).replace(/"#\/(definitions|\$defs)\//g, '"#/components/schemas/'),
  ) as Record<string, unknown>;
  const defs = (out.definitions ?? out.$defs ?? {}) as Components;
  Object.assign(components, defs);
  delete out.definitions;
  delete out.$defs;
  return out;
}

function queryParameters(route: AnyRoute, schema: (s: z.ZodType) => unknown): unknown[] {
  if (!route.query) return [];
  const json = schema(route.query) as { properties?: Record<string, unknown>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, s]) => ({
    name,
    in: 'query',
    required: json.required?.includes(name) ?? false,
    schema: s,
  }));
}

function pathParameters(route: AnyRoute): unknown[] {
  return [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => ({
    name: m[1],
    in: 'path',
    required: true,
    schema: { type: 'string' },
  }));
}

/** OpenAPI 3.0 description of every declared route, from the zod schemas that validate them. */
export function buildOpenApi(routes: readonly AnyRoute[]): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  const components: Components = {};
  const schema = (s: z.ZodType) => schemaIn(components, s);
  const errorResponse = (description: string) => ({
    description,
    content: { 'application/json': { schema: schema(ErrorEnvelope) } },
  });
  for (const route of routes) {
    const security =
      route.auth.type === 'api_key'
        ? [{ bearerAuth: [] }]
        : route.auth.type === 'operator'
          ? [{ operatorToken: [] }]
          : [];
    const responses: Record<string, unknown> = {
      [route.success.status]: {
        description: route.success.description,
        content: { 'application/json': { schema: schema(route.success.schema) } },
      },
      400: errorResponse('Malformed JSON, wrong types or values, or too many objects'),
    };
    if (route.auth.type !== 'none') responses[401] = errorResponse('Missing or unknown key');
    if (route.auth.type === 'api_key') {
      responses[403] = errorResponse(`Access Denied: the key lacks \`${route.auth.permission}\``);
      responses[429] = errorResponse('Rate limit exceeded (see X-RateLimit-* headers)');
    }
    paths[route.path] ??= {};
    paths[route.path]![route.method] = {
      summary: route.summary,
      description: [
        route.description,
        route.auth.type === 'api_key'
          ? `Permission: \`${route.auth.permission}\`. Rate-limit bucket: \`${route.auth.bucket}\`.`
          : undefined,
      ]
        .filter(Boolean)
        .join('\n\n'),
      tags: [route.tag],
      security,
      parameters: [...pathParameters(route), ...queryParameters(route, schema)],
      ...(route.body
        ? {
            requestBody: {
              required: true,
              content: { 'application/json': { schema: schema(route.body) } },
            },
          }
        : {}),
      responses,
    };
  }
  return {
    openapi: '3.0.3',
    info: {
      title: 'Herald REST API',
      version: '0.1.0',
      description:
        'Braze-compatible REST API. Paths, bodies, permissions, error envelopes and rate-limit ' +
        'headers follow Braze, so existing clients work by changing the base URL and key.',
    },
    components: {
      schemas: components,
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', description: 'REST API key' },
        operatorToken: { type: 'http', scheme: 'bearer', description: 'HERALD_OPERATOR_TOKEN' },
      },
    },
    paths,
  };
}
