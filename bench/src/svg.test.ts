import { describe, expect, it } from 'vitest';
import { barChart, escapeXml, lineChart } from './svg.ts';

describe('barChart', () => {
  it('draws one bar per case, scaled to the largest, with escaped labels', () => {
    const svg = barChart('Throughput', 'req/s', [
      { label: 'ceiling <Hono>', value: 40_000 },
      { label: 'ours', value: 20_000, note: 'p99 5 ms' },
    ]);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.match(/<rect x="260"/g)).toHaveLength(2);
    expect(svg).toContain('width="360.0"');
    expect(svg).toContain('width="180.0"');
    expect(svg).toContain('ceiling &#60;Hono&#62;');
    expect(svg).toContain('20,000 req/s · p99 5 ms');
  });
});

describe('lineChart', () => {
  it('plots every point of every series and the limit line', () => {
    const svg = lineChart('Rebuild', 'players', 'ms', [{ label: 'rebuilt', points: [[10_000, 1_000], [100_000, 9_000]] }], { label: '2 intervals', y: 20_000 });
    expect(svg.match(/<circle /g)).toHaveLength(2);
    expect(svg).toContain('stroke-dasharray');
    expect(svg).toContain('>9,000<');
    expect(svg).toContain('>100,000<');
  });
});

describe('escapeXml', () => {
  it('escapes markup characters', () => {
    expect(escapeXml(`a<b>&"'`)).toBe('a&#60;b&#62;&#38;&#34;&#39;');
  });
});
