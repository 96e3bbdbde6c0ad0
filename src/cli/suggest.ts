/**
 * Help for a mistyped command line: the nearest of the known words (a command, a subcommand, an option)
 * to what was typed, and counts that read as English ("1 record", "2 records").
 */

/** Edit distance (insert, delete, substitute, swap of neighbours) between two short words. */
function distance(a: string, b: string): number {
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const at = (i: number, j: number): number => rows[i]?.[j] ?? Number.POSITIVE_INFINITY;
  for (let i = 1; i <= a.length; i += 1) {
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, at(i - 2, j - 2) + 1);
      const row = rows[i];
      if (row !== undefined) row[j] = best;
    }
  }
  return at(a.length, b.length);
}

/**
 * The known word nearest to `typed`, or undefined when none is near enough to be a likely typo: at most
 * a third of the word's letters wrong (at least one), or `typed` a prefix of exactly one word.
 */
export function nearest(typed: string, known: readonly string[]): string | undefined {
  let best: { word: string; d: number } | undefined;
  for (const word of known) {
    const d = distance(typed, word);
    if (best === undefined || d < best.d) best = { word, d };
  }
  if (best !== undefined && best.d <= Math.max(1, Math.floor(best.word.length / 3))) return best.word;
  const prefixed = known.filter((word) => typed.length >= 2 && word.startsWith(typed));
  return prefixed.length === 1 ? prefixed[0] : undefined;
}

/** ` (did you mean X?)` when a known word is near `typed`, else the empty string. */
export function didYouMean(typed: string, known: readonly string[]): string {
  const word = nearest(typed, known);
  return word === undefined ? '' : ` (did you mean ${word}?)`;
}

/** `1 record`, `0 records`, `2 records`. */
export function count(n: number, noun: string, plural = `${noun}s`): string {
  return `${n} ${n === 1 ? noun : plural}`;
}

/** The `--long` options a command's help text documents, for suggestions. */
export function optionsOf(help: string): string[] {
  return [...new Set(help.match(/--[a-z][a-z0-9-]*/g) ?? [])];
}
