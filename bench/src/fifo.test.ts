import { describe, expect, it } from 'vitest';
import { matchFifo } from './fifo.ts';

const duel = { teams: 2, teamSize: 1, defaultRating: 1500, ratingWindow: { initial: 50, widenPerSecond: 10, max: 600 } };
const clock = { tickMs: 1_000, warmupMs: 1_500, durationMs: 10_000 };

describe('matchFifo', () => {
  it('pairs players in arrival order per pool, whatever their ratings, after warm-up', () => {
    const crowd = [
      { rating: 1000, mode: 'duel', region: 'eu', arrivesAtMs: 0 },
      { rating: 2000, mode: 'duel', region: 'eu', arrivesAtMs: 100 },
      { rating: 1010, mode: 'duel', region: 'eu', arrivesAtMs: 200 },
      { rating: 1500, mode: 'duel', region: 'na', arrivesAtMs: 0 },
      { rating: 1990, mode: 'duel', region: 'eu', arrivesAtMs: 2_500 },
    ];
    const outcome = matchFifo(crowd, { duel }, clock);
    // Tick at 2 s pairs the first two eu players; tick at 3 s pairs the third with the late one.
    expect(outcome.spreads).toEqual([1000, 980]);
    expect(outcome.timesToMatch).toEqual([2_000, 1_900, 2_800, 500]);
    expect(outcome.unmatched).toBe(1);
  });

  it('waits for a full lobby and matches no one before warm-up ends', () => {
    const squad = { ...duel, teamSize: 4 };
    const crowd = Array.from({ length: 7 }, (_, i) => ({ rating: 1500 + i, mode: 'squad', region: 'eu', arrivesAtMs: 0 }));
    expect(matchFifo(crowd, { squad }, { ...clock, durationMs: 1_000 })).toEqual({ spreads: [], timesToMatch: [], unmatched: 7 });
    expect(matchFifo(crowd, { squad }, clock).unmatched).toBe(7);
  });
});
