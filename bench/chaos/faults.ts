import { Prng } from './prng.ts';
import { sleep } from './processes.ts';
import type { RedisClusterDeployment, SingleRedis } from './redis-deployment.ts';
import type { Replica } from './replica.ts';
import { describeFault, type Fault } from './schedule.ts';

/**
 * Injects one fault and waits until what it broke is back (a restarted replica ready, a
 * restarted Redis answering, a cluster healthy again). Returns notes on anything that did
 * not go as a fault of that kind should.
 */
export interface FaultTargets {
  readonly replicas: ReadonlyArray<Replica>;
  readonly single: SingleRedis | null;
  readonly cluster: RedisClusterDeployment | null;
  readonly prefix: string;
  /** Seed of the choices made at injection time (which master). */
  readonly seed: number;
}

export async function inject(fault: Fault, t: FaultTargets): Promise<string[]> {
  const notes: string[] = [];
  switch (fault.kind) {
    case 'kill-replica': {
      const r = t.replicas[fault.replica];
      await r.exclusive(async () => {
        await r.kill();
        await sleep(fault.downMs);
        await r.start();
      });
      break;
    }
    case 'pause-replica': {
      const r = t.replicas[fault.replica];
      await r.exclusive(async () => {
        if (!r.running) return;
        r.pause();
        await sleep(fault.pauseMs);
        r.resume();
      });
      break;
    }
    case 'clock-step': {
      const r = t.replicas[fault.replica];
      const hooked = await r.exclusive(() => r.stepClock(fault.offsetMs));
      if (!hooked) {
        notes.push(
          `replica ${fault.replica} died of SIGUSR2 (no clock hook): the clock step became a restart with CLOCK_OFFSET_MS=${fault.offsetMs}`,
        );
      }
      break;
    }
    case 'redis-restart': {
      const redis = need(t.single, fault);
      await redis.stopGracefully();
      await sleep(fault.downMs);
      await redis.restart();
      break;
    }
    case 'redis-rollback': {
      const redis = need(t.single, fault);
      const copy = redis.copyDir();
      await sleep(fault.staleMs);
      await redis.kill();
      redis.restoreDir(copy);
      await sleep(fault.downMs);
      await redis.restart();
      break;
    }
    case 'redis-wipe': {
      const redis = need(t.single, fault);
      await redis.kill();
      redis.wipe();
      await sleep(fault.downMs);
      await redis.restart();
      break;
    }
    case 'kill-master': {
      const cluster = need(t.cluster, fault);
      const masters = (await cluster.masters()).sort((a, b) => a - b);
      const victim = fault.streamMaster
        ? await cluster.masterOf(`${t.prefix}:ratings:v1`)
        : new Prng(t.seed).pick(masters);
      await cluster.killAndFailOver(victim);
      await sleep(fault.downMs);
      await cluster.restartNode(victim);
      notes.push(`killed master ${victim}`);
      break;
    }
  }
  return notes;
}

function need<T>(target: T | null, fault: Fault): T {
  if (target === null) throw new Error(`${describeFault(fault)}: not possible on this topology`);
  return target;
}
