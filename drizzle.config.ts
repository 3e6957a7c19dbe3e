import { defineConfig } from 'drizzle-kit';

// drizzle-kit writes SQL migrations that `wrangler d1 migrations apply` runs, in name order.
export default defineConfig({
  dialect: 'sqlite',
  schema: './src/db/schema.ts',
  out: './migrations',
});
