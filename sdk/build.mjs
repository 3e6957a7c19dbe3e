#!/usr/bin/env node
/**
 * Build the Web SDK: sdk/src/web/index.ts → admin/js/herald-sdk.js (minified ESM, served by the
 * Worker's static assets at /js/herald-sdk.js) and its push service worker sdk/src/web/sw.ts →
 * admin/js/herald-sw.js (a classic script, as service workers are registered by default).
 * Prints the gzipped size; the goal is < 15 KB. `npm start` and `npm run build:sdk` run it; the
 * output is not committed.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Bundle the SDK in memory; answers the code and its gzipped size in bytes. */
export async function bundleSdk() {
  const result = await build({
    entryPoints: [`${ROOT}sdk/src/web/index.ts`],
    bundle: true,
    format: 'esm',
    minify: true,
    target: 'es2020',
    write: false,
    legalComments: 'none',
  });
  const code = result.outputFiles[0].contents;
  return { code, gzipped: gzipSync(code, { level: 9 }).length };
}

/** Bundle the push service worker in memory. */
export async function bundleServiceWorker() {
  const result = await build({
    entryPoints: [`${ROOT}sdk/src/web/sw.ts`],
    bundle: true,
    format: 'iife',
    minify: true,
    target: 'es2020',
    write: false,
    legalComments: 'none',
  });
  return result.outputFiles[0].contents;
}

export async function buildSdk() {
  const { code, gzipped } = await bundleSdk();
  mkdirSync(`${ROOT}admin/js`, { recursive: true });
  writeFileSync(`${ROOT}admin/js/herald-sdk.js`, code);
  writeFileSync(`${ROOT}admin/js/herald-sw.js`, await bundleServiceWorker());
  return { bytes: code.length, gzipped };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { bytes, gzipped } = await buildSdk();
  console.log(`admin/js/herald-sdk.js: ${bytes} bytes, ${gzipped} gzipped (goal < 15,360)`);
}
