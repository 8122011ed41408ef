import { Writable } from 'node:stream';
import { createLogger } from '@ticketbooth/http';
import { describe, expect, it } from 'vitest';
import { createHarness } from '../test/support.ts';

function capturedLogger() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { lines, logger: createLogger('ticketbooth-matchmaker', { level: 'info', destination }) };
}

describe('matchmaker request logs', () => {
  it('logs no line per resubmission, presentation, probe or scrape, but every other request, and times them all', async () => {
    const { lines, logger } = capturedLogger();
    const h = createHarness({}, undefined, { logger });
    const alice = h.ticket('alice');
    for (let i = 0; i < 20; i++) expect((await h.submit(alice)).status).toBe(200);
    expect((await h.submit('v4.public.nope')).status).toBe(401);
    // Probes and scrapes neither.
    for (const path of ['/healthz', '/readyz', '/metrics']) expect((await h.app.request(path)).status).toBe(200);
    expect(lines).toEqual([]);
    await h.app.request('/v1/pools');
    expect(lines).toEqual([expect.objectContaining({ service: 'ticketbooth-matchmaker', method: 'GET', path: '/v1/pools', status: 200, reqId: expect.any(String) })]);
    const metrics = await (await h.app.request('/metrics')).text();
    expect(metrics).toMatch(/^ticketbooth_matchmaker_http_request_duration_seconds_count\{method="POST",route="\/v1\/queue",status="200"\} 20$/m);
    expect(metrics).toMatch(/^ticketbooth_matchmaker_http_request_duration_seconds_count\{method="POST",route="\/v1\/queue",status="401"\} 1$/m);
  });
});
