import { describe, expect, it } from 'vitest';
import { tickStep, timeChart } from './time-chart.ts';

describe('tickStep', () => {
  it('picks 1, 2 or 5 times a power of ten', () => {
    expect(tickStep(15, 10)).toBe(2);
    expect(tickStep(150, 5)).toBe(50);
    expect(tickStep(0.9, 10)).toBe(0.1);
  });
});

describe('timeChart', () => {
  it('draws one unmarked line per series, the bands, and each last value in the legend', () => {
    const points = Array.from({ length: 91 }, (_, i) => [i / 6, 100 + i / 10] as const);
    const svg = timeChart('Soak <RSS>', 'minutes', 'MiB', [{ label: 'matchmaker RSS', points }], [{ label: 'minute 5', from: 4, to: 5 }]);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.match(/<path /g)).toHaveLength(1);
    expect(svg).not.toContain('<circle');
    expect(svg).toContain('Soak &#60;RSS&#62;');
    expect(svg).toContain('matchmaker RSS (last 109.0)');
    expect(svg).toContain('>minute 5<');
    expect(svg).toContain('>14<');
  });
});
