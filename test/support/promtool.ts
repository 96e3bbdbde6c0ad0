/**
 * Runs Prometheus's own `promtool` (Debian's `prometheus` package; .ci/run installs it) on our metrics
 * and rules. A missing promtool fails the test with how to get it: it is never a skip.
 */
import { spawn } from 'node:child_process';

export interface PromtoolResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** `promtool <args>` with `stdin` piped in, bounded to `timeoutMs`. */
export function promtool(args: readonly string[], stdin = '', timeoutMs = 30_000): Promise<PromtoolResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('promtool', args, { stdio: ['pipe', 'pipe', 'pipe'], timeout: timeoutMs });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', (error: NodeJS.ErrnoException) => {
      const hint =
        error.code === 'ENOENT'
          ? 'promtool not found: `apt-get install prometheus` (Debian) puts it in /usr/bin; .ci/run does'
          : `promtool failed to start: ${error.message}`;
      reject(new Error(hint, { cause: error }));
    });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}
