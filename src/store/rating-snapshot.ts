import type { Logger } from 'pino';
import { decodeRatingEvent, type RatingEvent } from './rating-event.ts';
import type { RedisClient } from './redis-client.ts';

/**
 * Writes each (field, journal line) pair of ARGV into the hash KEYS[1] unless the line
 * stored there ranks after it or equal to it, in the order of `ranksAfter`
 * (src/engine/rating-order.ts): the later timestamp; at an equal timestamp a removal
 * after a rating; then the higher rating as a float32 (`struct` rounds it as Math.fround
 * does). cjson and JSON.parse read the same text into the same double. Comparing and
 * writing in one script, two compactions that merge the same entries at once, in any
 * order, leave the change that ranks last. A stored line that does not decode is
 * replaced. Returns how many fields were written.
 */
const MERGE_IF_LATER = `
local function f32(x) return (struct.unpack('<f', struct.pack('<f', x))) end
local function ranksAfter(a, b)
  if a.t ~= b.t then return a.t > b.t end
  local aRemoved, bRemoved = a.k == 'remove', b.k == 'remove'
  if aRemoved ~= bRemoved then return aRemoved end
  return (not aRemoved) and f32(a.r) > f32(b.r)
end
local written = 0
for k = 1, #ARGV, 2 do
  local old = redis.call('HGET', KEYS[1], ARGV[k])
  local later = true
  if old then
    local ok, b = pcall(cjson.decode, old)
    if ok and type(b) == 'table' and type(b.t) == 'number' then
      later = ranksAfter(cjson.decode(ARGV[k + 1]), b)
    end
  end
  if later then
    redis.call('HSET', KEYS[1], ARGV[k], ARGV[k + 1])
    written = written + 1
  end
end
return written
`;

/**
 * Sets KEYS[1] to "<ARGV[1]> <ARGV[2]>" (a stream id and the stream's epoch) unless it
 * holds an id of the same epoch at or after ARGV[1]: the mark only rises. Ids compare as
 * the pairs of whole numbers `ms-seq` (digit strings without leading zeros: the longer is
 * larger, then the lexical order), not as doubles, which lose a 64-bit sequence number.
 * A mark of another epoch is replaced (see RatingSnapshot.raiseUpto). Returns 1 if set.
 */
const RAISE_UPTO = `
local function after(a, b)
  local am, as = string.match(a, '^(%d+)-(%d+)$')
  local bm, bs = string.match(b, '^(%d+)-(%d+)$')
  if not bm then return true end
  if #am ~= #bm then return #am > #bm end
  if am ~= bm then return am > bm end
  if #as ~= #bs then return #as > #bs end
  return as > bs
end
local cur = redis.call('GET', KEYS[1])
if cur then
  local id, epoch = string.match(cur, '^(%S+) (%S+)$')
  if epoch == ARGV[2] and not after(ARGV[1], id) then return 0 end
end
redis.call('SET', KEYS[1], ARGV[1] .. ' ' .. ARGV[2])
return 1
`;

type ScriptedClient = RedisClient & {
  mergeRatingSnapshot(key: string, ...fieldsAndLines: string[]): Promise<number>;
  raiseRatingSnapshotUpto(key: string, id: string, epoch: string): Promise<number>;
};

/** Fields per script call and per HSCAN page: short scripts, so Redis never stalls long. */
const PAGE = 500;

/**
 * The compaction point of the rating stream `<stream>` (see RatingStream.compact): the
 * hash `<stream>:snapshot`, from `userId:movieId` to the journal line of the change to
 * that pair that ranks last among those merged in, and `<stream>:snapshot:upto`, the
 * stream id up to which every entry is merged in, with the stream's epoch: `<id>
 * <epoch>`. They are separate keys, each command naming one, so they may lie in
 * different slots of a cluster.
 *
 * The epoch ties the mark to one life of the stream. A Redis that comes back empty loses
 * both keys, and a compaction that was under way can write its mark into the new,
 * empty Redis once; carrying the old epoch, it is read as no mark at all, so nobody
 * takes entries of the new stream for merged ones.
 */
