// Exit codes, mapped in one place (src/cli/errors.ts): 0 ok, 1 invalid spec or drift, 2 usage,
// 3 internal bug. Plus --help and --version on every command.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CommanderError } from 'commander';
import { describe, expect, test } from 'vitest';
import { exitCodeFor, ExitError } from '../../src/cli/errors.js';
import { BufferOutput } from '../../src/cli/io.js';
import { runCli } from '../../src/cli/main.js';
import { WriteError } from '../../src/write/errors.js';
import { aaGen, repoRoot, tempDir } from './helpers.js';

const version = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;

describe('--help and --version', () => {
  test.each([[['--help']], [['generate', '--help']], [['init', '--help']], [['help', 'generate']]])('aa-gen %j exits 0 with usage', async (argv) => {
    const r = await aaGen(tempDir(), argv);
    expect(r).toMatchObject({ code: 0, stdout: expect.stringContaining('Usage: aa-gen') });
  });

  test.each([[['--version']], [['-V']], [['generate', '--version']], [['init', '-V']]])('aa-gen %j prints the package version', async (argv) => {
    expect(await aaGen(tempDir(), argv)).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  });
});

describe('usage errors exit 2 with commander\'s message', () => {
  test.each([
    [[], 'Usage: aa-gen'],
    [['frobnicate'], "unknown command 'frobnicate'"],
    [['generate', '--frob'], "unknown option '--frob'"],
    [['generate', 'extra'], 'too many arguments'],
    [['generate', '--check', '--dry-run'], "'--check' cannot be used with option '--dry-run'"],
    [['init'], "missing required argument 'dir'"],
    [['init', 'x', '--kind', 'widget'], 'must be UpperCamelCase'],
    [['init', 'x', '--group', 'nodots'], 'must be a DNS subdomain'],
    [['init', 'x', '--version', '1.0'], 'must be a Kubernetes API version'],
    [['init', 'x', '--scope', 'Global'], 'Allowed choices are Namespaced, Cluster'],
    [['init', 'x', '--name', 'Bad_Name'], 'must be a DNS label'],
  ])('aa-gen %j', async (argv, message) => {
    const cwd = tempDir();
    const r = await aaGen(cwd, argv);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
  });
});

describe('exit 1: invalid spec or drift', () => {
  test('an invalid spec prints every problem as file:line:column and exits 1, writing nothing', async () => {
    const cwd = tempDir();
    writeFileSync(join(cwd, 'aa-gen.yaml'), 'group: NOT_A_GROUP\nversions: []\nbogus: 1\n');
    const r = await aaGen(cwd, ['generate']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^aa-gen\.yaml:1:\d+: error\[/m);
    expect(r.stderr).toMatch(/^aa-gen\.yaml:3:\d+: error\[unknown-key\]/m);
    expect(r.stderr).toMatch(/aa-gen: \d+ problems in aa-gen\.yaml; nothing was generated\n$/);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(readdirSync(cwd)).toEqual(['aa-gen.yaml']);
  });

  test('a missing spec exits 1 and says how to start', async () => {
    const r = await aaGen(tempDir(), ['generate', '--config', 'nope/aa-gen.yaml']);
    expect(r).toMatchObject({ code: 1, stderr: expect.stringContaining('no spec at nope/aa-gen.yaml') });
  });
});

describe('exit 3: internal errors', () => {
  const failingStdout = { write: () => { throw new TypeError('stdout exploded'); } };

  test('an unexpected exception says "internal error, please report" without a stack', async () => {
    const stderr = new BufferOutput();
    const code = await runCli(['--version'], { cwd: tempDir(), stdout: failingStdout, stderr, env: {} });
    expect(code).toBe(3);
    expect(stderr.text).toContain('internal error, please report');
    expect(stderr.text).toContain('stdout exploded');
    expect(stderr.text).not.toContain('TypeError: stdout exploded\n    at ');
  });

  test('AA_GEN_DEBUG=1 adds the stack', async () => {
    const stderr = new BufferOutput();
    const code = await runCli(['--version'], { cwd: tempDir(), stdout: failingStdout, stderr, env: { AA_GEN_DEBUG: '1' } });
    expect(code).toBe(3);
    expect(stderr.text).toMatch(/TypeError: stdout exploded\n\s+at /);
  });
});

describe('exitCodeFor (the one mapping)', () => {
  test.each([
    ['commander help', new CommanderError(0, 'commander.helpDisplayed', ''), 0, ''],
    ['commander usage', new CommanderError(1, 'commander.unknownOption', 'x'), 2, ''],
    ['ExitError 1', new ExitError(1, 'drift'), 1, 'aa-gen: drift\n'],
    ['silent ExitError', new ExitError(1, ''), 1, ''],
    ['ExitError 2', new ExitError(2, 'bad flag'), 2, 'aa-gen: bad flag\n'],
    ['conflict', new WriteError('AAGEN_WRITE_CONFLICT', 'refusing'), 1, 'aa-gen: refusing\n'],
    ['io', new WriteError('AAGEN_WRITE_IO', 'cannot write'), 1, 'aa-gen: cannot write\n'],
  ])('%s', (_name, error, code, printed) => {
    const stderr = new BufferOutput();
    expect(exitCodeFor(error, { cwd: '/', stdout: new BufferOutput(), stderr, env: {} })).toBe(code);
    expect(stderr.text).toBe(printed);
  });

  test.each([
    ['an emitter contract break', new WriteError('AAGEN_EMIT_CONTRACT', 'bad path')],
    ['a plain Error', new Error('boom')],
    ['a thrown string', 'boom'],
  ])('%s is an internal error (3)', (_name, error) => {
    const stderr = new BufferOutput();
    expect(exitCodeFor(error, { cwd: '/', stdout: new BufferOutput(), stderr, env: {} })).toBe(3);
    expect(stderr.text).toMatch(/^aa-gen: internal error, please report/);
  });
});
