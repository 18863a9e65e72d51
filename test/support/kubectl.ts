// Real kubectl against a running server, with a fresh discovery cache per client.
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface KubectlResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export type Kubectl = (args: string, opts?: { input?: string; env?: Record<string, string> }) => KubectlResult;

export function kubectlFor(kubeconfig: string, cwd: string): Kubectl {
  const cacheDir = mkdtempSync(join(tmpdir(), 'aa-gen-kubectl-cache-'));
  return (args, opts = {}) => {
    const r = spawnSync(
      'sh',
      ['-c', `kubectl --kubeconfig '${kubeconfig}' --cache-dir '${cacheDir}' ${args}`],
      { cwd, input: opts.input, encoding: 'utf8', env: { ...process.env, ...opts.env }, timeout: 60_000 },
    );
    return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
  };
}
