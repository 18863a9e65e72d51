// The Dockerfile aa-gen generates builds an image that serves, for a project linking aa-gen with
// `file:` (examples/wardle: "aa-gen": "file:../..", and no package-lock.json of its own). There
// is no docker engine here, so test/support/dockerfile.ts executes the Dockerfile as docker
// would (its header says how far that goes): the build context is examples/wardle minus its
// .dockerignore, each stage a fresh directory, and the image's ENTRYPOINT then runs from the
// final stage's directory alone.
//
// better-sqlite3 would compile from source in `npm ci` (about 2 minutes): in a real build it
// downloads a prebuilt binary, which this machine cannot. prebuild-install also takes that same
// prebuilt tarball from a local directory (`npm_config_better_sqlite3_local_prebuilds`, read in
// node_modules/prebuild-install/util.js localPrebuild), so the test makes one from the binary this
// checkout already compiled, for the same better-sqlite3 version, node ABI and platform.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { send } from '../doubles/https.js';
import { dockerBuild, DockerfileError, type BuiltImage } from '../support/dockerfile.js';
import { repoRoot } from '../support/example-server.js';

const wardle = join(repoRoot, 'examples', 'wardle');
const scratch = mkdtempSync(join(tmpdir(), 'aa-gen-deploy-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The Dockerfile aa-gen generated before `file:` dependencies were handled. */
const previousDockerfile = `FROM node:20-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json ./
COPY src ./src
RUN npm run build

FROM node:20-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev
COPY --from=build /app/dist ./dist
USER node
EXPOSE 8443
ENTRYPOINT ["node", "dist/main.js"]
`;

/** What RUN gets from this machine in place of the base image and the builder's network setup. */
function runEnv(extra: Record<string, string> = {}): Record<string, string> {
  const npmCache = spawnSync('npm', ['config', 'get', 'cache'], { encoding: 'utf8' }).stdout.trim();
  return {
    npm_config_cache: npmCache,
    npm_config_prefer_offline: 'true',
    npm_config_update_notifier: 'false',
    ...(process.env['NODE_EXTRA_CA_CERTS'] ? { NODE_EXTRA_CA_CERTS: process.env['NODE_EXTRA_CA_CERTS'] } : {}),
    ...extra,
  };
}

/** A directory holding better-sqlite3's prebuilt tarball, made from this checkout's build. */
function localPrebuilds(): string {
  const pkgDir = join(repoRoot, 'node_modules', 'better-sqlite3');
  const { version } = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as { version: string };
  const dir = join(scratch, 'prebuilds');
  mkdirSync(dir, { recursive: true });
  // prebuild-install's default name: {name}-v{version}-{runtime}-v{abi}-{platform}{libc}-{arch}.tar.gz
  const name = `better-sqlite3-v${version}-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`;
  const r = spawnSync('tar', ['-czf', join(dir, name), '-C', pkgDir, 'build/Release/better_sqlite3.node'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`tar failed: ${r.stderr}`);
  return dir;
}

/** A copy of examples/wardle outside the repository, without what .gitignore ignores. */
function copyOfWardle(name: string): string {
  const dir = join(scratch, name);
  cpSync(wardle, dir, {
    recursive: true,
    filter: (src) => !/[/\\](node_modules|dist|\.data|certs)$/.test(src) && !/[/\\]vendor[/\\](?!README\.md$)/.test(src),
  });
  return dir;
}

async function expectBuildFailure(build: Promise<BuiltImage>, line: number, message: RegExp): Promise<void> {
  const error = await build.then(
    (image) => {
      image.remove();
      return undefined;
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DockerfileError);
  expect((error as DockerfileError).message).toMatch(message);
  expect((error as DockerfileError).line).toBe(line);
}

describe('the Dockerfile before file: dependencies were handled', () => {
  it('fails on examples/wardle: it has no package-lock.json of its own', async () => {
    const dockerfile = join(scratch, 'Dockerfile.previous');
    writeFileSync(dockerfile, previousDockerfile);
    await expectBuildFailure(dockerBuild({ context: wardle, dockerfile }), 3, /"package-lock\.json" not found/);
  });

  it('fails when the project links aa-gen by absolute path (aa-gen init from a checkout): npm links outside the image', async () => {
    // npm records the link in the lock relative to the project. In docker, /app/<that path>
    // clamps at / and names the checkout's absolute path, which the image lacks. The copy sits
    // as deep as a stage's /app does here (<tmp>/<build>/<stage>/app), so npm resolves the same
    // path and links it, and the interpreter's symlink check reports the link leaving the image.
    const project = copyOfWardle('nested/absolute-link');
    const pkg = JSON.parse(readFileSync(join(project, 'package.json'), 'utf8'));
    pkg.dependencies['aa-gen'] = `file:${repoRoot}`;
    writeFileSync(join(project, 'package.json'), JSON.stringify(pkg, null, 2) + '\n');
    const lock = spawnSync('npm', ['install', '--package-lock-only', '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund'], {
      cwd: project,
      encoding: 'utf8',
    });
    expect(lock.status, lock.stderr).toBe(0);
    const dockerfile = join(scratch, 'Dockerfile.previous');
    writeFileSync(dockerfile, previousDockerfile);
    await expectBuildFailure(dockerBuild({ context: project, dockerfile, runEnv: runEnv() }), 4, /node_modules\/aa-gen is a symlink to .* outside the image/);
  }, 120_000);
});

describe('the generated Dockerfile', () => {
  it('without `node hack/pack-local-deps.mjs`, stops at npm ci and says to run it', async () => {
    const project = copyOfWardle('not-packed');
    await expectBuildFailure(dockerBuild({ context: project, runEnv: runEnv() }), 21, /run `node hack\/pack-local-deps\.mjs` first/);
  });

  it('builds examples/wardle after pack-local-deps, and the image serves /readyz and flunders over HTTPS', async () => {
    const started = Date.now();
    const vendor = join(wardle, 'vendor');
    const before = new Set(readdirSync(vendor));
    let image: BuiltImage | undefined;
    let server: ChildProcess | undefined;
    try {
      // The documented step: pack aa-gen (file:../..) into vendor/ with the image's package.json and lock.
      const pack = spawnSync(process.execPath, ['hack/pack-local-deps.mjs'], {
        cwd: wardle,
        encoding: 'utf8',
        env: { ...process.env, npm_config_prefer_offline: 'true' },
      });
      expect(pack.status, pack.stdout + pack.stderr).toBe(0);
      expect(pack.stdout).toContain('aa-gen (file:../..) -> vendor/aa-gen-0.1.0.tgz');
      expect(JSON.parse(readFileSync(join(vendor, 'package.json'), 'utf8')).dependencies['aa-gen']).toBe('file:vendor/aa-gen-0.1.0.tgz');

      let log = '';
      image = await dockerBuild({
        context: wardle,
        runEnv: runEnv({ npm_config_better_sqlite3_local_prebuilds: localPrebuilds() }),
        log: (t) => (log += t),
      });
      const buildSeconds = (Date.now() - started) / 1000;
      console.log(`dockerfile-build: pack + build took ${buildSeconds.toFixed(0)} s`);

      // The image's configuration, as `docker inspect` would show it.
      expect(image.stages.map((s) => s.base)).toEqual(['node:20-slim', 'node:20-slim']);
      expect(image.image.workdir).toBe('/app');
      expect(image.image.env).toEqual({ NODE_ENV: 'production' });
      expect(image.image.user).toBe('node');
      expect(image.image.exposed).toEqual(['8443']);
      expect(image.image.entrypoint).toEqual(['node', 'dist/main.js']);

      // Its file system: aa-gen installed from the packed tarball (a directory, not a link), dev
      // dependencies pruned, the native module present and not compiled here (the prebuilt was used).
      const app = image.hostPath('/app');
      expect(readdirSync(app).sort()).toEqual(['dist', 'node_modules', 'package.json']);
      expect(lstatSync(join(app, 'node_modules/aa-gen')).isDirectory()).toBe(true);
      expect(existsSync(join(app, 'node_modules/aa-gen/dist/runtime/index.js'))).toBe(true);
      expect(existsSync(join(app, 'node_modules/typescript'))).toBe(false);
      expect(existsSync(join(app, 'node_modules/better-sqlite3/build/Release/better_sqlite3.node'))).toBe(true);
      expect(existsSync(join(app, 'node_modules/better-sqlite3/build/Release/obj.target')), log).toBe(false);
      // Nothing above the image's root offers node_modules to Node's module resolution.
      for (let dir = dirname(image.image.root); dir !== dirname(dir); dir = dirname(dir)) {
        expect(existsSync(join(dir, 'node_modules')), dir).toBe(false);
      }

      // Run the image: its ENTRYPOINT in its WORKDIR with its ENV, standalone on a free port.
      const dataDir = join(scratch, 'data');
      const [command, ...args] = image.image.entrypoint!;
      server = spawn(command!, [...args, '--secure-port', '0', '--data-dir', dataDir], {
        cwd: app,
        env: { PATH: process.env['PATH'], HOME: image.hostPath('/root'), ...image.image.env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const url = await servingUrl(server);
      const ca = readFileSync(join(dataDir, 'certs/ca.crt'), 'utf8');
      const ready = await send(`${url}/readyz`, { ca });
      expect(ready.status).toBe(200);
      expect(ready.body).toBe('ok');

      const admin = { ca, cert: readFileSync(join(dataDir, 'certs/admin.crt'), 'utf8'), key: readFileSync(join(dataDir, 'certs/admin.key'), 'utf8') };
      const flunders = `${url}/apis/wardle.example.com/v1alpha1/namespaces/default/flunders`;
      const created = await send(flunders, {
        ...admin,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ apiVersion: 'wardle.example.com/v1alpha1', kind: 'Flunder', metadata: { name: 'from-the-image' } }),
      });
      expect(created.status, created.body).toBe(201);
      const list = await send(flunders, admin);
      expect(list.status).toBe(200);
      expect(list.json().items.map((f: { metadata: { name: string } }) => f.metadata.name)).toEqual(['from-the-image']);
      expect(existsSync(join(dataDir, 'wardle.db')) || readdirSync(dataDir).some((f) => f.endsWith('.db'))).toBe(true);
    } finally {
      if (server && server.exitCode === null) {
        const exited = new Promise((done) => server!.once('exit', done));
        server.kill('SIGTERM');
        await exited;
      }
      image?.remove();
      // Leave vendor/ as it was: remove what the pack step added.
      for (const entry of readdirSync(vendor)) if (!before.has(entry)) rmSync(join(vendor, entry), { force: true });
    }
  }, 600_000);
});

function servingUrl(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`the image's server did not start in 30 s:\n${out}`)), 30_000);
    const take = (d: Buffer) => {
      out += d.toString();
      const m = /(https:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout!.on('data', take);
    child.stderr!.on('data', take);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the image's server exited with ${code} before serving:\n${out}`));
    });
  });
}
