// The delivery benchmark's local webhook sink: a Node HTTP server in the bench process that
// answers 200 at once and counts what arrives. `POST /count` takes the raw queue Worker's
// per-batch reports; `POST /hook` takes Herald's webhooks, one per recipient, whose JSON body
// names the user, so exactly-once can be checked per user.
import { createServer } from 'node:http';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export class Sink {
  constructor() {
    this.reset();
    this.server = createServer((req, res) => {
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        this.record(req.url, Buffer.concat(chunks).toString('utf8'));
        res.writeHead(200, { 'content-length': '0' });
        res.end();
      });
    });
    // workerd keeps its outbound connections open between webhooks.
    this.server.keepAliveTimeout = 120_000;
  }

  /** Forget everything received so far (between the warm-up and the measured run). */
  reset() {
    this.counted = { messages: 0, recipients: 0 };
    this.perUser = new Map();
    this.arrivals = [];
    this.requests = 0;
    this.malformed = 0;
    this.firstAt = null;
    this.lastAt = null;
    this.lastNewAt = null;
    this.sample = null;
  }

  record(url, body) {
    const at = performance.now();
    this.requests++;
    this.firstAt ??= at;
    this.lastAt = at;
    if (url.startsWith('/count')) {
      const { messages, recipients } = JSON.parse(body);
      this.counted.messages += messages;
      this.counted.recipients += recipients;
      this.lastNewAt = at;
      return;
    }
    if (!url.startsWith('/hook')) return;
    let user;
    try {
      user = JSON.parse(body).user;
    } catch {
      this.malformed++;
      this.sample ??= body.slice(0, 500);
      return;
    }
    this.sample ??= body;
    this.arrivals.push(at);
    const n = (this.perUser.get(user) ?? 0) + 1;
    this.perUser.set(user, n);
    if (n === 1) this.lastNewAt = at;
  }

  async listen() {
    await new Promise((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${this.server.address().port}`;
    return this.url;
  }

  async close() {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  /**
   * Resolves when `done()` holds ({ complete: true }), or when nothing new arrived for `idleMs`
   * ({ complete: false, reason }), or after `capMs` in all.
   */
  async waitFor(done, { since, idleMs, capMs, intervalMs = 20 }) {
    for (;;) {
      if (done()) return { complete: true };
      const now = performance.now();
      if (now - since > capMs) return { complete: false, reason: `cap of ${capMs / 1000} s` };
      if (now - (this.lastNewAt ?? since) > idleMs) {
        return { complete: false, reason: `nothing new for ${idleMs / 1000} s` };
      }
      await sleep(intervalMs);
    }
  }
}
