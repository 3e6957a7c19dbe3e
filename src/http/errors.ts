import type { ContentfulStatusCode } from 'hono/utils/http-status';

/**
 * An error that ends a request with Braze's fatal envelope:
 * `{ "message": "<text>", "errors": [...] }`. Thrown by handlers and middleware; rendered by the
 * single `app.onError` in src/http/app.ts.
 */
export class ApiError extends Error {
  readonly status: ContentfulStatusCode;
  readonly errors: unknown[] | undefined;

  constructor(status: ContentfulStatusCode, message: string, errors?: unknown[]) {
    super(message);
    this.status = status;
    this.errors = errors;
  }
}

/** 400 with a message, as Braze answers validation failures. */
export function badRequest(message: string, errors?: unknown[]): ApiError {
  return new ApiError(400, message, errors);
}

/** The JSON body Braze sends with a fatal error. */
export function errorBody(message: string, errors?: unknown[]): Record<string, unknown> {
  return errors && errors.length > 0 ? { message, errors } : { message };
}
