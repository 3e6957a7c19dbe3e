import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runWrangler } from './helpers';

// What `wrangler deploy` would check before uploading, without an account or the network.

let outdir: string;

beforeAll(async () => {
  outdir = await mkdtemp(join(tmpdir(), 'herald-dry-run-'));
});

afterAll(async () => {
  await rm(outdir, { recursive: true, force: true });
});

describe('deploying', () => {
  it('bundles the Worker with wrangler deploy --dry-run', async () => {
    const run = await runWrangler(['deploy', '--dry-run', '--outdir', outdir]);
    expect(run.code, run.output).toBe(0);
    expect(await readdir(outdir)).toContain('main.js');
  });

  it('has a checked-in worker-configuration.d.ts that matches wrangler.toml', async () => {
    const run = await runWrangler([
      'types',
      '--check',
      '--env-interface',
      'Env',
      'worker-configuration.d.ts',
    ]);
    expect(run.code, run.output).toBe(0);
  });
});
