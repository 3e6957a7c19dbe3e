/**
 * Join an export's CSV parts (one per slice, written by separate queue invocations) into one file
 * in R2, streaming: the parts flow through a FixedLengthStream into one put, never all in memory.
 * R2 takes a single put of up to 5 GB; past COMPOSE_LIMIT_BYTES the parts stay as they are.
 */
export const COMPOSE_LIMIT_BYTES = 4.5 * 1024 ** 3;

async function listAll(bucket: R2Bucket, prefix: string): Promise<R2Object[]> {
  const out: R2Object[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await bucket.list({ prefix, ...(cursor ? { cursor } : {}) });
    out.push(...page.objects);
    if (!page.truncated) return out;
    cursor = page.cursor;
  }
}

/**
 * Write every object under `partsPrefix` (in key order; the first holds the header) as
 * `finalKey`, then delete the parts; with no parts, the file is just `header`. Safe to run again
 * after a crash: parts are deleted only once the file is whole. Answers whether the file was
 * composed (false: too large, the parts stay as the export's files).
 */
export async function composeCsv(
  bucket: R2Bucket,
  input: { partsPrefix: string; finalKey: string; header: string },
): Promise<boolean> {
  const parts = (await listAll(bucket, input.partsPrefix)).sort((a, b) => (a.key < b.key ? -1 : 1));
  if (parts.length === 0) {
    if (!(await bucket.head(input.finalKey))) {
      await bucket.put(input.finalKey, input.header, { httpMetadata: { contentType: 'text/csv' } });
    }
    return true;
  }
  const total = parts.reduce((s, p) => s + p.size, 0);
  if (total > COMPOSE_LIMIT_BYTES) return false;
  const { readable, writable } = new FixedLengthStream(total);
  const pump = (async () => {
    try {
      for (const part of parts) {
        const object = await bucket.get(part.key);
        if (!object) throw new Error(`export part ${part.key} vanished`);
        await object.body.pipeTo(writable, { preventClose: true });
      }
      await writable.close();
    } catch (err) {
      // The put reading the other end fails too, instead of waiting forever.
      await writable.abort(err).catch(() => undefined);
      throw err;
    }
  })();
  await Promise.all([
    bucket.put(input.finalKey, readable, { httpMetadata: { contentType: 'text/csv' } }),
    pump,
  ]);
  for (let i = 0; i < parts.length; i += 1000) {
    await bucket.delete(parts.slice(i, i + 1000).map((p) => p.key));
  }
  return true;
}
