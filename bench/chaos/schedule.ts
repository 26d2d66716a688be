import { Prng } from './prng.ts';

/**
 * A schedule: everything about one run that is chosen in advance from its seed. The
 * moments of the mutations themselves depend on how fast the processes answer, so two
 * runs of one seed send different mutations, but the same faults at the same moments.
 */
export type Topology = 'single' | 'cluster';

export type Fault =
  /** SIGKILL a replica, restart it on the same DATA_DIR after `downMs`. */
  | {
      readonly kind: 'kill-replica';
      readonly atMs: number;
      readonly replica: number;
      readonly downMs: number;
    }
  /** SIGSTOP a replica for `pauseMs`, then SIGCONT. */
  | {
      readonly kind: 'pause-replica';
      readonly atMs: number;
      readonly replica: number;
      readonly pauseMs: number;
    }
  /** Step a replica's clock by `offsetMs` (negative: backwards) through its offset file and SIGUSR2. */
  | {
      readonly kind: 'clock-step';
      readonly atMs: number;
      readonly replica: number;
      readonly offsetMs: number;
    }
  /** SIGTERM redis-server (it writes its append-only file) and start it on the same dir after `downMs`. */
  | { readonly kind: 'redis-restart'; readonly atMs: number; readonly downMs: number }
  /**
   * Copy redis-server's dir, let the load go on for `staleMs`, SIGKILL it, put the copy
   * back and start it after `downMs`: Redis comes back with data `staleMs` old, as after
   * a restore from a backup or a failover to a lagging replica. (A SIGKILL alone loses
   * nothing: Redis has written its append-only file before it answers.)
   */
  | {
      readonly kind: 'redis-rollback';
      readonly atMs: number;
      readonly staleMs: number;
      readonly downMs: number;
    }
  /** SIGKILL redis-server, empty its dir, start it after `downMs`: Redis comes back with nothing. */
  | { readonly kind: 'redis-wipe'; readonly atMs: number; readonly downMs: number }
  /**
   * SIGKILL a cluster master (the one holding the rating stream when `streamMaster`), let
   * its replica take over, restart it `downMs` later (it rejoins as a replica).
   */
  | {
      readonly kind: 'kill-master';
      readonly atMs: number;
      readonly streamMaster: boolean;
      readonly downMs: number;
    };

export type FaultKind = Fault['kind'];

export interface Schedule {
  readonly seed: number;
  readonly topology: Topology;
  readonly replicas: number;
  /** How long the clients send mutations (longer when a fault is still recovering). */
  readonly loadMs: number;
  /** In the order they are injected. */
  readonly faults: ReadonlyArray<Fault>;
  /** Seed of the load's own draws (users, movies, values, replicas). */
  readonly loadSeed: number;
}

export interface ScheduleOptions {
  readonly loadMs: number;
  /** Force a topology; default: a cluster for about one schedule in four. */
  readonly topology?: Topology;
}

const SINGLE_FAULTS: ReadonlyArray<FaultKind> = [
  'kill-replica',
  'pause-replica',
  'clock-step',
  'redis-restart',
  'redis-rollback',
  'redis-wipe',
];
const SINGLE_WEIGHTS = [3, 2, 2, 2, 2, 2];
const CLUSTER_FAULTS: ReadonlyArray<FaultKind> = [
  'kill-replica',
  'pause-replica',
  'clock-step',
  'kill-master',
];
const CLUSTER_WEIGHTS = [3, 2, 2, 3];

/** The schedule of `seed`: the same seed always gives the same schedule. */
export function makeSchedule(seed: number, options: ScheduleOptions): Schedule {
  const rng = new Prng(seed);
  const topology = options.topology ?? (rng.chance(0.25) ? 'cluster' : 'single');
  const replicas = rng.int(2, 3);
  const count = rng.int(2, 4);
  const kinds = topology === 'cluster' ? CLUSTER_FAULTS : SINGLE_FAULTS;
  const weights = topology === 'cluster' ? CLUSTER_WEIGHTS : SINGLE_WEIGHTS;
  // moments spread over 10%..80% of the load, so there is load before the first fault
  // and after the last
  const moments = Array.from({ length: count }, () =>
    Math.round(options.loadMs * (0.1 + 0.7 * rng.next())),
  ).sort((a, b) => a - b);
  const faults = moments.map((atMs): Fault => {
    const kind = rng.weighted(kinds, weights);
    const replica = rng.int(0, replicas - 1);
    switch (kind) {
      case 'kill-replica':
        return { kind, atMs, replica, downMs: rng.int(0, 800) };
      case 'pause-replica':
        return { kind, atMs, replica, pauseMs: rng.int(1000, 4000) };
      case 'clock-step':
        return { kind, atMs, replica, offsetMs: -rng.pick([60_000, 600_000, 3_600_000]) };
      case 'redis-restart':
        return { kind, atMs, downMs: rng.int(200, 1500) };
      case 'redis-rollback':
        return { kind, atMs, staleMs: rng.int(1000, 3000), downMs: rng.int(200, 1000) };
      case 'redis-wipe':
        return { kind, atMs, downMs: rng.int(200, 1500) };
      case 'kill-master':
        return { kind, atMs, streamMaster: rng.chance(0.5), downMs: rng.int(1500, 3000) };
    }
    throw new Error(`unknown fault kind ${kind satisfies never}`);
  });
  return { seed, topology, replicas, loadMs: options.loadMs, faults, loadSeed: rng.fork() };
}

/** One line naming a fault, for logs and failure reports. */
export function describeFault(f: Fault): string {
  switch (f.kind) {
    case 'kill-replica':
      return `@${f.atMs}ms SIGKILL replica ${f.replica}, restart after ${f.downMs} ms`;
    case 'pause-replica':
      return `@${f.atMs}ms SIGSTOP replica ${f.replica} for ${f.pauseMs} ms`;
    case 'clock-step':
      return `@${f.atMs}ms step replica ${f.replica}'s clock by ${f.offsetMs} ms`;
    case 'redis-restart':
      return `@${f.atMs}ms SIGTERM redis-server, start it again after ${f.downMs} ms`;
    case 'redis-rollback':
      return `@${f.atMs}ms copy redis-server's dir, SIGKILL it ${f.staleMs} ms later, start it on the copy after ${f.downMs} ms`;
    case 'redis-wipe':
      return `@${f.atMs}ms SIGKILL redis-server, empty its dir, start it after ${f.downMs} ms`;
    case 'kill-master':
      return `@${f.atMs}ms SIGKILL ${f.streamMaster ? "the rating stream's" : 'a'} master, restart it after ${f.downMs} ms`;
  }
}
