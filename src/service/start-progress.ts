/**
 * How far a start has come, for the log and /readyz: the phases begun, each with the
 * share of its work done and, once a little of it is done, the time it has left at the
 * pace so far. Phases may overlap (the hybrid's weights are fitted while the lists are
 * built); the current phase is the latest one begun that is not finished.
 */
export interface PhaseStatus {
  readonly phase: string;
  /** 0 to 1; null while the phase cannot tell (reading the data set's file). */
  readonly progress: number | null;
  readonly etaSeconds: number | null;
}

export interface StartStatus {
  readonly elapsedSeconds: number;
  /** The phases under way, the current one first. */
  readonly phases: ReadonlyArray<PhaseStatus>;
}

interface Phase {
  readonly name: string;
  readonly startedAt: number;
  fraction: number | null;
}

export class StartProgress {
  private readonly startedAt: number;
  private readonly phases: Phase[] = [];

  constructor(private readonly now: () => number = () => performance.now()) {
    this.startedAt = now();
  }

  /** Records a phase's progress (null: not measurable); the first report begins it. */
  report(name: string, fraction: number | null): void {
    let phase = this.phases.find((p) => p.name === name);
    if (!phase) {
      phase = { name, startedAt: this.now(), fraction: null };
      this.phases.push(phase);
    }
    phase.fraction = fraction === null ? null : Math.min(1, Math.max(0, fraction));
  }

  status(): StartStatus {
    const now = this.now();
    const open = this.phases.filter((p) => p.fraction !== 1).reverse();
    return {
      elapsedSeconds: round((now - this.startedAt) / 1000),
      phases: open.map((p) => ({
        phase: p.name,
        progress: p.fraction === null ? null : round(p.fraction, 3),
        etaSeconds: eta(p, now),
      })),
    };
  }

  /** One line for the log: "movie lists 42% (31 s left), weights 10%". */
  describe(): string {
    const { phases } = this.status();
    if (phases.length === 0) return 'finishing';
    return phases
      .map((p) => {
        if (p.progress === null) return p.phase;
        const left = p.etaSeconds === null ? '' : ` (${p.etaSeconds} s left)`;
        return `${p.phase} ${Math.floor(p.progress * 100)}%${left}`;
      })
      .join(', ');
  }
}

/** Seconds left at the phase's pace so far, once 2% of it is done. */
function eta(p: Phase, now: number): number | null {
  if (p.fraction === null || p.fraction < 0.02) return null;
  const spent = (now - p.startedAt) / 1000;
  return Math.round((spent * (1 - p.fraction)) / p.fraction);
}

function round(x: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
