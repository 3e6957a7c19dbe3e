import { Context, type Liquid, type Template, toPromise, toValueSync } from 'liquidjs';
import { compile, compileWithFastPath } from './compile-cache';
import { engine, LimitedEmitter, MAX_FIELD_OUTPUT_BYTES } from './engine';
import {
  AbortMessage,
  attachState,
  type ConnectedContentFetcher,
  type RenderState,
} from './render-state';
import type { CatalogSource, ContentBlockSource } from './sources';

/** One field's result: its text, or why it failed. */
export type FieldResult = { ok: true; output: string } | { ok: false; error: string };

/** Everything a render may read besides the scope. Absent sources make their tags fail clearly. */
export interface RenderSources {
  catalogs?: CatalogSource | null;
  contentBlocks?: ContentBlockSource | null;
  connectedContent?: ConnectedContentFetcher | null;
}

export interface RenderRequest {
  /** Field name → template, rendered in this order (`subject`, `body`, …). */
  fields: Record<string, string>;
  /** Variables from buildScope. */
  scope: Record<string, unknown>;
  now: number;
  sources?: RenderSources;
  liquid?: Liquid;
}

export interface RenderOutcome {
  /** Set when `{% abort_message %}` ran (or a `:retry` call failed): nothing may be sent. */
  aborted: { field: string; reason: string } | null;
  fields: Record<string, FieldResult>;
  /** `{% message_extras %}` pairs, for the send event. */
  extras: Record<string, string>;
  calls: RenderState['calls'];
}

/**
 * Tags whose render waits on I/O. A field naming none of them renders synchronously: liquidjs's
 * async driver costs a promise per nested node, most of a plain template's render time.
 */
const ASYNC_TAGS = /content_blocks|connected_content|catalog_items|catalog_selection_items/;

/** Find the cause liquidjs wrapped (it wraps tag and filter errors in RenderError). */
function rootCause(err: unknown): unknown {
  let e = err as { originalError?: unknown } | null;
  for (let i = 0; i < 10 && e && typeof e === 'object' && e.originalError; i++) {
    e = e.originalError as { originalError?: unknown };
  }
  return e;
}

function describe(err: unknown): string {
  const cause = rootCause(err);
  const message = cause instanceof Error ? cause.message : String(cause);
  // liquidjs appends the template position to its own messages: keep it, it names the spot.
  const outer = err instanceof Error ? err.message : '';
  return outer && outer !== message && outer.startsWith(message) ? outer : message || outer;
}

/** Parse a template, or say why it does not parse. */
export function checkTemplate(
  source: string,
  liquid: Liquid = engine(),
): { ok: true } | { ok: false; error: string } {
  try {
    compile(liquid, source);
    return { ok: true };
  } catch (err) {
    return { ok: false, error: describe(err) };
  }
}

/**
 * Text with no Liquid delimiter renders as itself (a webhook's fixed URL or headers), so it skips
 * the engine; a source that could exceed the output limit still goes through it to fail there.
 */
function isPlainText(source: string): boolean {
  return (
    source.length <= MAX_FIELD_OUTPUT_BYTES / 3 && !source.includes('{{') && !source.includes('{%')
  );
}

/**
 * Render a message's fields for one recipient. Fields render separately (variables do not leak
 * between them, as in Braze); extras and Connected Content reports are per message. An abort in
 * any field stops the render.
 */
export async function renderFields(req: RenderRequest): Promise<RenderOutcome> {
  const liquid = req.liquid ?? engine();
  const outcome: RenderOutcome = { aborted: null, fields: {}, extras: {}, calls: [] };
  const extras = new Map<string, string>();
  for (const [field, source] of Object.entries(req.fields)) {
    if (isPlainText(source)) {
      outcome.fields[field] = { ok: true, output: source };
      continue;
    }
    let templates: Template[];
    try {
      const compiled = compileWithFastPath(liquid, source);
      const output = compiled.fast?.(req.scope);
      if (output !== undefined) {
        outcome.fields[field] = { ok: true, output };
        continue;
      }
      templates = compiled.templates;
    } catch (err) {
      outcome.fields[field] = { ok: false, error: describe(err) };
      continue;
    }
    const state: RenderState = {
      now: req.now,
      field,
      catalogs: req.sources?.catalogs ?? null,
      contentBlocks: req.sources?.contentBlocks ?? null,
      connectedContent: req.sources?.connectedContent ?? null,
      extras,
      blockStack: [],
      calls: outcome.calls,
    };
    // `assign` writes to the context's own scope; the copy keeps `increment` from leaking too.
    const sync = !ASYNC_TAGS.test(source);
    const ctx = new Context({ ...req.scope }, liquid.options, { sync }, { liquid });
    attachState(ctx, state);
    const emitter = new LimitedEmitter();
    try {
      const rendering = liquid.renderer.renderTemplates(templates, ctx, emitter);
      if (sync) toValueSync(rendering);
      else await toPromise(rendering);
      outcome.fields[field] = { ok: true, output: emitter.buffer };
    } catch (err) {
      const cause = rootCause(err);
      if (cause instanceof AbortMessage) {
        outcome.aborted = { field, reason: cause.reason };
        break;
      }
      outcome.fields[field] = { ok: false, error: describe(err) };
    }
  }
  outcome.extras = Object.fromEntries(extras);
  return outcome;
}
