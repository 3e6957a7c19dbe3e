import {
  type Context,
  type Emitter,
  type Liquid,
  Tag,
  type TagToken,
  type Template,
  type TopLevelToken,
} from 'liquidjs';
import { compile } from './compile-cache';
import { parseConnectedContent, requestShape } from './connected-content-markup';
import { AbortMessage, type ConnectedContentResponse, stateOf } from './render-state';

/** Where an unsaved JSON response goes, as in Braze. */
export const DEFAULT_CONNECTED_VARIABLE = 'connected';

function parseJson(body: string): unknown {
  const t = body.trimStart();
  if (!t.startsWith('{') && !t.startsWith('[')) return undefined;
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

/**
 * `{% connected_content url [:options] %}` (contract §6.5). The arguments are Liquid, rendered
 * first; the response is saved to a variable (`:save`), kept in `connected` when it is JSON, or
 * inserted inline when it is text. A failed call inserts nothing; with `:retry`, a call that still
 * fails aborts the message.
 */
export class ConnectedContentTag extends Tag {
  private readonly args: Template[];

  constructor(token: TagToken, remain: TopLevelToken[], liquid: Liquid) {
    super(token, remain, liquid);
    this.args = compile(liquid, token.args);
  }

  *render(ctx: Context, emitter: Emitter): Generator<unknown, void, unknown> {
    const state = stateOf(ctx);
    const markup = String(yield this.liquid.renderer.renderTemplates(this.args, ctx));
    const call = parseConnectedContent(markup);
    if ('error' in call) throw new Error(call.error);
    if (!state.connectedContent) throw new Error('Connected Content is not available here');
    const shape = requestShape(call);
    const response = (yield state.connectedContent.fetch({
      url: call.url,
      method: call.method,
      headers: shape.headers,
      body: shape.body,
      basicAuth: call.basicAuth,
      cacheMaxAge: call.cacheMaxAge,
      noCache: call.noCache,
      retry: call.retry,
    })) as ConnectedContentResponse;
    state.calls.push({
      url: call.url,
      method: call.method,
      status: response.status,
      cached: response.type === 'ok' && response.cached === true,
      ...(response.type === 'failed' ? { error: response.reason } : {}),
    });
    if (response.type === 'failed') {
      if (call.retry)
        throw new AbortMessage(`Connected Content failed after retries: ${response.reason}`);
      return;
    }
    const success = response.status >= 200 && response.status < 300;
    const json = parseJson(response.body);
    const isObject = json !== null && typeof json === 'object' && !Array.isArray(json);
    const value =
      isObject && success ? { ...(json as object), __http_status_code__: response.status } : json;
    if (call.save) {
      ctx.bottom()[call.save] = value !== undefined ? value : success ? response.body : undefined;
    } else if (json !== undefined) {
      ctx.bottom()[DEFAULT_CONNECTED_VARIABLE] = value;
    } else if (success) {
      emitter.write(response.body);
    }
  }
}
