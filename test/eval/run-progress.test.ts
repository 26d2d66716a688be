import { describe, expect, it } from 'vitest';
import { runProgress } from '../../src/eval/run-progress.ts';

/** A stream that is not a terminal and keeps what is written to it. */
function pipe() {
  const written: string[] = [];
  const stream = {
    isTTY: false,
    write(chunk: string) {
      written.push(chunk);
      return true;
    },
  } as unknown as NodeJS.WriteStream;
  return { stream, written };
}

describe('runProgress', () => {
  it('given a stream that is not a terminal, when runs finish, then each gets one plain line counting up to the total', () => {
    const { stream, written } = pipe();
    const progress = runProgress(3, stream);
    progress.done('popularity RMSE 0.9986');
    progress.done('item-knn pearson k=20 RMSE 0.8932');
    progress.stop();
    expect(written).toEqual([
      'run 1/3: popularity RMSE 0.9986\n',
      'run 2/3: item-knn pearson k=20 RMSE 0.8932\n',
    ]);
  });
});
