// The printed table and the goal verdicts.

const int = (n) => (n === null || n === undefined ? '-' : Math.round(n).toLocaleString('en-US'));
const pct = (n) => (n === null || n === undefined ? '-' : `${(n * 100).toFixed(1)}%`);

/** 'met' / 'MISSED' / '' (no goal) for one measured scenario. */
export function verdict(r) {
  const goal = r.scenario.goal;
  if (!goal) return '';
  const value = goal.kind === 'ceilingRatio' ? r.ceilingRatio : r.objectsPerSec;
  if (value === null || value === undefined) return 'n/a';
  return value >= goal.min ? 'met' : 'MISSED';
}

/** A Markdown table; `left[i]` left-aligns column i (default: the first column only). */
function table(headers, rows, left = headers.map((_, i) => i === 0)) {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) =>
    `| ${cells.map((c, i) => (left[i] ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join(' | ')} |`;
  return [
    line(headers),
    `|${widths.map((w, i) => (left[i] ? `:${'-'.repeat(w + 1)}` : `${'-'.repeat(w + 1)}:`)).join('|')}|`,
    ...rows.map(line),
  ].join('\n');
}

/** Date, machine, source commit and runtime: the first lines of the output. */
export function formatHeader(report) {
  return (
    `\nHerald bench ${report.date} (${report.machine.cpus} cores, node ${report.machine.node}, ` +
    `source ${report.source.ref ?? 'working tree'} ${report.source.commit?.slice(0, 7) ?? '?'}` +
    `${report.source.dirty ? ' +uncommitted' : ''})\n` +
    `workerd ${report.runtime.workerd} via miniflare ${report.runtime.miniflare} (${report.runtime.via}), no wrangler dev proxy\n`
  );
}

export function formatTable(report) {
  const rows = report.scenarios.map((s) => [
    s.title,
    s.connections,
    int(s.reqPerSec),
    int(s.objectsPerSec),
    s.latencyMs.p50,
    s.latencyMs.p99,
    pct(s.ceilingRatio),
    s.goal ? `${s.goal.label}: ${s.verdict}` : '',
    `${s.failed} (${pct(s.errorRate)})`,
    s.newUserShare === null ? '-' : pct(s.newUserShare),
    `${s.cpu.workerdPct}% / ${s.cpu.loadgenPct}%`,
    s.appendsPerRequest == null ? '-' : s.appendsPerRequest.toFixed(2),
  ]);
  const head = [
    'scenario',
    'conns',
    'req/s',
    'objects/s',
    'p50 ms',
    'p99 ms',
    'vs ceiling',
    'goal',
    'errors',
    'new users',
    'CPU workerd / loadgen',
    'log appends per request',
  ];
  const c = report.config;
  let out =
    formatHeader(report) +
    `${c.connections} connections unless the scenario sets its own, ${c.warmupS}s warm-up + ${c.durationS}s per scenario; ` +
    `CPU as % of one core; 'new users': share of objects addressed to a user not seen before (a create); ` +
    `'log appends per request': ingestion-log writes per request (without group commit, one per ` +
    `log shard the request touches: 1 for one user, up to 8)\n\n${table(head, rows)}\n`;
  const drained = report.scenarios.filter((s) => s.drain);
  if (drained.length > 0) {
    out +=
      '\nApplying what each scenario queued (answers mean "stored in the ingestion log", as in Braze); ' +
      'drain started by POST /herald/ingestion/flush after the scenario, timed until nothing waits\n\n' +
      table(
        [
          'scenario',
          'queued objects',
          'applied',
          'seconds',
          'applied objects/s',
          'CPU workerd',
          'left',
          'dead letters',
          'then quiet after',
        ],
        drained.map((s) => [
          s.title,
          int(s.drain.queued),
          int(s.drain.applied),
          s.drain.seconds.toFixed(1),
          int(s.drain.objectsPerSec),
          `${s.drain.workerdCpuPct}%`,
          s.drain.finished ? '0' : `${int(s.drain.left)} (timed out)`,
          s.drain.deadLetters,
          `${Math.round(s.drain.quietAfterS)} s`,
        ]),
      ) +
      '\n';
  }
  for (const s of report.scenarios) {
    if (s.failed === 0) continue;
    out += `\n${s.id}: ${s.failed} failed (statuses ${JSON.stringify(s.statuses)}, socket errors ${s.socketErrors}, timeouts ${s.timeouts})\n`;
    for (const [status, body] of Object.entries(s.errorSamples)) {
      out += `  sample ${status}: ${body.slice(0, 500)}\n`;
    }
    if (s.runtimeLog.length) out += `  workerd/worker log:\n    ${s.runtimeLog.join('\n    ')}\n`;
  }
  return out;
}

