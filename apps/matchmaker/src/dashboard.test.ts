import { describe, expect, it } from 'vitest';
import { createHarness } from '../test/support.ts';
import { matchmakerView } from './dashboard.ts';

describe('matchmakerView', () => {
  it('shows per pool who is searching, waits, matches per minute and time to match, and the warm-up', async () => {
    const h = createHarness();
    const startedAt = h.now();
    const view = matchmakerView(h.matchmaker, h.now, startedAt, 2_000);
    const first = view();
    expect(first.cards.find((c) => c.key === 'players')?.value).toBe(0);
    expect(first.tables[0]!.rows.map((row) => row[0])).toEqual(['duel/eu', 'squad/eu']);
    expect(first.warmup).toMatchObject({ warmingUp: true, back: 0 });

    // Two far apart (no match), then a partner for one of them after the warm-up.
    const a = h.ticket('a', { rating: 1000 });
    const b = h.ticket('b', { rating: 2000 });
    // Resubmitting every second, as clients do (a silent matchmaker would start its warm-up over).
    for (let s = 0; s < 20; s++) {
      expect((await h.submit(a)).status).toBe(200);
      expect((await h.submit(b)).status).toBe(200);
      h.matchmaker.tick();
      h.advance(1_000);
    }
    const waiting = view();
    expect(waiting.cards.find((c) => c.key === 'players')?.value).toBe(2);
    expect(waiting.histograms[0]!.series).toEqual([{ name: 'duel/eu', counts: [0, 0, 2, 0, 0, 0, 0] }]);
    expect(waiting.tables[0]!.rows[0]).toEqual(['duel/eu', 2, 20, 0, null, null, 0]);

    await h.submit(h.ticket('c', { rating: 1010 }));
    h.matchmaker.tick();
    await h.matchmaker.formingIdle();
    h.advance(10_000);
    const matched = view();
    expect(matched.cards.find((c) => c.key === 'players')?.value).toBe(1);
    expect(matched.cards.find((c) => c.key === 'matches')?.value).toBe(1);
    const [pool, searching, , lastMinute, p50, p95, formed] = matched.tables[0]!.rows[0]!;
    expect([pool, searching, formed]).toEqual(['duel/eu', 1, 1]);
    expect(lastMinute).toBe(1);
    expect(matched.cards.find((c) => c.key === 'rate')?.value).toBe(1);
    // a waited 20 s, c none: the median is the lower middle one.
    expect([p50, p95]).toEqual([0, 20]);
    expect(matched.cards.find((c) => c.key === 'warmup')?.value).toBe('matching');
    expect(matched.cards.find((c) => c.key === 'revocations')?.value).toBe('off');
  });
});
