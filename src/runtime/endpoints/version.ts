// GET /version, shaped as k8s.io/apimachinery pkg/version.Info. kubectl's gcloud dispatcher
// picks the kubectl binary whose minor matches `minor` (API-CONTRACT 9.1), so we report the
// Kubernetes API level this runtime implements (1.32), and name ourselves in gitVersion.
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';

export interface VersionInfo {
  readonly major: string;
  readonly minor: string;
  readonly gitVersion: string;
  readonly gitCommit: string;
  readonly gitTreeState: string;
  readonly buildDate: string;
  readonly goVersion: string;
  readonly compiler: string;
  readonly platform: string;
}

/** The Kubernetes API level served: kubectl 1.32 semantics (API-CONTRACT header). */
export const kubernetesMajor = '1';
export const kubernetesMinor = '32';

/** aa-gen's own version, read once from its package.json (src/ and dist/ sit at the same depth). */
function aaGenVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/** `v1.32.0-aa-gen.<version>`: valid semver, so clients' version-skew checks parse it. */
export function versionInfo(): VersionInfo {
  return {
    major: kubernetesMajor,
    minor: kubernetesMinor,
    gitVersion: `v${kubernetesMajor}.${kubernetesMinor}.0-aa-gen.${aaGenVersion()}`,
    gitCommit: '',
    gitTreeState: '',
    buildDate: '',
    goVersion: `node${process.versions.node}`,
    compiler: 'node',
    platform: `${process.platform}/${process.arch}`,
  };
}

export function versionRoutes(app: FastifyInstance): void {
  const body = Buffer.from(JSON.stringify(versionInfo()));
  app.get('/version', async (_request, reply) => reply.type('application/json').send(body));
}
