// The test Dockerfile interpreter (test/support/dockerfile.ts) behaves as `docker build` does on
// the subset it supports, and refuses the rest loudly. The rules come from the Dockerfile
// reference (docs.docker.com/reference/dockerfile/: FROM, WORKDIR, COPY, RUN, ENV, .dockerignore)
// and moby/patternmatcher (the .dockerignore matcher).
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { contextEntries, dockerBuild, DockerfileError, parseDockerfile, type BuiltImage } from '../support/dockerfile.js';

const scratch = mkdtempSync(join(tmpdir(), 'dockerfile-interpreter-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const node = `node:${process.versions.node.split('.')[0]}-slim`;

let contexts = 0;
/** A build context holding `files` (path -> content) and the Dockerfile. */
function context(dockerfile: string, files: Record<string, string> = {}): string {
  const dir = join(scratch, `ctx-${contexts++}`);
  for (const [path, content] of Object.entries({ ...files, Dockerfile: dockerfile })) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}

async function build(dockerfile: string, files: Record<string, string> = {}): Promise<BuiltImage> {
  return dockerBuild({ context: context(dockerfile, files) });
}

async function failure(dockerfile: string, files: Record<string, string> = {}): Promise<DockerfileError> {
  const e = await build(dockerfile, files).then(
    (image) => {
      image.remove();
      throw new Error('the build succeeded');
    },
    (e: unknown) => e,
  );
  expect(e).toBeInstanceOf(DockerfileError);
  return e as DockerfileError;
}

describe('parsing', () => {
  it('joins continuation lines, drops comments inside them, and upper-cases keywords', () => {
    const parsed = parseDockerfile('# syntax=docker/dockerfile:1\nfrom x\nRUN a \\\n# note\n  && b\n\nCMD ["c"]\n');
    expect(parsed).toEqual([
      { keyword: 'FROM', args: 'x', line: 2 },
      { keyword: 'RUN', args: 'a   && b', line: 3 },
      { keyword: 'CMD', args: '["c"]', line: 7 },
    ]);
  });
});

describe('refusals', () => {
  it.each([
    ['ADD a /a', 'ADD'],
    ['ARG X=1', 'ARG'],
    ['HEALTHCHECK CMD true', 'HEALTHCHECK'],
    ['VOLUME /data', 'VOLUME'],
    ['FROBNICATE now', 'FROBNICATE'],
  ])('refuses %s with its line number', async (instruction, keyword) => {
    const e = await failure(`FROM ${node}\n${instruction}\n`, { a: 'a' });
    expect(e.line).toBe(2);
    expect(e.instruction).toBe(keyword);
    expect(e.message).toMatch(/not supported/);
  });

  it('refuses base images the host node cannot stand in for', async () => {
    expect((await failure('FROM alpine:3.20\n')).message).toMatch(/only node:\d+\* base images/);
    expect((await failure('FROM node:18-slim\n')).message).toMatch(/only node:\d+\* base images/);
  });

  it('refuses variables, COPY flags it does not implement, and RUN naming the image WORKDIR', async () => {
    expect((await failure(`FROM ${node}\nENV A=$HOME\n`)).message).toMatch(/variables/);
    expect((await failure(`FROM ${node}\nCOPY --link a /a\n`, { a: '' })).message).toMatch(/flag --link/);
    expect((await failure(`FROM ${node}\nWORKDIR /app\nRUN ls /app/x\n`)).message).toMatch(/image path \/app/);
  });
});

describe('COPY and the build context', () => {
  it('copies a directory’s contents, files into a directory ending in /, and expands wildcards', async () => {
    const image = await build(`FROM ${node}\nWORKDIR /app\nCOPY package*.json ./\nCOPY src ./src\nCOPY src/a.txt /one/renamed.txt\n`, {
      'package.json': '{}',
      'package-lock.json': '{}',
      'src/a.txt': 'a',
      'src/sub/b.txt': 'b',
    });
    try {
      expect(readdirSync(image.hostPath('/app')).sort()).toEqual(['package-lock.json', 'package.json', 'src']);
      expect(readFileSync(image.hostPath('/app/src/sub/b.txt'), 'utf8')).toBe('b');
      expect(readFileSync(image.hostPath('/one/renamed.txt'), 'utf8')).toBe('a');
    } finally {
      image.remove();
    }
  });

  it('needs a destination ending in / for several sources', async () => {
    const e = await failure(`FROM ${node}\nCOPY a b /dest\n`, { a: '', b: '' });
    expect(e.message).toMatch(/must be a directory and end with a \//);
  });

  it('cannot reach outside the context, nor what .dockerignore leaves out', async () => {
    expect((await failure(`FROM ${node}\nCOPY ../secret /x\n`)).message).toMatch(/outside the build context/);
    const ignoring = { '.dockerignore': 'node_modules/\n*.log\n!keep.log\n', 'node_modules/x/index.js': '', 'a.log': '', 'keep.log': '' };
    expect((await failure(`FROM ${node}\nCOPY node_modules /nm\n`, ignoring)).message).toMatch(/\.dockerignore leaves it out/);
    const dir = context(`FROM ${node}\n`, ignoring);
    expect([...contextEntries(dir).keys()].sort()).toEqual(['.dockerignore', 'Dockerfile', 'keep.log']);
  });

  it('copies from an earlier stage by name, not from the context', async () => {
    const image = await build(`FROM ${node} AS build\nWORKDIR /app\nRUN echo built > out.txt\n\nFROM ${node}\nCOPY --from=build /app/out.txt /out.txt\n`);
    try {
      expect(readFileSync(image.hostPath('/out.txt'), 'utf8')).toBe('built\n');
      expect(image.stages.map((s) => s.name)).toEqual(['build', undefined]);
    } finally {
      image.remove();
    }
  });
});

describe('RUN', () => {
  it('runs /bin/sh -c in the stage WORKDIR with the stage ENV, and records the image config', async () => {
    const image = await build(
      `FROM ${node}\nWORKDIR /app\nENV GREETING="hello there" NODE_ENV=production\nRUN echo "$GREETING" > g.txt && pwd > pwd.txt\nUSER node\nEXPOSE 8443\nENTRYPOINT ["node", "main.js"]\n`,
    );
    try {
      expect(readFileSync(image.hostPath('/app/g.txt'), 'utf8')).toBe('hello there\n');
      expect(readFileSync(image.hostPath('/app/pwd.txt'), 'utf8').trim()).toBe(image.hostPath('/app'));
      expect(image.image).toMatchObject({ user: 'node', exposed: ['8443'], entrypoint: ['node', 'main.js'], env: { GREETING: 'hello there', NODE_ENV: 'production' } });
    } finally {
      image.remove();
    }
  });

  it('fails the build on a non-zero exit, with the output', async () => {
    const e = await failure(`FROM ${node}\nRUN echo boom >&2 && exit 3\n`);
    expect(e.message).toMatch(/returned a non-zero code: 3\nboom/);
  });

  it('refuses a stage holding a symlink out of the image', async () => {
    const e = await failure(`FROM ${node}\nWORKDIR /app\nRUN ln -s ../../../../../.. escape\n`);
    expect(e.message).toMatch(/\/app\/escape is a symlink to .* outside the image/);
    const inside = await build(`FROM ${node}\nWORKDIR /app\nRUN mkdir d && ln -s ../d link\n`);
    inside.remove();
  });

  it('refuses symlinks COPY brings from the context when they point outside', async () => {
    const dir = context(`FROM ${node}\nCOPY . /ctx/\n`);
    symlinkSync('/etc/passwd', join(dir, 'link'));
    const e = await dockerBuild({ context: dir }).catch((x: unknown) => x);
    expect((e as Error).message).toMatch(/absolute path \/etc\/passwd/);
    expect(existsSync(dir)).toBe(true);
  });
});
