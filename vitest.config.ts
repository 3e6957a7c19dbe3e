import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';

// Three projects, one command: pure logic in plain Node, the Worker inside workerd, and end-to-end
// runs of the real `wrangler` CLI (npm start, deploy dry-run, restart persistence).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        plugins: [
          cloudflareTest(async () => ({
            wrangler: { configPath: './wrangler.toml' },
            miniflare: {
              bindings: {
                TEST_MIGRATIONS: await readD1Migrations('./migrations'),
                HERALD_OPERATOR_TOKEN: 'test-operator-token',
                HERALD_LOG_LEVEL: 'warn',
                HERALD_RETRY_BASE_SECONDS: '0',
                HERALD_WRITE_BACK_DELAY_SECONDS: '0',
                HERALD_PUBLIC_URL: 'https://herald.test',
                // Most tests read a user right after writing it; they run with inline apply.
                // The queued path (the deployed default) is tested with workspaces that set
                // track_apply: 'queued' (test/integration/ingestion-log.test.ts).
                HERALD_TRACK_APPLY: 'sync',
              },
            },
          })),
        ],
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          setupFiles: ['./test/integration/apply-migrations.ts'],
          globalSetup: ['./test/integration/http-sink.ts'],
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
