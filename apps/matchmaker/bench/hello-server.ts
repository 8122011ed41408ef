// The baselines: a bare Hono hello-world on @hono/node-server (same server settings as ours),
// plus the same hello answered to the exact request a resubmission sends (POST, bearer ticket).
import { Hono } from 'hono';
import { startServer } from '@ticketbooth/http';

const app = new Hono();
app.get('/', (c) => c.text('Hello Hono!'));
app.post('/v1/queue', (c) => c.text(c.req.header('authorization') ? 'Hello Hono!' : 'no ticket'));
const server = await startServer({ fetch: app.fetch, port: 0 });
console.log(`listening ${server.port}`);
process.once('SIGTERM', () => process.exit(0));
