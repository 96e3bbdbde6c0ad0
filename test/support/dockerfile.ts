/**
 * A small Dockerfile reader for the image test (no Docker engine runs here): stages with their base,
 * COPY lines, RUN commands, ENV, USER, and the exec-form ENTRYPOINT and CMD. It understands the subset
 * deploy/Dockerfile uses (line continuations, `ARG` defaults, `COPY [--from=stage] src... dest`) and
 * throws on anything else, so a new instruction gets a reader before the test can pass over it.
 */
export interface Copy {
  readonly from: string | undefined;
  readonly sources: readonly string[];
  readonly dest: string;
}

export interface Stage {
  readonly name: string;
  readonly from: string;
  readonly copies: Copy[];
  readonly runs: string[];
  readonly env: Map<string, string>;
  user: string | undefined;
  entrypoint: string[] | undefined;
  cmd: string[] | undefined;
}

export interface Dockerfile {
  /** Global ARGs (before the first FROM) with their defaults. */
  readonly args: Map<string, string>;
  readonly stages: Stage[];
}

const KNOWN = new Set([
  'ARG',
  'FROM',
  'WORKDIR',
  'COPY',
  'RUN',
  'ENV',
  'USER',
  'EXPOSE',
  'ENTRYPOINT',
  'CMD',
]);

/** Instructions, one per logical line (continuations joined, comments dropped). */
function instructions(text: string): string[] {
  const lines: string[] = [];
  let current = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (current === '' && (line === '' || line.startsWith('#'))) continue;
    if (line.endsWith('\\')) {
      current += `${line.slice(0, -1)} `;
      continue;
    }
    lines.push(current + line);
    current = '';
  }
  return lines;
}

function execForm(rest: string, what: string): string[] {
  const parsed: unknown = JSON.parse(rest);
  if (!Array.isArray(parsed) || !parsed.every((x): x is string => typeof x === 'string')) {
    throw new Error(`${what} must be in exec form (a JSON array of strings): ${rest}`);
  }
  return parsed;
}

function parseCopy(rest: string): Copy {
  const words = rest.split(/\s+/);
  let from: string | undefined;
  while (words[0]?.startsWith('--') === true) {
    const flag = words.shift() ?? '';
    if (flag.startsWith('--from=')) from = flag.slice('--from='.length);
    else throw new Error(`COPY flag ${flag} is not understood`);
  }
  const dest = words.pop();
  if (dest === undefined || words.length === 0) throw new Error(`COPY needs a source and a destination`);
  return { from, sources: words.map((w) => w.replace(/^\.\//, '')), dest };
}

function parseEnv(rest: string, env: Map<string, string>): void {
  for (const pair of rest.split(/\s+/)) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new Error(`ENV must be NAME=value pairs: ${rest}`);
    env.set(pair.slice(0, eq), pair.slice(eq + 1));
  }
}

export function parseDockerfile(text: string): Dockerfile {
  const args = new Map<string, string>();
  const stages: Stage[] = [];
  for (const line of instructions(text)) {
    const [keyword = '', ...restWords] = line.split(/\s+/);
    const rest = restWords.join(' ');
    const instruction = keyword.toUpperCase();
    if (!KNOWN.has(instruction)) throw new Error(`instruction ${keyword} is not understood`);
    const stage = stages.at(-1);
    if (instruction === 'FROM') {
      const m = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(rest);
      if (m === null) throw new Error(`FROM ${rest}`);
      stages.push({
        from: m[1] ?? '',
        name: m[2] ?? String(stages.length),
        copies: [],
        runs: [],
        env: new Map(),
        user: undefined,
        entrypoint: undefined,
        cmd: undefined,
      });
      continue;
    }
    if (instruction === 'ARG' && stage === undefined) {
      const [name = '', value = ''] = rest.split('=');
      args.set(name, value);
      continue;
    }
    if (stage === undefined) throw new Error(`${instruction} before the first FROM`);
    if (instruction === 'COPY') stage.copies.push(parseCopy(rest));
    else if (instruction === 'RUN') stage.runs.push(rest);
    else if (instruction === 'ENV') parseEnv(rest, stage.env);
    else if (instruction === 'USER') stage.user = rest;
    else if (instruction === 'ENTRYPOINT') stage.entrypoint = execForm(rest, 'ENTRYPOINT');
    else if (instruction === 'CMD') stage.cmd = execForm(rest, 'CMD');
  }
  return { args, stages };
}
