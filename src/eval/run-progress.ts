import { Presets, SingleBar } from 'cli-progress';

/** Counts finished runs out of a known total and tells the user, one line per run. */
export interface RunProgress {
  /** Marks one more run finished; `line` says which and how it went. */
  done(line: string): void;
  stop(): void;
}

/**
 * A progress bar on a terminal; plain lines (`run 3/41: ...`) where the stream is a file
 * or a pipe, because a redrawn bar turns into escape codes and carriage returns there.
 */
export function runProgress(
  total: number,
  stream: NodeJS.WriteStream = process.stderr,
): RunProgress {
  let finished = 0;
  if (!stream.isTTY) {
    return {
      done(line) {
        finished++;
        stream.write(`run ${finished}/${total}: ${line}\n`);
      },
      stop() {},
    };
  }
  const bar = new SingleBar(
    {
      stream,
      format: 'runs {bar} {value}/{total} | ETA {eta_formatted} | {last}',
      hideCursor: true,
      etaBuffer: 8,
    },
    Presets.shades_classic,
  );
  bar.start(total, 0, { last: 'starting' });
  return {
    done(line) {
      finished++;
      bar.update(finished, { last: line });
    },
    stop() {
      bar.stop();
    },
  };
}