/** Whether the tracking hits were recorded: the campaign's stats against the hits sent. */
export function formatTrackingCheck(target, c) {
  const { sent, recorded } = c;
  return (
    `\n${target}: campaign stats after the run (data_series, settled ${c.settledSeconds} s after ` +
    `the last hit; sent includes warm-up): opens ${int(recorded.opens)} of ${int(sent.opens)} ` +
    `sent (${int(recorded.uniqueOpens)} unique), clicks ${int(recorded.clicks)} of ` +
    `${int(sent.clicks)} (${int(recorded.uniqueClicks)} unique)\n`
  );
}

const ms = (n) => (n === null || n === undefined ? '-' : `${int(n)} ms`);
const mb = (bytes) => (bytes ? `${int(bytes / 2 ** 20)} MB` : '-');
const atMost = (value, goal) =>
  value === null || value === undefined ? 'n/a' : value < goal.max ? 'met' : 'MISSED';
const atLeast = (value, goal) =>
  value === null || value === undefined ? 'n/a' : value >= goal.min ? 'met' : 'MISSED';

/** Goal verdicts of the segment suite, keyed like the table rows. */
export function segmentVerdicts(seg, goals) {
  const v = {};
  if (seg.count) {
    v.size = atMost(seg.count.size.medianMs, goals.sizeMs);
    v.enumerate = seg.count.enumerate.complete
      ? atLeast(seg.count.enumerate.usersPerSec, goals.enumerate)
      : 'n/a';
    const large = seg.count.enumerateLarge;
    if (large)
      v.enumerateLarge = large.complete ? atLeast(large.usersPerSec, goals.enumerate) : 'n/a';
  }
  if (seg.freshness) {
    v.realtime = atMost(seg.freshness.realtime.p99Ms, goals.freshnessP99Ms);
    v.index = atMost(seg.freshness.index.p99Ms, goals.freshnessP99Ms);
  }
  return v;
}

