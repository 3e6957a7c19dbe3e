import type { Context } from 'hono';
import type { Caller } from '../auth/api-keys';

/** Variables set on the Hono context by middleware. */
export interface AppVariables {
  requestId: string;
  caller: Caller;
  /** Rate-limit headers to send on every answer, errors included. */
  rateHeaders: Record<string, string>;
  /** The parsed JSON body, once read. */
  body: unknown;
}

export type AppEnv = { Bindings: Env; Variables: AppVariables };
export type Ctx = Context<AppEnv>;
