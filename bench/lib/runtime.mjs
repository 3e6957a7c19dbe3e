// Which Miniflare/workerd to run on. Herald pins compatibility_date 2026-11-01; the top-level
// `miniflare` devDependency ships an older workerd that refuses it, so the bench prefers the
// Miniflare that wrangler itself depends on: the same workerd `wrangler dev` would run, driven
// directly. That Miniflare takes v5 options; v4-shaped options go through its converter.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT } from './build.mjs';

const rootRequire = createRequire(join(REPO_ROOT, 'package.json'));

function versionOf(require, pkg) {
  try {
    const main = require.resolve(pkg);
    let dir = dirname(main);
    for (;;) {
      try {
        const json = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
        if (json.name === pkg) return { dir, version: json.version };
      } catch {
        // keep climbing
      }
      const up = dirname(dir);
      if (up === dir) return null;
      dir = up;
    }
  } catch {
    return null;
  }
}

export async function loadRuntime() {
  const candidates = [];
  const wranglerPkg = versionOf(rootRequire, 'wrangler');
  if (wranglerPkg)
    candidates.push({
      via: `wrangler ${wranglerPkg.version}`,
      require: createRequire(join(wranglerPkg.dir, 'package.json')),
    });
  candidates.push({ via: 'top-level devDependency', require: rootRequire });
  for (const c of candidates) {
    const mf = versionOf(c.require, 'miniflare');
    if (!mf) continue;
    const wd = versionOf(createRequire(join(mf.dir, 'package.json')), 'workerd');
    const mod = await import(pathToFileURL(c.require.resolve('miniflare')).href);
    return {
      Miniflare: mod.Miniflare,
      Log: mod.Log,
      LogLevel: mod.LogLevel,
      // v5 takes its own option shape; v4 options are accepted as they are.
      convert: mod.convertV4MiniflareOptions ?? ((o) => o),
      info: { miniflare: mf.version, workerd: wd?.version ?? '?', via: c.via },
    };
  }
  throw new Error('miniflare not found');
}
