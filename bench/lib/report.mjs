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

function table(headers, rows) {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) =>
    `| ${cells.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join(' | ')} |`;
  return [
    line(headers),
    `|${widths.map((w, i) => (i === 0 ? `:${'-'.repeat(w + 1)}` : `${'-'.repeat(w + 1)}:`)).join('|')}|`,
    ...rows.map(line),
  ].join('\n');
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
  ];
  const c = report.config;
  let out =
    `\nHerald bench ${report.date} (${report.machine.cpus} cores, node ${report.machine.node}, ` +
    `source ${report.source.ref ?? 'working tree'} ${report.source.commit?.slice(0, 7) ?? '?'}` +
    `${report.source.dirty ? ' +uncommitted' : ''})\n` +
    `workerd ${report.runtime.workerd} via miniflare ${report.runtime.miniflare} (${report.runtime.via}), no wrangler dev proxy\n` +
    `${c.connections} connections unless the scenario sets its own, ${c.warmupS}s warm-up + ${c.durationS}s per scenario; ` +
    `CPU as % of one core; 'new users': share of objects addressed to a user not seen before (a create)\n\n${table(head, rows)}\n`;
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
