import { describe, expect, it } from 'vitest';
import { MatchFollower } from './follow.ts';
import type { MatchView, QueueStatus } from './types.ts';

const match = { id: 'm-1', pool: { mode: 'duel', region: 'eu' }, teams: [[{ sub: 'a', rating: 1 }], [{ sub: 'b', rating: 2 }]], token: 'v4.public.x' };
const acceptBy = '2026-01-01T00:00:10.000Z';
const proposed = (accepted: boolean): MatchView => ({ status: 'proposed', match, acceptBy, accepted });
const allocating: MatchView = { status: 'ready', match, allocating: true };

function follower() {
  const reported: QueueStatus[] = [];
  return { reported, follower: new MatchFollower(match, (s) => reported.push(s)) };
}

describe('MatchFollower', () => {
  it('reports each phase once, whatever repeats it', () => {
    const { reported, follower: f } = follower();
    for (const view of [proposed(false), proposed(false), proposed(true), proposed(true), allocating, allocating]) expect(f.apply(view)).toEqual({ kind: 'following' });
    expect(reported.map((s) => s.status)).toEqual(['proposed', 'accepted', 'allocating']);
  });

  it('never moves back for a view that lags behind another', () => {
    const { reported, follower: f } = follower();
    f.apply(proposed(false));
    f.apply(allocating);
    expect(f.isProposed).toBe(false);
    expect(f.apply(proposed(false))).toEqual({ kind: 'following' });
    expect(f.isProposed).toBe(false);
    expect(reported.map((s) => s.status)).toEqual(['proposed', 'accepted', 'allocating']);
  });

  it('settles with the assignment, and presents what it holds', () => {
    const { reported, follower: f } = follower();
    f.apply(proposed(false));
    f.accept();
    expect(f.holding).toEqual({ accepted: true });
    const assignment = { token: 'v4.public.a', connect: '10.0.0.1:7000' };
    expect(f.apply({ status: 'assigned', match, assignment })).toEqual({ kind: 'settled', match: { ...match, assignment } });
    expect(f.holding).toEqual({ accepted: true, assignment: 'v4.public.a' });
    expect(reported.at(-1)).toEqual({ status: 'assigned', match: { ...match, assignment }, assignment });
  });

  it('ends the search on a cancel: requeued goes on, otherwise match-cancelled, or declined when this player declined', () => {
    expect(follower().follower.apply({ status: 'cancelled', match, reason: 'accept_timeout', requeued: true })).toEqual({ kind: 'requeued' });
    expect(() => follower().follower.apply({ status: 'cancelled', match, reason: 'accept_timeout', requeued: false })).toThrow(
      expect.objectContaining({ code: 'match-cancelled', reason: 'accept_timeout' }),
    );
    const { reported, follower: f } = follower();
    f.declined = true;
    expect(() => f.apply({ status: 'cancelled', match, reason: 'declined', requeued: false })).toThrow(expect.objectContaining({ code: 'declined' }));
    expect(reported).toEqual([{ status: 'cancelled', match, reason: 'declined', requeued: false }]);
  });
});