/** The second table: segment count, enumeration, memory and freshness, with goals. */
export function formatSegmentsTable(seg, goals) {
  const v = seg.verdicts ?? segmentVerdicts(seg, goals);
  const rows = [];
  const c = seg.count;
  if (c) {
    const g = c.generation;
    const rowCount = Object.values(g.rows).reduce((a, b) => a + b, 0);
    rows.push([
      `generate ${int(c.profiles)} profiles in D1 (INSERT … SELECT)`,
      `${g.seconds.toFixed(1)} s`,
      '',
      `${int(rowCount)} rows in idx_ tables, DB ${mb(g.dbBytes)}`,
    ]);
    if (c.materialise) {
      rows.push([
        'materialise it: create → membership ready (jobs queue pass)',
        `${c.materialise.seconds.toFixed(1)} s`,
        '',
        `${int(c.materialise.profiles)} profiles evaluated; reads fall back to evaluation until then`,
      ]);
    }
    rows.push([
      'segment size, 3 filters: GET …/size (min / median of 3)',
      `${ms(c.size.minMs)} / ${ms(c.size.medianMs)}`,
      `${goals.sizeMs.label}: ${v.size}`,
      `size ${int(c.size.size)}${c.size.sizesAgree ? '' : ' (sizes differ between runs!)'}`,
    ]);
    const direct = c.compiled?.count?.direct;
    if (direct) {
      rows.push([
        '  same count query straight through D1 (best of 3)',
        ms(direct.minMs),
        '',
        `count ${int(direct.first?.n)}; plan: ${(c.compiled.count.plan[0] ?? '').replace(/^\S+ /, '')}`,
      ]);
    }
    const enumRow = (label, e, verdict) => [
      label,
      `${int(e.usersPerSec)} users/s`,
      verdict === undefined ? '' : `${goals.enumerate.label}: ${verdict}`,
      `${int(e.users)} users${e.matchesSize === undefined ? '' : e.matchesSize ? ' (= size)' : ' (≠ size!)'}, ${e.pages} pages in ${e.seconds.toFixed(2)} s, page p50 ${ms(e.pageMs.p50)}${e.complete ? '' : ', capped'}${e.runsPerSec ? `; median of 3 runs: ${e.runsPerSec.map(int).join(' / ')}` : ''}`,
    ];
    rows.push(enumRow('enumerate it: preview?limit=1000 + cursors', c.enumerate, v.enumerate));
    if (c.enumerateLarge) {
      rows.push(
        enumRow('enumerate it: preview?limit=10000 + cursors', c.enumerateLarge, v.enumerateLarge),
      );
    }
    const b = c.enumerateBroad;
    rows.push(enumRow('  enumerate plan = pro only (1 filter, 25%), limit=1000', b));
    if (c.enumerateBroadLarge) {
      rows.push(enumRow('  enumerate plan = pro only, limit=10000', c.enumerateBroadLarge));
    }
    if (b.materialise) {
      rows.push([
        '  its materialisation; its size from the rows (min / median of 3)',
        `${b.materialise.seconds.toFixed(1)} s; ${ms(b.size.minMs)} / ${ms(b.size.medianMs)}`,
        '',
        `size ${int(b.size.size)}, counted from the rows`,
      ]);
    }
    const pc = c.pageCost;
    if (pc?.pageDirect) {
      rows.push([
        '  one materialised page (1,000 rows) straight through D1 (best of 5)',
        `${pc.pageDirect.minMs} ms`,
        '',
        `${pc.pageDirectJson.minMs} ms as one JSON row (what preview reads); GET /herald/segments/{id} p50 ${pc.requestFloorP50Ms} ms`,
      ]);
      rows.push([
        '  first page again, 30 times each: preview?limit=1 / limit=1000 (p50)',
        `${pc.previewOneP50Ms} ms / ${pc.previewFullP50Ms} ms`,
        '',
        'the difference is what 1,000 members cost in one page; the rest is per request',
      ]);
    }
    rows.push([
      'workerd peak memory (VmHWM) during the queries',
      c.memoryMB.queryPeak === null ? '-' : `${int(c.memoryMB.queryPeak)} MB`,
      '',
      `peak while generating: ${int(c.memoryMB.generationPeak)} MB`,
    ]);
  }
  const f = seg.freshness;
  if (f) {
    const detail = (s) =>
      `${s.samples} samples, min ${ms(s.minMs)}, max ${ms(s.maxMs)}, ${s.timedOut} timed out (${f.capMs / 1000} s cap), ${s.meanPolls} polls each`;
    rows.push([
      'freshness, real time: GET /herald/users/segments',
      `p50 ${ms(f.realtime.p50Ms)} / p99 ${ms(f.realtime.p99Ms)}`,
      `${goals.freshnessP99Ms.label}: ${v.realtime}`,
      detail(f.realtime),
    ]);
    rows.push([
      'freshness, workspace index: GET …/size = 1',
      `p50 ${ms(f.index.p50Ms)} / p99 ${ms(f.index.p99Ms)}`,
      `${goals.freshnessP99Ms.label}: ${v.index}`,
      detail(f.index),
    ]);
  }
  let out = `\nSegments${c ? ` (${int(c.profiles)} synthetic profiles; freshness on a fresh, near-empty index)` : ''}; time from a /users/track response to visibility, polled every ${f?.intervalMs ?? 10} ms\n\n`;
  out += rows.length
    ? `${table(['measurement', 'value', 'goal', 'detail'], rows, [true, false, false, true])}\n`
    : '(no segment measurement completed)\n';
  if (c?.compiled?.count?.plan) {
    out += `\nEXPLAIN QUERY PLAN of the count query:\n  ${c.compiled.count.plan.join('\n  ')}\n`;
  }
  const breakdown = c?.compiled?.breakdown;
  if (breakdown) {
    out += '\nWhere the count time goes (each run once straight through D1, same data):\n';
    const width = Math.max(...Object.keys(breakdown).map((k) => k.length));
    for (const [name, r] of Object.entries(breakdown)) {
      out += `  ${name.padEnd(width)}  ${ms(r.minMs).padStart(8)}  (count ${int(r.first?.n)})\n`;
    }
  }
  if (c?.compiled?.error) out += `\ncompiled-query diagnostics failed: ${c.compiled.error}\n`;
  for (const err of seg.errors ?? []) {
    out += `\n${err.scenario} FAILED: ${err.message}\n`;
    if (err.detail) out += `  status ${err.detail.status}: ${err.detail.body.slice(0, 1000)}\n`;
    if (err.runtimeLog.length)
      out += `  workerd/worker log:\n    ${err.runtimeLog.join('\n    ')}\n`;
  }
  return out;
}

