// Bundling: Herald exactly as `wrangler deploy` would upload it, and the hello-world ceiling.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(REPO_ROOT, 'node_modules', '.bin');

function run(cmd, args, opts) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...opts });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`${cmd} ${args.join(' ')} failed:\n${out}`)),
    );
  });
}

/**
 * Export a git ref of the repo to a temporary directory (git archive: no worktree metadata), with
 * node_modules linked in. Lets the bench build the last commit while src/ is mid-edit.
 */
export function exportRef(ref) {
  const dir = mkdtempSync(join(tmpdir(), 'herald-bench-src-'));
  const archive = spawnSync('git', ['-C', REPO_ROOT, 'archive', '--format=tar', ref], {
    maxBuffer: 1 << 30,
  });
  if (archive.status !== 0) throw new Error(`git archive ${ref}: ${archive.stderr}`);
  const untar = spawnSync('tar', ['-x', '-C', dir], { input: archive.stdout });
  if (untar.status !== 0) throw new Error(`tar: ${untar.stderr}`);
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(dir, 'node_modules'));
  return { dir, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The commit a build came from; `dirty` when the working tree's Worker sources differ from it. */
export function describeSource(dir, ref) {
  const git = (cwd, ...args) =>
    spawnSync('git', ['-C', cwd, ...args], { encoding: 'utf8' }).stdout?.trim() || null;
  if (ref) return { ref, commit: git(REPO_ROOT, 'rev-parse', ref), dirty: false };
  const status = git(
    dir,
    'status',
    '--porcelain',
    '--',
    'src',
    'workers',
    'wrangler.toml',
    'migrations',
  );
  return { ref: null, commit: git(dir, 'rev-parse', 'HEAD'), dirty: Boolean(status) };
}

/** `wrangler deploy --dry-run`: the Worker bundle as it would be uploaded. Returns main.js. */
export async function bundleHerald(fromDir, outDir) {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  await run(join(BIN, 'wrangler'), ['deploy', '--dry-run', '--outdir', outDir], {
    cwd: fromDir,
    env: {
      ...process.env,
      PATH: `${BIN}:${process.env.PATH}`,
      WRANGLER_SEND_METRICS: 'false',
      CI: '1',
      // Only silences the "missing required secret" warning; the bench binds its own token.
      HERALD_OPERATOR_TOKEN: 'bench-operator',
    },
  });
  return join(outDir, 'main.js');
}

/** The hello-world Worker, bundled with esbuild (it imports hono). */
export async function bundleHello(entry, outDir) {
  const { build } = await import('esbuild');
  mkdirSync(outDir, { recursive: true });
  const outfile = join(outDir, 'hello.js');
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    conditions: ['workerd', 'worker', 'browser'],
    minify: false,
    logLevel: 'silent',
  });
  return outfile;
}
