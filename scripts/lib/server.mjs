import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Fail early when the port is taken: wrangler would otherwise fail later with a less clear
 * message, or the readiness check would find some other server and bootstrap against it.
 */
export async function assertPortFree({ host, port }) {
  const server = createServer();
  await new Promise((resolve, reject) => {
    server.once('error', (err) => {
      reject(
        err.code === 'EADDRINUSE'
          ? new Error(`Port ${port} on ${host} is already in use; set PORT to use another one`)
          : err,
      );
    });
    server.listen({ host, port, exclusive: true }, resolve);
  });
  await new Promise((resolve) => server.close(resolve));
}

async function answersOk(url) {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(5_000) });
    await res.body?.cancel();
    return res.status === 200;
  } catch {
    return false;
  }
}

/**
 * Poll until `url` answers 200. Rejects on timeout, or as soon as the server process exits,
 * since waiting out the timeout then would only delay the error.
 */
export async function waitForReady({ url, timeoutMs, exited }) {
  let serverExit = null;
  exited.then((exit) => {
    serverExit = exit;
  });
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (serverExit) {
      throw new Error(
        `wrangler dev exited (${serverExit.signal ?? `code ${serverExit.code}`}) before ${url} answered`,
      );
    }
    if (await answersOk(url)) return;
    await sleep(250);
  }
  // wrangler dev stays up after a failed build, waiting for a file to change, so a timeout
  // while it still runs usually means an error in its output above.
  throw new Error(
    `${url} did not answer 200 within ${timeoutMs / 1000} s; see wrangler's output above ` +
      '(a build error, for example)',
  );
}
