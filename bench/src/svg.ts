// Hand-written SVG charts for BENCHMARKS.md: no external service, no dependency.

export interface Bar {
  readonly label: string;
  readonly value: number;
  /** Printed after the value, e.g. "p99 12 ms". */
  readonly note?: string;
}

export interface Series {
  readonly label: string;
  readonly points: readonly (readonly [number, number])[];
}

const FONT = 'font-family="system-ui, sans-serif" font-size="13"';

export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const format = (n: number) => Math.round(n).toLocaleString('en');

/** Horizontal bars, one per case, scaled to the largest value. */
export function barChart(title: string, unit: string, bars: readonly Bar[]): string {
  const width = 760;
  const left = 260;
  const barWidth = 360;
  const row = 34;
  const height = 50 + bars.length * row;
  const max = Math.max(...bars.map((b) => b.value), 1);
  const rows = bars.map((bar, i) => {
    const y = 40 + i * row;
    const w = Math.max(1, (bar.value / max) * barWidth);
    const text = `${format(bar.value)} ${unit}${bar.note ? ` · ${bar.note}` : ''}`;
    return [
      `<text x="${left - 8}" y="${y + 17}" text-anchor="end" ${FONT}>${escapeXml(bar.label)}</text>`,
      `<rect x="${left}" y="${y}" width="${w.toFixed(1)}" height="24" fill="${i === 0 ? '#9aa5b1' : '#3b82f6'}"/>`,
      `<text x="${(left + w + 6).toFixed(1)}" y="${y + 17}" ${FONT}>${escapeXml(text)}</text>`,
    ].join('');
  });
  return svg(width, height, [`<text x="12" y="22" ${FONT} font-weight="bold">${escapeXml(title)}</text>`, ...rows]);
}

/** Lines over a linear x axis (e.g. pool size), y from zero, with the points marked and labelled. */
export function lineChart(title: string, xLabel: string, yLabel: string, series: readonly Series[], limit?: { label: string; y: number }): string {
  const width = 760;
  const height = 380;
  const box = { left: 70, top: 40, right: width - 190, bottom: height - 50 };
  const xs = series.flatMap((s) => s.points.map(([x]) => x));
  const ys = [...series.flatMap((s) => s.points.map(([, y]) => y)), limit?.y ?? 0];
  const xMax = Math.max(...xs, 1);
  const yMax = Math.max(...ys, 1) * 1.1;
  const px = (x: number) => box.left + (x / xMax) * (box.right - box.left);
  const py = (y: number) => box.bottom - (y / yMax) * (box.bottom - box.top);
  const colors = ['#3b82f6', '#f59e0b', '#10b981', '#ef4444'];
  const parts = [
    `<text x="12" y="22" ${FONT} font-weight="bold">${escapeXml(title)}</text>`,
    `<line x1="${box.left}" y1="${box.bottom}" x2="${box.right}" y2="${box.bottom}" stroke="#333"/>`,
    `<line x1="${box.left}" y1="${box.top}" x2="${box.left}" y2="${box.bottom}" stroke="#333"/>`,
    `<text x="${(box.left + box.right) / 2}" y="${height - 12}" text-anchor="middle" ${FONT}>${escapeXml(xLabel)}</text>`,
    `<text x="16" y="${(box.top + box.bottom) / 2}" transform="rotate(-90 16 ${(box.top + box.bottom) / 2})" text-anchor="middle" ${FONT}>${escapeXml(yLabel)}</text>`,
  ];
  for (const tick of [0, 0.25, 0.5, 0.75, 1]) {
    const y = tick * yMax;
    parts.push(`<text x="${box.left - 6}" y="${py(y) + 4}" text-anchor="end" ${FONT}>${format(y)}</text>`);
  }
  for (const x of [...new Set(xs)]) parts.push(`<text x="${px(x)}" y="${box.bottom + 18}" text-anchor="middle" ${FONT}>${format(x)}</text>`);
  if (limit) {
    parts.push(`<line x1="${box.left}" y1="${py(limit.y)}" x2="${box.right}" y2="${py(limit.y)}" stroke="#ef4444" stroke-dasharray="6 4"/>`);
    parts.push(`<text x="${box.right + 6}" y="${py(limit.y) + 4}" ${FONT} fill="#ef4444">${escapeXml(limit.label)}</text>`);
  }
  series.forEach((s, i) => {
    const color = colors[i % colors.length]!;
    const path = s.points.map(([x, y], k) => `${k === 0 ? 'M' : 'L'}${px(x).toFixed(1)},${py(y).toFixed(1)}`).join(' ');
    parts.push(`<path d="${path}" fill="none" stroke="${color}" stroke-width="2"/>`);
    for (const [x, y] of s.points) {
      parts.push(`<circle cx="${px(x).toFixed(1)}" cy="${py(y).toFixed(1)}" r="4" fill="${color}"/>`);
      parts.push(`<text x="${(px(x) - 8).toFixed(1)}" y="${(py(y) - 8).toFixed(1)}" text-anchor="end" ${FONT} fill="${color}">${format(y)}</text>`);
    }
    parts.push(`<text x="${box.right + 6}" y="${box.top + 16 + i * 18}" ${FONT} fill="${color}">${escapeXml(s.label)}</text>`);
  });
  return svg(width, height, parts);
}

function svg(width: number, height: number, parts: readonly string[]): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">\n<rect width="100%" height="100%" fill="#fff"/>\n${parts.join('\n')}\n</svg>\n`;
}
