import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { connect } from 'node:net';
import { Hono } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';
import { startServer, type ServerHandle } from './server.ts';

describe('startServer', () => {
  let server: ServerHandle | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('cuts off a client with more than 32 unanswered requests instead of holding them all', async () => {
    let handled = 0;
    const app = new Hono().post('/work', async (c) => {
      handled++;
      // A handler that takes a moment, as checking a new ticket does.
      await new Promise((resolve) => setTimeout(resolve, 20));
      return c.text('done');
    });
    server = await startServer({ fetch: app.fetch, port: 0 });
    const socket = connect(server.port, '127.0.0.1');
    socket.on('error', () => {});
    const closed = new Promise<boolean>((resolve) => {
      socket.once('close', () => resolve(true));
      setTimeout(() => resolve(false), 5_000);
    });
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    socket.write('POST /work HTTP/1.1\r\nHost: x\r\n\r\n'.repeat(200));
    expect(await closed).toBe(true);
    expect(handled).toBe(32);
  });

  it('makes no request of the rest of a read once it cuts a client off', async () => {
    const app = new Hono().post('/work', async (c) => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      return c.text('done');
    });
    server = await startServer({ fetch: app.fetch, port: 0 });
    // node:http publishes every request it makes here, before any listener sees it.
    let made = 0;
    const count = () => void made++;
    subscribe('http.server.request.start', count);
    try {
      const socket = connect(server.port, '127.0.0.1');
      socket.on('error', () => {});
      const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
      await new Promise<void>((resolve) => socket.once('connect', resolve));
      // About 36 KiB of the smallest requests, in one write: one or two reads for the server.
      socket.write('POST /work HTTP/1.1\r\nHost: x\r\n\r\n'.repeat(1_000));
      await closed;
    } finally {
      unsubscribe('http.server.request.start', count);
    }
    expect(made).toBe(33);
  });

  it('answers a client that pipelines 32 requests at once, all of them', async () => {
    const app = new Hono().post('/work', async (c) => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      return c.text('done');
    });
    server = await startServer({ fetch: app.fetch, port: 0 });
    const socket = connect(server.port, '127.0.0.1');
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    socket.write('POST /work HTTP/1.1\r\nHost: x\r\n\r\n'.repeat(32));
    for (let waited = 0; received.split('HTTP/1.1 200').length - 1 < 32 && waited < 5_000; waited += 10) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    socket.destroy();
    expect(received.split('HTTP/1.1 200').length - 1).toBe(32);
  });
});
