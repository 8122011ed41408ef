import { Hono } from 'hono';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startServer, type ServerHandle } from './server.ts';

describe('startServer with a preroute', () => {
  let server: ServerHandle | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
    vi.restoreAllMocks();
  });

  it('lets the preroute answer, falls through to the app otherwise, and turns a throw into a 500 problem', async () => {
    const app = new Hono().get('/app', (c) => c.text('from the app'));
    server = await startServer({
      fetch: app.fetch,
      port: 0,
      preroute: (request, response) => {
        if (request.url === '/boom') throw new Error('preroute bug');
        if (request.url !== '/fast') return false;
        response.writeHead(200, ['content-type', 'text/plain']).end('from the preroute');
        return true;
      },
    });
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    expect(await (await fetch(`${server.url}/fast`)).text()).toBe('from the preroute');
    expect(await (await fetch(`${server.url}/app`)).text()).toBe('from the app');
    const boom = await fetch(`${server.url}/boom`);
    expect(boom.status).toBe(500);
    expect(boom.headers.get('content-type')).toBe('application/problem+json');
    expect(await boom.json()).toMatchObject({ status: 500, code: 'internal' });
    expect(logged).toHaveBeenCalledOnce();
    // Still serving after the throw.
    expect((await fetch(`${server.url}/app`)).status).toBe(200);
  });
});
