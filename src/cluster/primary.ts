import cluster, { type Worker } from 'node:cluster';
import { createServer, type Server } from 'node:http';
import { resolve } from 'node:path';
import type { Logger } from 'pino';
import { AggregatorRegistry } from 'prom-client';
import type { Config } from '../config.ts';
import { DataDirLockedError } from '../store/data-dir-locked-error.ts';
import { openJournal } from '../store/file-journal.ts';
import type { RatingEvent } from '../store/rating-event.ts';
import { isOurs, type ToPrimary, type ToWorker } from './messages.ts';

/**
 * The primary of a multi-process service (SERVE_PROCESSES > 1): it owns DATA_DIR's lock
 * and journal and forks the workers, each a whole service (model, GraphQL, HTTP on the
 * shared port, connections dealt round-robin by Node's cluster module) that keeps its
 * model current as the replicas of a Redis deployment do. A worker's rating is appended
 * here (one journal, group commit across workers), acknowledged to that worker, and sent
 * to the others, which apply it by the same rating order; a worker that starts, or
 * restarts after a crash, begins from every acknowledged event. With METRICS_PORT set, the
 * primary serves the workers' metrics summed. SIGTERM/SIGINT: the workers finish their
 * requests and exit, then the journal is closed.
 */
export async function runPrimary(config: Config, logger: Logger): Promise<void> {
  const started = performance.now();
  const dataDir = resolve(config.dataDir);
  const { journal } = await openJournal(dataDir, { logger, fsync: config.journalFsync }).catch(
    (err: unknown) => {
      if (!(err instanceof DataDirLockedError)) throw err;
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    },
  );
  const aggregator = new AggregatorRegistry();
  let metricsServer: Server | null = null;
  if (config.metrics) {
    metricsServer = createServer((req, res) => {
      if (req.method !== 'GET' || req.url !== '/metrics') {
        res.statusCode = 404;
        res.end();
        return;
      }
      aggregator.clusterMetrics().then(
        (text) => {
          res.setHeader('content-type', aggregator.contentType);
          res.end(text);
        },
        (err: unknown) => {
          logger.warn({ err }, 'could not collect the workers’ metrics');
          res.statusCode = 503;
          res.end();
        },
      );
    });
    const { port, host } = config.metrics;
    await new Promise<void>((done) => metricsServer?.listen(port, host, done));
    logger.info({ port, host }, 'metrics of every worker, summed, on the metrics port');
  }

  const live = new Set<Worker>();
  const ready = new Set<Worker>();
  let url = '';
  let stopping = false;
  let announced = false;
  const send = (worker: Worker, message: ToWorker) => {
    if (worker.isConnected()) worker.send(message);
  };
  const onMessage = (worker: Worker, message: unknown) => {
    if (!isOurs<ToPrimary>(message)) return;
    switch (message.kind) {
      case 'hello':
        // from now on it receives every event made durable; what is durable already
        // comes in its start message, read after this (an event in both is harmless)
        live.add(worker);
        void journal.acknowledgedEvents().then((events) => send(worker, { kind: 'start', events }));
        return;
      case 'append':
        journal.append(message.events).then(
          () => {
            send(worker, { kind: 'appended', id: message.id });
            for (const other of live)
              if (other !== worker) send(other, { kind: 'peer-events', events: message.events });
          },
          (err: unknown) =>
            send(worker, {
              kind: 'append-failed',
              id: message.id,
              message: err instanceof Error ? err.message : String(err),
              code: codeOf(err),
            }),
        );
        return;
      case 'acknowledged':
        void journal
          .acknowledgedEvents()
          .then((events: RatingEvent[]) =>
            send(worker, { kind: 'acknowledged', id: message.id, events }),
          );
        return;
      case 'ready':
        ready.add(worker);
        url = message.url;
        if (!announced && ready.size >= config.serveProcesses) {
          announced = true;
          const seconds = ((performance.now() - started) / 1000).toFixed(1);
          logger.info(
            {
              url,
              seconds,
              workers: ready.size,
              mode: config.production ? 'production' : 'development',
            },
            `ready in ${seconds} s: ${url} (${ready.size} processes)`,
          );
        }
        return;
    }
  };
  const fork = () => {
    const worker = cluster.fork();
    worker.on('message', (message: unknown) => onMessage(worker, message));
    worker.on('exit', (code, signal) => {
      live.delete(worker);
      ready.delete(worker);
      if (stopping) return;
      logger.error({ code, signal, pid: worker.process.pid }, 'a worker exited; starting another');
      fork();
    });
  };
  for (let k = 0; k < config.serveProcesses; k++) fork();

  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping: the workers finish their requests');
    const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => !!w);
    await Promise.all(
      workers.map(
        (worker) =>
          new Promise<void>((done) => {
            if (worker.isDead()) return done();
            worker.once('exit', () => done());
            worker.process.kill('SIGTERM');
          }),
      ),
    );
    await journal.close();
    metricsServer?.close();
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

/** The system's error code behind a journal failure (ENOSPC...), for the worker's message. */
function codeOf(err: unknown): string | null {
  const cause = (err as { cause?: unknown })?.cause ?? err;
  const code = (cause as { code?: unknown })?.code;
  return typeof code === 'string' ? code : null;
}
