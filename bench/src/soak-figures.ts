// The soak's figures from its samples: reading /proc and /metrics, window means, growth ratios.

/** One process at one sample: resident set (from /proc) and V8 heap (from its /metrics). */
export interface ProcessMemory {
  readonly rssBytes: number;
  /**
   * The anonymous part of the resident set (heap, malloc): unlike the file-backed part
   * (the node binary's pages), the kernel cannot drop it when another process needs memory.
   */
  readonly rssAnonBytes: number;
  readonly heapUsedBytes: number;
  readonly heapTotalBytes: number;
  readonly externalBytes: number;
}

export interface SoakSample {
  /** Seconds since the crowd began queueing. */
  readonly atS: number;
  readonly matchmaker: ProcessMemory;
  readonly issuer: ProcessMemory;
  /** Players queued in the matchmaker's pools. */
  readonly queued: number;
  /** Matches formed since the matchmaker started. */
  readonly matches: number;
  /** Tickets the issuer has signed since it started. */
  readonly tickets: number;
}

/** Mean over the fifth minute, mean over the last five, and last / fifth. */
export interface Growth {
  readonly fifthMinute: number;
  readonly lastFive: number;
  readonly ratio: number;
}

/** A kB field (`VmRSS`, `RssAnon`, ...) of a `/proc/<pid>/status` text, in bytes. */
export function statusBytes(status: string, field: string): number | undefined {
  const match = new RegExp(`^${field}:\\s+(\\d+)\\s+kB$`, 'm').exec(status);
  return match === null ? undefined : Number(match[1]) * 1024;
}

/** The value of an unlabelled sample in Prometheus text format (summed over labels if it has them). */
export function promValue(text: string, name: string): number | undefined {
  let total: number | undefined;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if (rest[0] !== ' ' && rest[0] !== '{') continue;
    const value = Number(rest.slice(rest.lastIndexOf('}') + 1).trim().split(' ')[0]);
    if (Number.isFinite(value)) total = (total ?? 0) + value;
  }
  return total;
}

/** Mean of `pick` over the samples taken in (fromS, toS]; undefined when there are none. */
export function windowMean(samples: readonly SoakSample[], fromS: number, toS: number, pick: (s: SoakSample) => number): number | undefined {
  const inside = samples.filter((s) => s.atS > fromS && s.atS <= toS);
  if (inside.length === 0) return undefined;
  return inside.reduce((sum, s) => sum + pick(s), 0) / inside.length;
}

/**
 * The fifth minute (240-300 s) against the last five minutes of a run of `durationS`:
 * a ratio near 1 means the process stopped growing after its first minutes. Undefined for
 * a run too short to have a minute after the fifth.
 */
export function growth(samples: readonly SoakSample[], durationS: number, pick: (s: SoakSample) => number): Growth | undefined {
  if (durationS < 360) return undefined;
  const fifthMinute = windowMean(samples, 240, 300, pick);
  const lastFive = windowMean(samples, Math.max(300, durationS - 300), durationS, pick);
  if (fifthMinute === undefined || lastFive === undefined) return undefined;
  return { fifthMinute, lastFive, ratio: lastFive / fifthMinute };
}

export interface MinuteRow {
  readonly minute: number;
  readonly matchmakerRss: number;
  readonly matchmakerHeap: number;
  readonly issuerRss: number;
  readonly issuerHeap: number;
  readonly queued: number;
  /** Matches formed during this minute. */
  readonly matches: number;
}

/** Means per minute (samples in (60(m-1), 60m] s), for the report's table; matches as a difference. */
export function perMinute(samples: readonly SoakSample[]): MinuteRow[] {
  const rows: MinuteRow[] = [];
  const last = samples.at(-1)?.atS ?? 0;
  for (let minute = 1; (minute - 1) * 60 < last; minute++) {
    const from = (minute - 1) * 60;
    const to = minute * 60;
    const mean = (pick: (s: SoakSample) => number) => windowMean(samples, from, to, pick) ?? Number.NaN;
    const before = [...samples].reverse().find((s) => s.atS <= from);
    const end = [...samples].reverse().find((s) => s.atS <= to);
    rows.push({
      minute,
      matchmakerRss: mean((s) => s.matchmaker.rssBytes),
      matchmakerHeap: mean((s) => s.matchmaker.heapUsedBytes),
      issuerRss: mean((s) => s.issuer.rssBytes),
      issuerHeap: mean((s) => s.issuer.heapUsedBytes),
      queued: mean((s) => s.queued),
      matches: (end?.matches ?? 0) - (before?.matches ?? 0),
    });
  }
  return rows;
}
