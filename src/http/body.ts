import { badRequest } from './errors';

const decoder = new TextDecoder();

/** Default cap on request bodies; `/users/track` raises it to Braze's 4 MB (contract §9.2). */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

/**
 * Read and parse a JSON body with a size cap. An empty body reads as `undefined` so routes can
 * say what they require.
 */
export async function readJsonBody(req: Request, maxBytes: number): Promise<unknown> {
  const header = req.headers.get('content-length');
  const declared = Number(header ?? '0');
  if (declared > maxBytes) throw tooLarge(maxBytes);
  let text: string;
  if (header !== null) {
    // The declared length frames the body, so it is within the cap: the runtime decodes it
    // (one call instead of a buffer and a decoder).
    text = await req.text();
    if (text.length > maxBytes) throw tooLarge(maxBytes);
  } else {
    // No declared length (a chunked upload): measure the bytes before decoding.
    const buf = await req.arrayBuffer();
    if (buf.byteLength > maxBytes) throw tooLarge(maxBytes);
    text = decoder.decode(buf);
  }
  if (text.length === 0) return undefined;
  try {
    return JSON.parse(text);
  } catch (err) {
    throw badRequest(`Invalid JSON in request body: ${(err as Error).message}`);
  }
}

function tooLarge(maxBytes: number) {
  const mb = maxBytes / (1024 * 1024);
  return badRequest(
    `Request body too large: the limit is ${mb >= 1 ? `${mb} MB` : `${maxBytes / 1024} KB`}`,
  );
}
