/**
 * The progress display of a long benchmark: one status line rewritten in place on a terminal; without one
 * (CI, a pipe), the status at most every 5 s. Finished results are logged as lines of their own.
 */
export interface Progress {
  /** The current status. */
  set(line: string): void;
  /** A line to keep (a finished measurement). */
  log(line: string): void;
  /** Clears the status line. */
  done(): void;
}

export function createProgress(stream: NodeJS.WriteStream = process.stderr): Progress {
  const tty = stream.isTTY;
  const started = Date.now();
  let lastPrinted = 0;
  let shown = false;
  const elapsed = (): string => `[${Math.round((Date.now() - started) / 1000)} s]`;
  const clear = (): void => {
    if (tty && shown) stream.write('\r\x1b[K');
    shown = false;
  };
  return {
    set(line) {
      if (tty) {
        stream.write(`\r\x1b[K${elapsed()} ${line}`);
        shown = true;
      } else if (Date.now() - lastPrinted >= 5000) {
        lastPrinted = Date.now();
        stream.write(`${elapsed()} ${line}\n`);
      }
    },
    log(line) {
      clear();
      stream.write(`${elapsed()} ${line}\n`);
    },
    done: clear,
  };
}
