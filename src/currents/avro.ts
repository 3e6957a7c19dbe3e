import type { CatalogField, EventTypeSpec, FieldType } from './catalog';

/**
 * An Avro object container file writer (Avro 1.11 specification, "Object Container Files") for
 * Currents records: the header with `avro.schema` and `avro.codec`, blocks of records each
 * followed by the file's sync marker, and the binary encoding of the types the catalog uses
 * (zig-zag varints for int and long, little-endian IEEE floats, length-prefixed UTF-8 strings,
 * unions as a branch index then the value, arrays as counted blocks). Pure apart from
 * CompressionStream for the `deflate` codec, which both workerd and Node provide.
 */

export type Codec = 'null' | 'deflate';

/** A flat Currents record: every catalog field, null where unknown. */
export type FlatRecord = Record<string, string | number | boolean | string[] | null>;

/** Records per block: bounds the memory a reader needs per block, as Avro writers do. */
const RECORDS_PER_BLOCK = 1_000;

const MAGIC = [0x4f, 0x62, 0x6a, 0x01];
const utf8 = new TextEncoder();

function avroType(type: FieldType): unknown {
  return type === 'array<string>' ? { type: 'array', items: 'string' } : type;
}

function avroField(f: CatalogField): Record<string, unknown> {
  return f.optional
    ? { name: f.name, type: ['null', avroType(f.type)], default: null, doc: f.doc }
    : { name: f.name, type: avroType(f.type), doc: f.doc };
}

/**
 * The Avro schema of one event type, shaped as Braze's: record name = the type's last path
 * element, namespace = `dataexport.S3.inner.` + the rest.
 */
export function avroSchema(spec: EventTypeSpec): Record<string, unknown> {
  const parts = spec.type.split('.');
  return {
    type: 'record',
    name: parts.at(-1),
    namespace: `dataexport.S3.inner.${parts.slice(0, -1).join('.')}`,
    doc: spec.doc,
    owner: '@herald/currents',
    fields: spec.fields.map(avroField),
  };
}

/** A growable byte buffer with Avro's primitive encoders. */
class Writer {
  private buf = new Uint8Array(4096);
  length = 0;

  private room(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.length + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }

  bytes(b: Uint8Array): void {
    this.room(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }

  /** int and long: zig-zag, then base-128 varint. Arithmetic, not bitwise: exact to 2^52. */
  long(n: number): void {
    let z = n >= 0 ? n * 2 : -n * 2 - 1;
    this.room(10);
    while (z >= 0x80) {
      this.buf[this.length++] = (z % 0x80) | 0x80;
      z = Math.floor(z / 0x80);
    }
    this.buf[this.length++] = z;
  }

  float(n: number): void {
    this.room(4);
    new DataView(this.buf.buffer).setFloat32(this.length, n, true);
    this.length += 4;
  }

  boolean(b: boolean): void {
    this.room(1);
    this.buf[this.length++] = b ? 1 : 0;
  }

  string(s: string): void {
    const b = utf8.encode(s);
    this.long(b.length);
    this.bytes(b);
  }

  take(): Uint8Array {
    const out = this.buf.slice(0, this.length);
    this.length = 0;
    return out;
  }
}

function writeValue(w: Writer, type: FieldType, v: unknown, field: string): void {
  switch (type) {
    case 'string':
      if (typeof v !== 'string') throw new TypeError(`${field} must be a string`);
      w.string(v);
      return;
    case 'int':
    case 'long':
      if (typeof v !== 'number' || !Number.isInteger(v)) {
        throw new TypeError(`${field} must be an integer`);
      }
      w.long(v);
      return;
    case 'float':
      if (typeof v !== 'number') throw new TypeError(`${field} must be a number`);
      w.float(v);
      return;
    case 'boolean':
      if (typeof v !== 'boolean') throw new TypeError(`${field} must be a boolean`);
      w.boolean(v);
      return;
    case 'array<string>': {
      if (!Array.isArray(v)) throw new TypeError(`${field} must be an array`);
      if (v.length > 0) {
        w.long(v.length);
        for (const item of v) writeValue(w, 'string', item, field);
      }
      w.long(0);
      return;
    }
  }
}

/** Append one record's binary encoding. A required field that is null is a bug: it throws. */
function writeRecord(w: Writer, spec: EventTypeSpec, record: FlatRecord): void {
  for (const f of spec.fields) {
    const v = record[f.name] ?? null;
    if (f.optional) {
      if (v === null) {
        w.long(0);
        continue;
      }
      w.long(1);
    } else if (v === null) {
      throw new TypeError(`${spec.type}.${f.name} is required`);
    }
    writeValue(w, f.type, v, f.name);
  }
}

async function deflateRaw(data: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([data]).stream().pipeThrough(new CompressionStream('deflate-raw'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/**
 * One Avro object container file holding `records` of one event type. `sync` is the 16-byte
 * marker (random by default; tests may fix it).
 */
export async function encodeContainer(input: {
  spec: EventTypeSpec;
  records: FlatRecord[];
  codec: Codec;
  sync?: Uint8Array;
}): Promise<Uint8Array> {
  const sync = input.sync ?? crypto.getRandomValues(new Uint8Array(16));
  const out = new Writer();
  out.bytes(new Uint8Array(MAGIC));
  // File metadata: a map of bytes, one block of two entries, then the end-of-map zero.
  out.long(2);
  out.string('avro.schema');
  out.string(JSON.stringify(avroSchema(input.spec)));
  out.string('avro.codec');
  out.string(input.codec);
  out.long(0);
  out.bytes(sync);
  const block = new Writer();
  for (let i = 0; i < input.records.length; i += RECORDS_PER_BLOCK) {
    const chunk = input.records.slice(i, i + RECORDS_PER_BLOCK);
    for (const r of chunk) writeRecord(block, input.spec, r);
    let data = block.take();
    if (input.codec === 'deflate') data = await deflateRaw(data);
    out.long(chunk.length);
    out.long(data.length);
    out.bytes(data);
    out.bytes(sync);
  }
  return out.take();
}
