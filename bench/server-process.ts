import { type ChildProcess, spawn } from 'node:child_process';

/** The real server in a child process, for the benchmarks: started, awaited until ready, stopped. */
export interface Started {
  readonly child: ChildProcess;
  readonly url: string;
  readonly readySeconds: number;
}

export function start(env: Record<string, string>): Promise<Started> {
  const { REDIS_URL: _r, NODE_ENV: _n, ...inherited } = process.env;
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/serve.ts'], {
    env: { ...inherited, PORT: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let pending = '';
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        const rec = JSON.parse(line) as { msg: string; url?: string; seconds?: string };
        if (rec.msg.startsWith('ready in ')) {
          resolve({ child, url: String(rec.url), readySeconds: Number(rec.seconds) });
        }
      }
    });
    child.once('exit', (code) =>
      reject(new Error(`serve.ts exited with ${code} before it was ready`)),
    );
  });
}

export async function stop(s: Started): Promise<void> {
  const exited = new Promise((resolve) => s.child.once('exit', resolve));
  s.child.kill('SIGTERM');
  await exited;
}

export function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}
