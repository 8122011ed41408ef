import { describe, expect, it } from 'vitest';
import { matchFifo, type Arrival } from './fifo.ts';

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
    expect(matchFifo(crowd, { squad }, { ...clock, durationMs: 1_000 })).toEqual({ spreads: [], timesToMatch: [], unmatched: 7, lobbies: [], unmatchedByMode: { squad: 7 } });
    expect(matchFifo(crowd, { squad }, clock).unmatched).toBe(7);
  });

  it('keeps a latency mode in one pool across home regions and places each lobby in its best region, whatever the latency', () => {
    const ranked = { ...duel, latency: { maxMs: 60, widenToMs: 150, widenAfterMs: 30_000 } };
    const crowd: Arrival[] = [
      { rating: 1500, mode: 'ranked', region: 'eu', arrivesAtMs: 0, latencies: { eu: 20, na: 110, asia: 180 } },
      { rating: 1600, mode: 'ranked', region: 'asia', arrivesAtMs: 100, latencies: { eu: 170, na: 160, asia: 15 } },
      { rating: 1400, mode: 'duel', region: 'eu', arrivesAtMs: 0, latencies: { eu: 30, na: 120 } },
      { rating: 1450, mode: 'duel', region: 'na', arrivesAtMs: 0, latencies: { eu: 100, na: 12 } },
    ];
    const outcome = matchFifo(crowd, { duel, ranked }, clock);
    // eu 180 at worst, na 160, asia 180: na, where neither lives.
    expect(outcome.lobbies).toEqual([{ mode: 'ranked', region: 'na', spread: 100, worstLatencyMs: 160, timesToMatch: [2_000, 1_900] }]);
    // Without the rule, eu and na are separate pools: the two duel players never meet.
    expect(outcome.unmatchedByMode).toEqual({ duel: 2 });
  });

  it('reports the pool region\'s worst latency without a latency rule, and none when a member did not measure it', () => {
    const crowd: Arrival[] = [
      { rating: 1500, mode: 'duel', region: 'eu', arrivesAtMs: 0, latencies: { eu: 20 } },
      { rating: 1500, mode: 'duel', region: 'eu', arrivesAtMs: 0, latencies: { eu: 35 } },
      { rating: 1500, mode: 'duel', region: 'na', arrivesAtMs: 0, latencies: { na: 20 } },
      { rating: 1500, mode: 'duel', region: 'na', arrivesAtMs: 0 },
    ];
    const lobbies = matchFifo(crowd, { duel }, clock).lobbies;
    expect(lobbies.map((l) => [l.region, l.worstLatencyMs])).toEqual([
      ['eu', 35],
      ['na', undefined],
    ]);
  });
});
