import type { ChaosSummary } from './run.ts';

/** The per-schedule table and its totals, as printed at the end of a run. */
export function table(summary: ChaosSummary): string {
  const header = [
    'seed',
    'topology',
    'faults',
    'acknowledged',
    'lost',
    'state',
    'listsCompared',
    'mismatches',
    'stale',
    'reordered',
    'seconds',
    '',
  ];
  const rows = summary.results.map((r) => [
    String(r.seed),
    `${r.topology}/${r.replicas}`,
    String(r.faults),
    String(r.acknowledged),
    String(r.lost),
    String(r.stateMismatches),
    String(r.listsCompared),
    String(r.mismatches),
    String(r.labelledStale),
    String(r.reordered),
    r.seconds.toFixed(1),
    r.error ? 'ERROR' : r.failed ? 'FAIL' : 'ok',
  ]);
  rows.push([
    'total',
    `${summary.schedules}`,
    String(summary.faults),
    String(summary.acknowledged),
    String(summary.lost),
    String(summary.stateMismatches),
    String(summary.listsCompared),
    String(summary.mismatches),
    String(summary.labelledStale),
    String(summary.reordered),
    summary.seconds.toFixed(1),
    summary.failures.length > 0 ? `${summary.failures.length} failed` : 'ok',
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((row) => row[c].length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, c) =>
        c <= 1 || c === cells.length - 1 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]),
      )
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

/** The one-line JSON summary (`--json`): totals and failing seeds, no per-schedule detail. */
export function jsonLine(summary: ChaosSummary): string {
  return JSON.stringify({
    seed: summary.seed,
    schedules: summary.schedules,
    faults: summary.faults,
    acknowledged: summary.acknowledged,
    lost: summary.lost,
    listsCompared: summary.listsCompared,
    mismatches: summary.mismatches,
    stateMismatches: summary.stateMismatches,
    labelledStale: summary.labelledStale,
    reordered: summary.reordered,
    failures: summary.failures,
    seconds: Number(summary.seconds.toFixed(1)),
    perSchedule: summary.results.map((r) => ({
      seed: r.seed,
      topology: r.topology,
      replicas: r.replicas,
      faults: r.faults,
      acknowledged: r.acknowledged,
      lost: r.lost,
      lostNotJournaled: r.lostNotJournaled,
      lostIgnored: r.lostIgnored,
      lostNotServed: r.lostNotServed,
      stateMismatches: r.stateMismatches,
      listsCompared: r.listsCompared,
      mismatches: r.mismatches,
      labelledStale: r.labelledStale,
      reordered: r.reordered,
      seconds: Number(r.seconds.toFixed(1)),
      error: r.error,
    })),
  });
}
