// An SVG time series (many samples, no point labels) with shaded windows, for the soak plot.
import { escapeXml, type Series } from './svg.ts';

export interface Band {
  readonly label: string;
  readonly from: number;
  readonly to: number;
}

const FONT = 'font-family="system-ui, sans-serif" font-size="13"';
const COLORS = ['#3b82f6', '#93c5fd', '#f59e0b', '#fcd34d', '#10b981', '#ef4444'];

/** A tick step of 1, 2 or 5 times a power of ten giving about `count` ticks up to `max`. */
export function tickStep(max: number, count: number): number {
  const raw = max / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * power).find((step) => step >= raw) ?? 10 * power;
}

/**
 * Lines over a time axis starting at 0, y from zero, each series' last value in the legend;
 * `bands` shade x ranges (e.g. the windows a ratio compares).
 */
export function timeChart(title: string, xLabel: string, yLabel: string, series: readonly Series[], bands: readonly Band[] = []): string {
  const width = 900;
  const height = 420;
  const box = { left: 70, top: 40, right: width - 280, bottom: height - 50 };
  const xMax = Math.max(...series.flatMap((s) => s.points.map(([x]) => x)), 1);
  const yMax = Math.max(...series.flatMap((s) => s.points.map(([, y]) => y)), 1) * 1.1;
  const px = (x: number) => box.left + (x / xMax) * (box.right - box.left);
  const py = (y: number) => box.bottom - (y / yMax) * (box.bottom - box.top);
  const parts = [`<text x="12" y="22" ${FONT} font-weight="bold">${escapeXml(title)}</text>`];
  for (const band of bands) {
    const x1 = px(Math.max(0, band.from));
    const x2 = px(Math.min(xMax, band.to));
    parts.push(`<rect x="${x1.toFixed(1)}" y="${box.top}" width="${Math.max(0, x2 - x1).toFixed(1)}" height="${box.bottom - box.top}" fill="#e5e7eb"/>`);
    parts.push(`<text x="${((x1 + x2) / 2).toFixed(1)}" y="${box.top + 14}" text-anchor="middle" ${FONT} fill="#555">${escapeXml(band.label)}</text>`);
  }
  parts.push(
    `<line x1="${box.left}" y1="${box.bottom}" x2="${box.right}" y2="${box.bottom}" stroke="#333"/>`,
    `<line x1="${box.left}" y1="${box.top}" x2="${box.left}" y2="${box.bottom}" stroke="#333"/>`,
    `<text x="${(box.left + box.right) / 2}" y="${height - 12}" text-anchor="middle" ${FONT}>${escapeXml(xLabel)}</text>`,
    `<text x="16" y="${(box.top + box.bottom) / 2}" transform="rotate(-90 16 ${(box.top + box.bottom) / 2})" text-anchor="middle" ${FONT}>${escapeXml(yLabel)}</text>`,
  );
  const yStep = tickStep(yMax, 5);
  for (let y = 0; y <= yMax; y += yStep) {
    parts.push(`<line x1="${box.left}" y1="${py(y).toFixed(1)}" x2="${box.right}" y2="${py(y).toFixed(1)}" stroke="#eee"/>`);
    parts.push(`<text x="${box.left - 6}" y="${(py(y) + 4).toFixed(1)}" text-anchor="end" ${FONT}>${Math.round(y).toLocaleString('en')}</text>`);
  }
  const xStep = tickStep(xMax, 10);
  for (let x = 0; x <= xMax + 1e-9; x += xStep) {
    parts.push(`<text x="${px(x).toFixed(1)}" y="${box.bottom + 18}" text-anchor="middle" ${FONT}>${Number(x.toFixed(6))}</text>`);
  }
  series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length]!;
    const path = s.points.map(([x, y], k) => `${k === 0 ? 'M' : 'L'}${px(x).toFixed(1)},${py(y).toFixed(1)}`).join(' ');
    parts.push(`<path d="${path}" fill="none" stroke="${color}" stroke-width="2"/>`);
    const last = s.points.at(-1);
    const legend = last === undefined ? s.label : `${s.label} (last ${last[1].toFixed(1)})`;
    parts.push(`<rect x="${box.right + 10}" y="${box.top + 6 + i * 20}" width="14" height="4" fill="${color}"/>`);
    parts.push(`<text x="${box.right + 30}" y="${box.top + 12 + i * 20}" ${FONT}>${escapeXml(legend)}</text>`);
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">\n<rect width="100%" height="100%" fill="#fff"/>\n${parts.join('\n')}\n</svg>\n`;
}
