import { applyD1Migrations, env } from 'cloudflare:test';

// D1 starts empty in every test run: apply the real migrations, as `npm start` does locally.
await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