/** The delivery table: Herald's broadcast end to end next to the raw queue ceiling. */
export function formatDeliveryTable(d, goal) {
  const rows = [];
  const q = d.queue;
  if (q) {
    rows.push([
      `raw queue ceiling: ${int(q.messages)} messages, consumer batches of ${q.consumer.maxBatchSize}`,
      `${int(q.messagesPerSec)} msgs/s`,
      '',
      `${q.seconds} s end to end (enqueue ${q.enqueueSeconds} s); CPU workerd ${q.cpu.workerdPct}%; load avg ${q.loadAvg}`,
    ]);
    rows.push([
      `  as recipients (${d.recipientsPerMessage} per deliver message)`,
      `${int(q.recipientsPerSec)}/s`,
      '',
      '',
    ]);
    const p = q.pipeline;
    if (p) {
      rows.push([
        `bare pipeline: ${int(p.messages)} messages, 1 webhook per recipient, no profiles`,
        `${int(p.recipientsPerSec)} webhooks/s`,
        '',
        `${p.seconds} s; CPU workerd ${p.cpu.workerdPct}% / bench process (sink) ${p.cpu.loadgenPct}%`,
      ]);
    }
  }
  const h = d.herald;
  if (h?.seed) {
    rows.push([
      `create ${int(h.seed.users)} users: /users/track, 75 per request, ${h.seed.connections} conns`,
      `${int(h.seed.usersPerSec)} users/s`,
      '',
      `${h.seed.seconds} s to accept${h.seed.retries ? ` (${h.seed.retries} requests retried after 429/503)` : ''}; ingestion log applied ${h.index.appliedAfterSeconds} s and segment index complete ${h.index.seconds} s later`,
    ]);
  }
  const s = h?.send;
  if (s) {
    const verdict = s.deliveredPerSec >= goal.min && s.complete ? 'MET' : 'MISSED';
    rows.push([
      `Herald: segment broadcast, webhook to a local sink, ${int(s.users)} users`,
      `${int(s.deliveredPerSec)} delivered/s`,
      `${goal.label}: ${verdict}`,
      `${int(s.delivered)} in ${s.seconds} s; API answered in ${ms(s.apiMs)}; first webhook ${ms(s.firstMs)}`,
    ]);
    rows.push([
      '  ratio to the raw queue (recipients/s)',
      d.ratio === undefined ? '-' : `${(d.ratio * 100).toFixed(d.ratio < 0.01 ? 2 : 1)}%`,
      '',
      d.pipelineRatio === undefined ? '' : `${pct(d.pipelineRatio)} of the bare pipeline`,
    ]);
    rows.push([
      '  webhook arrival - trigger',
      `p50 ${ms(s.p50Ms)} / p99 ${ms(s.p99Ms)}`,
      '',
      `CPU workerd ${s.cpu.workerdPct}% / bench process (sink) ${s.cpu.loadgenPct}%; load avg ${s.loadAvg}`,
    ]);
    rows.push([
      '  exactly once',
      `${int(s.duplicates)} duplicates, ${int(s.misses)} misses`,
      '',
      `${s.atLastWebhook ? `at the last webhook ${int(s.atLastWebhook.duplicates)} duplicates, ${int(s.atLastWebhook.misses)} misses; ` : ''}${int(s.webhooks)} webhooks; dispatch ${s.dispatch.status}, ${int(s.dispatch.enqueuedRecipients)} enqueued; ${s.deadLetters} dead letters; ${s.warnings} warning lines`,
    ]);
    const w = s.writeBack;
    if (w) {
      rows.push([
        '  deferred write-back (profiles record their sends)',
        `${int(w.recorded)} of ${int(w.settled)} recorded`,
        '',
        `${w.complete ? 'finished' : 'NOT finished'} ${w.seconds} s after the trigger, ` +
          `${w.afterLastSeconds} s after the last webhook; CPU workerd ${w.cpu.workerdPct}% over the whole send + write-back`,
      ]);
    } else {
      rows.push([
        '  ledger',
        'per-profile',
        '',
        'each send recorded in its profile before the next',
      ]);
    }
    if (s.tail) {
      rows.push([
        '  workerd busy after the last webhook',
        `${s.tail.seconds} s`,
        '',
        `${s.tail.cpuSeconds} CPU-s of work still queued after the write-back, e.g. change records into the index (not in the rate above)`,
      ]);
    }
    if (s.stateBytesPerUser) {
      rows.push([
        '  workerd state (DO SQLite files, D1, queues)',
        `${int(s.stateBytesPerUser / 1024)} KB/user`,
        '',
        `x 100,000 users = ${((s.stateBytesPerUser * 1e5) / 2 ** 30).toFixed(1)} GB`,
      ]);
    }
  }
  for (const v of d.diagnostics ?? []) {
    const x = v.send;
    rows.push([
      `  diagnostic [${v.variant}]`,
      `${int(x.deliveredPerSec)} delivered/s`,
      '',
      `${int(x.delivered)} in ${x.seconds} s; ${x.duplicates} duplicates, ${x.misses} misses; CPU workerd ${x.cpu.workerdPct}%; load avg ${x.loadAvg}`,
    ]);
  }
  let out =
    `\nDelivery: ${int(d.users)} users` +
    `${d.users < 100_000 ? ' (the issue asks for 100,000: fewer by default, see --delivery-users)' : ''}; ` +
    'trigger = POST /messages/send, end = last webhook at the sink; CPU as % of one core\n\n';
  out += rows.length
    ? `${table(['measurement', 'value', 'goal', 'detail'], rows, [true, false, false, true])}\n`
    : '(no delivery measurement completed)\n';
  if (s?.sampleBody) out += `\nfirst webhook body received: ${s.sampleBody}\n`;
  if (s?.incompleteReason) out += `\nincomplete: ${s.incompleteReason}\n`;
  for (const err of d.errors ?? []) {
    out += `\n${err.scenario} FAILED: ${err.message}\n`;
    if (err.detail) out += `  status ${err.detail.status}: ${err.detail.body.slice(0, 1000)}\n`;
    if (err.runtimeLog.length)
      out += `  workerd/worker log:\n    ${err.runtimeLog.join('\n    ')}\n`;
  }
  return out;
}
