import { describe, expect, it } from 'vitest';
import { choiceFor, playerChoices } from './choices.ts';

describe('choiceFor', () => {
  it('accepts at the rate asked, and splits the rest between declining and ignoring; the same for the same seed', () => {
    const choices = Array.from({ length: 10_000 }, (_, i) => choiceFor(7, i, i % 3, 0.9));
    const share = (c: string) => choices.filter((x) => x === c).length / choices.length;
    expect(share('accept')).toBeCloseTo(0.9, 1);
    expect(share('decline')).toBeCloseTo(0.05, 1);
    expect(share('ignore')).toBeCloseTo(0.05, 1);
    expect(Array.from({ length: 10_000 }, (_, i) => choiceFor(7, i, i % 3, 0.9))).toEqual(choices);
    expect(Array.from({ length: 100 }, (_, i) => choiceFor(8, i, 0, 0.5))).not.toEqual(Array.from({ length: 100 }, (_, i) => choiceFor(7, i, 0, 0.5)));
    expect(new Set(Array.from({ length: 100 }, (_, i) => choiceFor(1, i, 0, 1)))).toEqual(new Set(['accept']));
  });
});

describe('playerChoices', () => {
  const match = (id: string) => ({ id, pool: { mode: 'duel', region: 'eu' }, teams: [], token: '' });

  it('answers each match once the same way, by the order of proposals; an ignored one never answers', async () => {
    const player = playerChoices(3, 42, 0.5);
    const answers = [];
    for (let n = 0; n < 20; n++) {
      const answer = player.confirm(match(`m${n}`), '');
      const choice = player.chosen(`m${n}`);
      expect(choice).toBe(choiceFor(3, 42, n, 0.5));
      if (choice === 'ignore') expect(await Promise.race([answer, new Promise((r) => setTimeout(r, 5, 'none'))])).toBe('none');
      else expect(answer).toBe(choice === 'accept');
      answers.push(choice);
    }
    expect(player.confirm(match('m0'), '') === true).toBe(answers[0] === 'accept');
    expect(new Set(answers).size).toBe(3);
  });
});
