// GET /version: the shape of k8s.io/apimachinery pkg/version.Info, minor "32" so kubectl's
// gcloud dispatcher picks kubectl 1.32 (API-CONTRACT 9.1).
import { afterAll, beforeAll, expect, it } from 'vitest';
import { emptyGroup } from './fixtures.js';
import { startTestServer, type TestServer } from './helpers.js';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer(emptyGroup);
});
afterAll(() => t?.stop());

it('reports Kubernetes 1.32 with the version.Info fields', async () => {
  const r = await t.fetch('/version');
  expect(r.status).toBe(200);
  expect(r.headers['content-type']).toMatch(/^application\/json/);
  const v = r.json();
  expect(Object.keys(v).sort()).toEqual(
    ['buildDate', 'compiler', 'gitCommit', 'gitTreeState', 'gitVersion', 'goVersion', 'major', 'minor', 'platform'],
  );
  expect(v.major).toBe('1');
  expect(v.minor).toBe('32');
  expect(v.gitVersion).toMatch(/^v1\.32\.\d+-aa-gen\.\d+\.\d+\.\d+/);
  expect(v.platform).toBe(`${process.platform}/${process.arch}`);
});
