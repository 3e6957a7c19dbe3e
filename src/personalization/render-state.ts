import type { Context } from 'liquidjs';
import type { CatalogSource, ContentBlockSource } from './sources';

/** Fetches for `{% connected_content %}`; see connected-content.ts. */
export interface ConnectedContentFetcher {
  fetch(request: ConnectedContentRequest): Promise<ConnectedContentResponse>;
}

export interface ConnectedContentRequest {
  url: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body: string | null;
  /** Named `:basic_auth` credential, resolved by the fetcher. */
  basicAuth: string | null;
  /** Seconds; null for the default rule (GET 5 minutes, POST not cached). */
  cacheMaxAge: number | null;
  noCache: boolean;
  retry: boolean;
}

export type ConnectedContentResponse =
  | { type: 'ok'; status: number; body: string; contentType: string | null; cached?: boolean }
  /** The call failed (timeout, refused address, 5xx after retries, oversize body). */
  | { type: 'failed'; reason: string; status: number | null };

/** Everything a render carries besides the template's variables: clock, sources, collected output. */
export interface RenderState {
  now: number;
  /** The field being rendered (`subject`, `body`, …), named in errors. */
  field: string;
  catalogs: CatalogSource | null;
  contentBlocks: ContentBlockSource | null;
  connectedContent: ConnectedContentFetcher | null;
  /** `{% message_extras %}` pairs, first value per key wins. */
  extras: Map<string, string>;
  /** Content Blocks being rendered, outermost first: for nesting depth and cycles. */
  blockStack: string[];
  /** Connected Content calls made, for the preview API's report. */
  calls: { url: string; method: string; status: number | null; cached: boolean; error?: string }[];
}

const REGISTER = 'herald';

/** Attach a render's state to a liquidjs context. */
export function attachState(ctx: Context, state: RenderState): void {
  ctx.setRegister(REGISTER, state);
}

/** The render state of a context; every Herald render attaches one. */
export function stateOf(ctx: Context): RenderState {
  const state = ctx.getRegister<RenderState | undefined>(REGISTER, undefined);
  if (!state)
    throw new Error('render state missing: templates must be rendered through renderFields');
  return state;
}

/** Thrown by `{% abort_message %}`: the recipient's send is cancelled with this reason. */
export class AbortMessage extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'AbortMessage';
  }
}