export class RatingSnapshot {
  readonly key: string;
  readonly uptoKey: string;
  private readonly scripted: ScriptedClient;

  constructor(
    private readonly redis: RedisClient,
    streamKey: string,
    private readonly logger: Logger | null,
  ) {
    this.key = `${streamKey}:snapshot`;
    this.uptoKey = `${streamKey}:snapshot:upto`;
    if (!('mergeRatingSnapshot' in redis)) {
      redis.defineCommand('mergeRatingSnapshot', { numberOfKeys: 1, lua: MERGE_IF_LATER });
      redis.defineCommand('raiseRatingSnapshotUpto', { numberOfKeys: 1, lua: RAISE_UPTO });
    }
    this.scripted = redis as ScriptedClient;
  }

  /**
   * Merges journal lines (valid ones: the caller decoded them) into the snapshot, each
   * replacing the stored line of its pair only if it ranks after it; returns how many
   * fields were written. Lines of one pair may come in any order, in any calls.
   */
  async merge(
    lines: ReadonlyArray<{ readonly pair: string; readonly line: string }>,
  ): Promise<number> {
    let written = 0;
    for (let start = 0; start < lines.length; start += PAGE) {
      const args: string[] = [];
      for (const { pair, line } of lines.slice(start, start + PAGE)) args.push(pair, line);
      written += await this.scripted.mergeRatingSnapshot(this.key, ...args);
    }
    return written;
  }

  /** The stream id up to which entries are merged in, if the mark is of `epoch`. */
  async upto(epoch: string): Promise<string | null> {
    const value = await this.redis.get(this.uptoKey);
    const match = value === null ? null : /^(\S+) (\S+)$/.exec(value);
    return match !== null && match[2] === epoch ? match[1] : null;
  }

  /**
   * Raises the mark to `id` (every entry up to it is merged in); a lower or equal mark of
   * the same epoch stays. A mark of another epoch is replaced: the caller checked that
   * `epoch` was current when it started, and a compaction that outlived its epoch writes
   * once, its mark ignored until a current one replaces it.
   */
  async raiseUpto(id: string, epoch: string): Promise<boolean> {
    return (await this.scripted.raiseRatingSnapshotUpto(this.uptoKey, id, epoch)) === 1;
  }

  /**
   * Hands every event of the snapshot to `apply`, a page at a time (HSCAN: the hash may
   * hold millions; a field may come twice, which applying tolerates). Returns how many
   * events were handed over.
   */
  async scan(apply: (events: RatingEvent[]) => void): Promise<number> {
    let cursor = '0';
    let count = 0;
    do {
      const [next, flat] = await this.redis.hscan(this.key, cursor, 'COUNT', PAGE);
      const events: RatingEvent[] = [];
      for (let k = 0; k < flat.length; k += 2) {
        const decoded = decodeRatingEvent(flat[k + 1]);
        if (decoded.ok) events.push(decoded.event);
        else
          this.logger?.warn(
            { pair: flat[k], problem: decoded.problem },
            'skipping a bad rating snapshot field',
          );
      }
      if (events.length > 0) apply(events);
      count += events.length;
      cursor = next;
    } while (cursor !== '0');
    return count;
  }
}

/**
 * Compares two stream ids (`ms-seq`, or `ms` alone: sequence 0) as pairs of whole
 * numbers: negative if a is before b, 0 if equal, positive if after.
 */
export function compareStreamIds(a: string, b: string): number {
  const [am, as = '0'] = a.split('-');
  const [bm, bs = '0'] = b.split('-');
  const ms = BigInt(am) - BigInt(bm);
  const d = ms !== 0n ? ms : BigInt(as) - BigInt(bs);
  return d > 0n ? 1 : d < 0n ? -1 : 0;
}

/** The later of two stream ids. */
export function laterStreamId(a: string, b: string): string {
  return compareStreamIds(a, b) >= 0 ? a : b;
}
