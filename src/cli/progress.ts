import { Presets, SingleBar } from 'cli-progress';

/** Progress of one long step with a known total. */
export interface Progress {
  update(done: number): void;
  stop(): void;
}

/**
 * A progress bar on a terminal; where the stream is a file or a pipe, a plain line at
 * every tenth of the way, since a redrawn bar turns into escape codes there.
 */
export function progress(
  label: string,
  total: number,
  stream: NodeJS.WriteStream = process.stderr,
): Progress {
  if (!stream.isTTY) {
    let reported = -1;
    return {
      update(done) {
        const tenth = total === 0 ? 10 : Math.floor((done / total) * 10);
        if (tenth === reported) return;
        reported = tenth;
        stream.write(
          `${label}: ${tenth * 10}% (${done.toLocaleString('en')}/${total.toLocaleString('en')})\n`,
        );
      },
      stop() {},
    };
  }
  const bar = new SingleBar(
    {
      stream,
      format: `${label} {bar} {percentage}% | {value}/{total} | ETA {eta_formatted}`,
      hideCursor: true,
    },
    Presets.shades_classic,
  );
  bar.start(total, 0);
  return {
    update(done) {
      bar.update(done);
    },
    stop() {
      bar.stop();
    },
  };
}
