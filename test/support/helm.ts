/**
 * Helm for the chart tests, without a helm binary or a cluster: deploy/helm/helm.sh runs Helm's own Go
 * code through helm-java (fetched from Maven Central into .cache on first use, like the Kafka jars).
 * Several commands share one JVM; each answer is cut out of the framed output.
 */
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';

export const REPO = fileURLToPath(new URL('../../', import.meta.url));
export const CHART = join(REPO, 'deploy/helm/dmid');
export const PROFILES_DIR = join(REPO, 'deploy/helm/profiles');
/** The Kubernetes version `helm template` renders for (offline Helm defaults to 1.20). */
export const KUBE_VERSION = '1.31.0';

export interface HelmAnswer {
  readonly ok: boolean;
  readonly output: string;
}

/** Runs each command (HelmTool arguments: `lint <chart>`, `template <chart> <release> <ns> ...`). */
export function helm(commands: readonly (readonly string[])[]): Promise<HelmAnswer[]> {
  const args = commands.flatMap((c, i) => (i === 0 ? [...c] : ['--next', ...c]));
  return new Promise((resolve, reject) => {
    execFile(
      'bash',
      [join(REPO, 'deploy/helm/helm.sh'), 'run', ...args],
      { cwd: REPO, timeout: 300_000, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const answers = framesOf(stdout);
        if (answers.length !== commands.length) {
          reject(new Error(`helm.sh answered ${answers.length} of ${commands.length}: ${stderr}${stdout}`));
          return;
        }
        // A non-zero exit with every frame present means some command failed: the caller checks which.
        if (error !== null && typeof error.code !== 'number')
          reject(new Error(error.message, { cause: error }));
        else resolve(answers);
      },
    );
  });
}

function framesOf(stdout: string): HelmAnswer[] {
  const answers: HelmAnswer[] = [];
  let lines: string[] | undefined;
  for (const line of stdout.split('\n')) {
    if (/^#helm-tool begin \d+$/.test(line)) lines = [];
    else if (/^#helm-tool end \d+ (ok|failed)$/.test(line) && lines !== undefined) {
      answers.push({ ok: line.endsWith(' ok'), output: lines.join('\n') });
      lines = undefined;
    } else lines?.push(line);
  }
  return answers;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Helm's merge of an overlay onto values: objects merge key by key, anything else is replaced. */
export function mergeValues(base: unknown, overlay: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(overlay)) return overlay;
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(overlay)) merged[key] = mergeValues(base[key], value);
  return merged;
}

/**
 * A copy of the chart whose values.yaml is the chart's merged with `profile`: `helm lint` takes no
 * values file through helm-java, so each profile is linted as its own chart. Removed by `dispose`.
 */
export async function chartWithProfile(profile: string): Promise<{ dir: string; dispose(): Promise<void> }> {
  const root = await mkdtemp(join(tmpdir(), 'dmid-chart-'));
  const dir = join(root, 'dmid');
  await cp(CHART, dir, { recursive: true });
  const values: unknown = parse(await readFile(join(CHART, 'values.yaml'), 'utf8'));
  const overlay: unknown = parse(await readFile(join(PROFILES_DIR, `${profile}.yaml`), 'utf8'));
  await writeFile(join(dir, 'values.yaml'), stringify(mergeValues(values, overlay), { version: '1.1' }));
  return { dir, dispose: () => rm(root, { recursive: true, force: true }) };
}
