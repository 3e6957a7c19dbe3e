import type { Liquid, Template } from 'liquidjs';
import { compileFast, type FastTemplate } from './fast-render';
import { preprocess } from './preprocess';

/**
 * Parsed templates, per isolate, keyed by source text. Parsing depends only on the text, so one
 * entry serves every workspace and recipient that sends the same template; a send to a million
 * users parses once per isolate. Least-recently-used entries go first.
 */
const MAX_ENTRIES = 2_000;
const MAX_SOURCE_CHARS = 20_000_000;

/** A parse, and its fast path (fast-render.ts): decided on first use, null when it has none. */
export interface Compiled {
  templates: Template[];
  fast?: FastTemplate | null;
}

interface Lru {
  entries: Map<string, Compiled>;
  chars: number;
}

// Parses are bound to the engine that made them (its tags and filters).
const caches = new WeakMap<Liquid, Lru>();

/** Parse a Braze-dialect template, or return the cached parse. Parse errors throw. */
export function compile(liquid: Liquid, source: string): Template[] {
  return compiled(liquid, source).templates;
}

/** The cached parse with its fast path, which is compiled once per parse. Parse errors throw. */
export function compileWithFastPath(liquid: Liquid, source: string): Required<Compiled> {
  const entry = compiled(liquid, source);
  if (entry.fast === undefined) entry.fast = compileFast(liquid, entry.templates);
  return entry as Required<Compiled>;
}

function compiled(liquid: Liquid, source: string): Compiled {
  let lru = caches.get(liquid);
  if (!lru) {
    lru = { entries: new Map(), chars: 0 };
    caches.set(liquid, lru);
  }
  const cache = lru.entries;
  const hit = cache.get(source);
  if (hit) {
    cache.delete(source);
    cache.set(source, hit);
    return hit;
  }
  const entry: Compiled = { templates: liquid.parse(preprocess(source)) };
  cache.set(source, entry);
  lru.chars += source.length;
  while (cache.size > MAX_ENTRIES || lru.chars > MAX_SOURCE_CHARS) {
    const oldest = cache.keys().next().value as string;
    cache.delete(oldest);
    lru.chars -= oldest.length;
  }
  return entry;
}

/** Forget an engine's parses (benchmarks measure cold parses with it). */
export function clearCompileCache(liquid: Liquid): void {
  caches.delete(liquid);
}
