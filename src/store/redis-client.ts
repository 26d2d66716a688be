import { Cluster, Redis } from 'ioredis';

/** A single Redis or a Redis Cluster: the service uses only commands both route. */
export type RedisClient = Redis | Cluster;

/** Where Redis is: one server, or the seed nodes of a cluster. */
export type RedisTarget =
  | { readonly kind: 'single'; readonly url: string }
  | { readonly kind: 'cluster'; readonly nodes: ReadonlyArray<{ host: string; port: number }> };

/**
 * The connection the service uses: it fails fast instead of queueing commands while Redis
 * is away (queries never wait for it), and ioredis reconnects by itself. A cluster client
 * follows MOVED and failovers, refreshing its slot map, and pipelines commands to the
 * same node automatically.
 */
export function connectRedis(target: RedisTarget): RedisClient {
  if (target.kind === 'single') {
    return new Redis(target.url, {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      commandTimeout: 2000,
    });
  }
  return new Cluster([...target.nodes], {
    lazyConnect: true,
    enableOfflineQueue: false,
    enableAutoPipelining: true,
    // a failover takes the cluster's node timeout plus an election; retry within it
    retryDelayOnFailover: 200,
    retryDelayOnClusterDown: 300,
    slotsRefreshTimeout: 2000,
    redisOptions: { maxRetriesPerRequest: 1, commandTimeout: 2000 },
  });
}

/** Parses REDIS_CLUSTER_NODES: `host:port,host:port,...`. */
export function parseClusterNodes(text: string): Array<{ host: string; port: number }> {
  return text.split(',').map((part) => {
    const match = /^\s*([^:\s]+):(\d{1,5})\s*$/.exec(part);
    if (!match) throw new Error(`"${part}" is not host:port`);
    return { host: match[1], port: Number(match[2]) };
  });
}

/** The masters of a cluster, or the one server: where a SCAN must look. */
export function scanTargets(client: RedisClient): Redis[] {
  return client instanceof Cluster ? client.nodes('master') : [client];
}
