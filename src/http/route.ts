import type { z } from 'zod';
import type { Permission } from '../auth/permissions';
import type { RateBucket } from '../auth/rate-limits';
import type { Ctx } from './context';

/** Who may call a route. */
export type RouteAuth =
  | { type: 'api_key'; permission: Permission; bucket: RateBucket }
  | { type: 'operator' }
  | { type: 'none' };

/**
 * A route declared once: the app mounts it (auth, rate limit, body limits, validation) and the
 * OpenAPI description is generated from the same declaration.
 */
export interface RouteSpec<
  Body extends z.ZodType = z.ZodType,
  Query extends z.ZodType = z.ZodType,
> {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** OpenAPI-style path, e.g. `/operator/workspaces/{workspace_id}`. */
  path: string;
  summary: string;
  description?: string;
  tag: string;
  auth: RouteAuth;
  /** Request body schema. With `validateBody: false` it documents only and the handler validates. */
  body?: Body;
  validateBody?: boolean;
  /**
   * The handler reads the request body itself (a provider's form-encoded webhook): nothing is
   * parsed as JSON first. Only for routes without API-key auth.
   */
  rawBody?: boolean;
  query?: Query;
  /** Largest accepted body in bytes (default 1 MB). */
  maxBodyBytes?: number;
  success: { status: number; description: string; schema: z.ZodType };
  handler: (c: Ctx, input: { body: z.infer<Body>; query: z.infer<Query> }) => Promise<Response>;
}

/** Declare a route with its body and query types inferred. */
export function defineRoute<Body extends z.ZodType, Query extends z.ZodType>(
  spec: RouteSpec<Body, Query>,
): RouteSpec<Body, Query> {
  return spec;
}

/** Any route, for lists of routes. */
// biome-ignore lint/suspicious/noExplicitAny: a heterogeneous route list needs an erased element type.
export type AnyRoute = RouteSpec<any, any>;
