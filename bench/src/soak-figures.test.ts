import { describe, expect, it } from 'vitest';
import { growth, perMinute, promValue, statusBytes, windowMean, type SoakSample } from './soak-figures.ts';

const MiB = 1024 * 1024;

/** A sample every 10 s whose matchmaker RSS is `rss(atS)` MiB. */
function samples(durationS: number, rss: (atS: number) => number): SoakSample[] {
  return Array.from({ length: durationS / 10 + 1 }, (_, i) => {
    const atS = i * 10;
    const memory = { rssBytes: rss(atS) * MiB, rssAnonBytes: rss(atS) * MiB, heapUsedBytes: 10 * MiB, heapTotalBytes: 20 * MiB, externalBytes: MiB };
    return { atS, matchmaker: memory, issuer: memory, queued: 100, matches: atS * 2, tickets: atS };
  });
}

describe('statusBytes', () => {
  it('reads a kB field of /proc/<pid>/status', () => {
    const status = 'Name:\tnode\nVmHWM:\t  200000 kB\nVmRSS:\t  123456 kB\nRssAnon:\t   98765 kB\nThreads:\t11\n';
    expect(statusBytes(status, 'VmRSS')).toBe(123_456 * 1024);
    expect(statusBytes(status, 'RssAnon')).toBe(98_765 * 1024);
    expect(statusBytes('Name:\tnode\n', 'VmRSS')).toBeUndefined();
  });
});

describe('promValue', () => {
  const text = [
    '# HELP nodejs_heap_size_used_bytes Process heap size used from Node.js in bytes.',
    '# TYPE nodejs_heap_size_used_bytes gauge',
    'nodejs_heap_size_used_bytes 31457280',
    'nodejs_heap_size_used_bytes_extra 1',
    'ticketbooth_issuer_nodejs_heap_size_used_bytes 2048',
    'ticketbooth_matchmaker_pool_players{pool="duel/eu"} 3',
    'ticketbooth_matchmaker_pool_players{pool="duel/na"} 4',
  ].join('\n');

  it('finds an unlabelled sample by its exact name, not a longer or prefixed one', () => {
    expect(promValue(text, 'nodejs_heap_size_used_bytes')).toBe(31_457_280);
    expect(promValue(text, 'ticketbooth_issuer_nodejs_heap_size_used_bytes')).toBe(2048);
  });

  it('sums a labelled metric over its series, and is undefined when absent', () => {
    expect(promValue(text, 'ticketbooth_matchmaker_pool_players')).toBe(7);
    expect(promValue(text, 'nodejs_external_memory_bytes')).toBeUndefined();
  });
});

describe('growth', () => {
  it('compares the fifth minute with the last five', () => {
    // Rises 1 MiB a minute for ever: minute 5 (250-300 s) means 104.583, the last five of 15 minutes 112.583.
    const figure = growth(samples(900, (t) => 100 + t / 60), 900, (s) => s.matchmaker.rssBytes / MiB)!;
    expect(figure.fifthMinute).toBeCloseTo(100 + 275 / 60, 6);
    expect(figure.lastFive).toBeCloseTo(100 + 755 / 60, 6);
    expect(figure.ratio).toBeCloseTo((100 + 755 / 60) / (100 + 275 / 60), 6);
  });

  it('is 1 for memory that levelled off before the fifth minute', () => {
    const figure = growth(samples(900, (t) => Math.min(120, 80 + t / 6)), 900, (s) => s.matchmaker.rssBytes / MiB)!;
    expect(figure.ratio).toBe(1);
  });

  it('is undefined for a run with no minute after the fifth', () => {
    expect(growth(samples(300, () => 100), 300, (s) => s.matchmaker.rssBytes)).toBeUndefined();
  });
});

describe('windowMean and perMinute', () => {
  it('take samples in (from, to]', () => {
    const list = samples(120, (t) => t);
    expect(windowMean(list, 0, 60, (s) => s.matchmaker.rssBytes / MiB)).toBe(35);
    expect(windowMean(list, 200, 260, (s) => s.atS)).toBeUndefined();
  });

  it('gives one row per minute, with the matches formed in that minute', () => {
    const rows = perMinute(samples(120, (t) => t));
    expect(rows.map((r) => r.minute)).toEqual([1, 2]);
    expect(rows[1]!.matchmakerRss / MiB).toBe(95);
    expect(rows.map((r) => r.matches)).toEqual([120, 120]);
  });
});
