import { describe, expect, it } from 'vitest';
import { summarize } from './profile.ts';

// root → handler → verify, sampled every 1 ms: 2 ms in verify, 1 ms in handler, 1 ms idle.
const frame = (functionName: string) => ({ functionName, url: 'file:///app/src/x.ts', lineNumber: 0 });
const profile = {
  nodes: [
    { id: 1, callFrame: frame('(root)'), children: [2, 4] },
    { id: 2, callFrame: frame('handler'), children: [3] },
    { id: 3, callFrame: frame('verify') },
    { id: 4, callFrame: frame('(idle)') },
  ],
  startTime: 0,
  samples: [3, 3, 2, 4],
  timeDeltas: [1000, 1000, 1000, 1000],
};

describe('summarize', () => {
  it('splits busy time into self and inclusive per frame, leaving idle out', () => {
    const { busyMs, rows } = summarize(profile);
    expect(busyMs).toBe(3);
    const byName = Object.fromEntries(rows.map((r) => [r.frame.split(' ')[0], r]));
    expect(byName.verify).toMatchObject({ selfMs: 2, totalMs: 2 });
    expect(byName.handler).toMatchObject({ selfMs: 1, totalMs: 3 });
  });

  it('counts only samples inside the window', () => {
    expect(summarize(profile, 0.0025).busyMs).toBe(1);
  });
});
