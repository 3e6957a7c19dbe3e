import { type Emitter, Liquid, toValue } from 'liquidjs';
import { CatalogItemsTag, CatalogSelectionItemsTag } from './catalog-tags';
import { ConnectedContentTag } from './connected-content-tag';
import { installFilters } from './filters';
import { LiquidTime } from './liquid-time';
import { AbortMessageTag, ContentBlockTag, MessageExtrasTag } from './tags';

/** Tags that would read files or layouts: a template can reach nothing but its own scope. */
const REMOVED_TAGS = ['include', 'render', 'layout', 'block'];

/** Wall-clock budget of one field's render (Connected Content with `:retry` included). */
export const RENDER_TIME_LIMIT_MS = 20_000;
/** Characters of strings and arrays a field's render may create (liquidjs' memory limit). */
export const RENDER_MEMORY_LIMIT = 50_000_000;
/** Largest rendered field. */
export const MAX_FIELD_OUTPUT_BYTES = 1_048_576;

function noFiles(): never {
  throw new Error('templates cannot read files');
}

/** Engines built by createEngine: their filters are Braze's (the render fast path relies on it). */
const HERALD_ENGINES = new WeakSet<Liquid>();

/** Whether `liquid` came from createEngine. */
export function isHeraldEngine(liquid: Liquid): boolean {
  return HERALD_ENGINES.has(liquid);
}

/**
 * Build the Braze-dialect engine: Braze's filters only, Braze's tags, no file access, scope
 * lookups limited to own properties (no prototypes), and DoS limits. One engine per isolate
 * serves every workspace: it holds no data, only parsed templates.
 */
export function createEngine(): Liquid {
  const liquid = new Liquid({
    strictFilters: true,
    ownPropertyOnly: true,
    jsTruthy: false,
    dynamicPartials: false,
    relativeReference: false,
    templates: {},
    fs: {
      exists: async () => false,
      existsSync: () => false,
      readFile: async () => noFiles(),
      readFileSync: () => noFiles(),
      resolve: () => noFiles(),
    },
    parseLimit: 1_000_000,
    renderLimit: RENDER_TIME_LIMIT_MS,
    memoryLimit: RENDER_MEMORY_LIMIT,
    timezoneOffset: 0,
  });
  for (const name of REMOVED_TAGS) delete liquid.tags[name];
  liquid.registerTag('abort_message', AbortMessageTag);
  liquid.registerTag('message_extras', MessageExtrasTag);
  liquid.registerTag('content_blocks', ContentBlockTag);
  liquid.registerTag('connected_content', ConnectedContentTag);
  liquid.registerTag('catalog_items', CatalogItemsTag);
  liquid.registerTag('catalog_selection_items', CatalogSelectionItemsTag);
  installFilters(liquid);
  HERALD_ENGINES.add(liquid);
  return liquid;
}

let shared: Liquid | null = null;

/** The isolate's engine. */
export function engine(): Liquid {
  shared ??= createEngine();
  return shared;
}

/** How a value prints: nil as nothing, arrays joined, hashes as JSON, times as Ruby prints them. */
export function printable(value: unknown): string {
  const v = value instanceof LiquidTime ? value.valueOf() : toValue(value);
  if (typeof v === 'string') return v;
  if (v === null || v === undefined) return '';
  if (Array.isArray(v)) return v.map(printable).join('');
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** Thrown when a field renders larger than MAX_FIELD_OUTPUT_BYTES. */
export class OutputTooLarge extends Error {}

/** UTF-8 length of a string without encoding it. */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    // A surrogate pair is 4 bytes: 2 for each half.
    n += c < 0x80 ? 1 : c < 0x800 ? 2 : c >= 0xd800 && c <= 0xdfff ? 2 : 3;
  }
  return n;
}

/** An emitter that stops a render once its output passes the size limit. */
export class LimitedEmitter implements Emitter {
  buffer = '';
  private bytes = 0;

  write(html: unknown): void {
    const piece = printable(html);
    this.bytes += utf8Length(piece);
    if (this.bytes > MAX_FIELD_OUTPUT_BYTES) {
      throw new OutputTooLarge(`output is larger than ${MAX_FIELD_OUTPUT_BYTES} bytes`);
    }
    this.buffer += piece;
  }
}
