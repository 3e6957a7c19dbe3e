/**
 * The ceiling for `npm run bench`: a hello-world Hono Worker answering a small JSON, run on the
 * same workerd and load generator as Herald.
 */
import { Hono } from 'hono';

const app = new Hono();

app.get('/', (c) => c.json({ message: 'hello', ok: true }));
app.post('/', (c) => c.json({ message: 'hello', ok: true }));

export default app;
