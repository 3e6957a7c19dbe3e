// The Liquid benchmark (issue: personalization speed): Herald's Braze-dialect engine against plain
// liquidjs rendering an equivalent template, both inside workerd in the same run; plus cold parse
// time. Rounds alternate between the engines so machine noise hits both alike.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './build.mjs';
import { startHello } from './targets.mjs';

export const LIQUID_ID = 'liquid';
/** Goal: the dialect costs at most 20% of plain liquidjs' render rate. */
export const LIQUID_GOAL = { minRatio: 0.8 };

async function bundle(outDir) {
  const { build } = await import('esbuild');
  mkdirSync(outDir, { recursive: true });
  const outfile = join(outDir, 'liquid.js');
  await build({
    entryPoints: [join(REPO_ROOT, 'bench', 'liquid', 'worker.ts')],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    mainFields: ['browser', 'module', 'main'],
    target: 'es2022',
    conditions: ['workerd', 'worker', 'browser'],
    // liquidjs' Node build imports bare built-ins; nodejs_compat serves them as node:*, as wrangler
    // arranges for the real Worker.
    alias: Object.fromEntries(
      ['stream', 'path', 'fs', 'module', 'crypto'].map((m) => [m, `node:${m}`]),
    ),
    external: ['node:*'],
    logLevel: 'silent',
  });
  return outfile;
}

async function timed(url) {
  const started = performance.now();
  const res = await fetch(url);
  const body = await res.text();
  if (!res.ok) throw new Error(`${url}: ${res.status} ${body.slice(0, 300)}`);
  return performance.now() - started;
}

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/**
 * Run the suite: `rounds` alternating render batches of `batch` renders per engine, and cold
 * parses. Returns renders/s per engine (median of rounds), their ratio, and parse ms per template.
 */
export async function runLiquidSuite({
  outDir,
  runtimeLog,
  say,
  rounds = 15,
  batch = 2_000,
  parses = 200,
}) {
  const script = await bundle(join(outDir, 'liquid'));
  const target = await startHello({ script, runtimeLog });
  try {
    const outputs = await (await fetch(`${target.url}/outputs`)).json();
    const same = outputs.herald.replace(/\s+/g, ' ') === outputs.plain.replace(/\s+/g, ' ');
    if (!same)
      say('bench: liquid: note: the two engines rendered different text (see results.json)');
    // Warm-up: JIT and the compiled-template cache.
    await timed(`${target.url}/render?engine=herald&n=${batch}`);
    await timed(`${target.url}/render?engine=plain&n=${batch}`);
    const herald = [];
    const plain = [];
    for (let r = 0; r < rounds; r++) {
      herald.push(batch / ((await timed(`${target.url}/render?engine=herald&n=${batch}`)) / 1000));
      plain.push(batch / ((await timed(`${target.url}/render?engine=plain&n=${batch}`)) / 1000));
    }
    const heraldParse = [];
    const plainParse = [];
    for (let r = 0; r < 5; r++) {
      heraldParse.push((await timed(`${target.url}/parse?engine=herald&n=${parses}`)) / parses);
      plainParse.push((await timed(`${target.url}/parse?engine=plain&n=${parses}`)) / parses);
    }
    const result = {
      rounds,
      batch,
      heraldRendersPerSec: median(herald),
      plainRendersPerSec: median(plain),
      ratio: median(herald.map((h, i) => h / plain[i])),
      heraldParseMs: median(heraldParse),
      plainParseMs: median(plainParse),
      sameOutput: same,
      outputs,
    };
    say(
      `bench:   liquid: herald ${Math.round(result.heraldRendersPerSec)} renders/s, plain liquidjs ` +
        `${Math.round(result.plainRendersPerSec)} renders/s, ratio ${result.ratio.toFixed(2)}; cold parse ` +
        `${result.heraldParseMs.toFixed(3)} ms vs ${result.plainParseMs.toFixed(3)} ms`,
    );
    return result;
  } finally {
    await target.mf.dispose();
  }
}

/** The Liquid section of the printed report. */
export function formatLiquid(r) {
  const verdict = r.ratio >= LIQUID_GOAL.minRatio ? 'MET' : 'MISSED';
  return [
    '',
    'Liquid rendering (realistic email: 10 attributes, 2 loops, 3 filters, 1 Content Block), inside workerd',
    `  Herald (Braze dialect, cached compile)  ${Math.round(r.heraldRendersPerSec)} renders/s`,
    `  plain liquidjs, equivalent template     ${Math.round(r.plainRendersPerSec)} renders/s`,
    `  ratio (median of ${r.rounds} alternating rounds) ${r.ratio.toFixed(2)}  goal >= ${LIQUID_GOAL.minRatio}: ${verdict}`,
    `  cold parse: Herald ${r.heraldParseMs.toFixed(3)} ms/template, plain ${r.plainParseMs.toFixed(3)} ms/template`,
    `  same output: ${r.sameOutput ? 'yes' : 'NO'}`,
    '',
  ].join('\n');
}
