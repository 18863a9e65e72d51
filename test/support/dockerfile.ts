// A Dockerfile interpreter for tests on a machine without a docker engine. It executes a
// Dockerfile's instructions the way `docker build` does, for the subset aa-gen's Dockerfile
// uses, each stage in a fresh directory that stands in for the image's root file system.
//
// Faithful to (docs.docker.com/reference/dockerfile/, moby/patternmatcher for .dockerignore):
// - The build context is the context directory minus what .dockerignore leaves out. A COPY
//   source outside it (`..`) or left out by it fails, as docker's "not found" does.
// - FROM starts an empty stage; WORKDIR is created on use; COPY copies a directory's contents
//   (not the directory), expands wildcards, needs a destination ending in `/` for several
//   sources, and `--from=<stage>` reads an earlier stage's file system, not the context.
// - RUN's shell form is `/bin/sh -c` in the stage's WORKDIR with the stage's ENV.
// - Anything else (ADD, ARG, VOLUME, FROM <stage>, COPY --link, variables...) is refused with
//   its line number, never skipped.
//
// What it cannot be is a container. RUN executes on this machine: its node and npm stand in for
// the base image's (so FROM accepts only node:<major> images of this node's major), as whoever
// runs the tests (USER is recorded, not applied). A command could read paths of this machine;
// two checks keep that from passing unnoticed: RUN may not name the stage's absolute WORKDIR
// (which would be a path of this machine here), and after every RUN and COPY no symlink in the
// stage may point outside it (what an npm `file:` link to a directory outside the image becomes).
// Stage directories live under the OS temp dir, away from any node_modules a program in the
// image could otherwise find by walking up.
import { spawn } from 'node:child_process';
import {
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  rmSync,
  statSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, posix, relative, resolve, sep } from 'node:path';

export class DockerfileError extends Error {
  constructor(
    readonly line: number,
    readonly instruction: string,
    message: string,
  ) {
    super(`Dockerfile:${line}: ${instruction}: ${message}`);
    this.name = 'DockerfileError';
  }
}

/** One instruction, continuation lines joined, comments removed. */
export interface Instruction {
  /** Upper case: FROM, RUN, ... */
  readonly keyword: string;
  readonly args: string;
  /** 1-based line of the keyword. */
  readonly line: number;
}

/** Parses Dockerfile text with the default `\` escape character. */
export function parseDockerfile(text: string): Instruction[] {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const out: Instruction[] = [];
  let directivesAllowed = true;
  for (let i = 0; i < lines.length; i++) {
    const first = lines[i]!;
    const trimmed = first.trim();
    if (trimmed === '') {
      directivesAllowed = false;
      continue;
    }
    if (trimmed.startsWith('#')) {
      const directive = /^#\s*([a-zA-Z]+)\s*=\s*(.*)$/.exec(trimmed);
      if (directivesAllowed && directive && directive[1]!.toLowerCase() === 'escape') {
        throw new DockerfileError(i + 1, 'escape', 'parser directives other than syntax= are not supported');
      }
      if (!directive) directivesAllowed = false;
      continue;
    }
    directivesAllowed = false;
    const line = i + 1;
    let body = first;
    // A trailing backslash continues the instruction; docker drops the backslash and the
    // newline, and skips comment and empty lines inside a continued instruction.
    while (/\\\s*$/.test(body)) {
      body = body.replace(/\\\s*$/, '');
      i++;
      while (i < lines.length && (lines[i]!.trim() === '' || lines[i]!.trim().startsWith('#'))) i++;
      if (i >= lines.length) break;
      body += lines[i]!;
    }
    const m = /^\s*(\S+)\s*(.*)$/s.exec(body)!;
    out.push({ keyword: m[1]!.toUpperCase(), args: m[2]!.trim(), line });
  }
  return out;
}

// ---- .dockerignore (moby/patternmatcher semantics) ----

interface IgnorePattern {
  readonly regex: RegExp;
  readonly exclusion: boolean;
}

/** Go filepath.Match-style glob to an anchored regex; `**` spans directories as docker's does. */
function globRegex(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*' && glob[i + 1] === '*') {
      i++;
      if (glob[i + 1] === '/') {
        i++;
        re += '(?:.*/)?';
      } else re += '.*';
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 1);
      if (end < 0) throw new Error(`bad pattern ${glob}: unclosed [`);
      let cls = glob.slice(i + 1, end);
      if (cls.startsWith('^') || cls.startsWith('!')) cls = '^' + cls.slice(1);
      re += `[${cls.replace(/\\/g, '\\\\')}]`;
      i = end;
    } else if (c === '\\' && i + 1 < glob.length) {
      i++;
      re += glob[i]!.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    } else re += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** The patterns of <context>/.dockerignore, in order; none when the file is absent. */
export function readDockerignore(context: string): IgnorePattern[] {
  const file = join(context, '.dockerignore');
  if (!existsSync(file)) return [];
  const patterns: IgnorePattern[] = [];
  for (const raw of readFileSync(file, 'utf8').split(/\r?\n/)) {
    let p = raw.trim();
    if (p === '' || p.startsWith('#')) continue;
    const exclusion = p.startsWith('!');
    if (exclusion) p = p.slice(1).trim();
    p = posix.normalize(p).replace(/^\/+/, '').replace(/\/+$/, '');
    if (p === '' || p === '.') continue;
    patterns.push({ regex: globRegex(p), exclusion });
  }
  return patterns;
}

/** True when .dockerignore leaves `rel` out: the last pattern matching it or a parent wins. */
function ignored(rel: string, patterns: readonly IgnorePattern[]): boolean {
  const parts = rel.split('/');
  const prefixes = parts.map((_, i) => parts.slice(0, i + 1).join('/'));
  let out = false;
  for (const p of patterns) {
    if (prefixes.some((prefix) => p.regex.test(prefix))) out = !p.exclusion;
  }
  return out;
}

type EntryKind = 'file' | 'dir' | 'symlink';

/** Every path of the build context docker would send: relative POSIX path -> kind. */
export function contextEntries(context: string): Map<string, EntryKind> {
  const patterns = readDockerignore(context);
  const hasExclusions = patterns.some((p) => p.exclusion);
  const entries = new Map<string, EntryKind>();
  const walk = (rel: string) => {
    for (const d of readdirSync(join(context, rel), { withFileTypes: true })) {
      const childRel = rel === '' ? d.name : `${rel}/${d.name}`;
      const skip = ignored(childRel, patterns);
      if (d.isDirectory()) {
        if (!skip) entries.set(childRel, 'dir');
        if (!skip || hasExclusions) walk(childRel);
      } else if (!skip) {
        entries.set(childRel, d.isSymbolicLink() ? 'symlink' : 'file');
      }
    }
  };
  walk('');
  return entries;
}

// ---- stages and the build ----

export interface Stage {
  readonly index: number;
  readonly name: string | undefined;
  readonly base: string;
  /** The directory of this machine that stands in for the stage's `/`. */
  readonly root: string;
  workdir: string;
  readonly env: Record<string, string>;
  user: string | undefined;
  readonly exposed: string[];
  entrypoint: string[] | undefined;
  cmd: string[] | undefined;
}

export interface BuildOptions {
  /** The build context directory (`docker build <context>`). */
  readonly context: string;
  /** Default <context>/Dockerfile. */
  readonly dockerfile?: string;
  /**
   * Environment RUN gets besides PATH (this machine's, where node and npm are) and HOME (/root of
   * the stage): what the base image and the builder's network setup would provide (CA
   * certificates, an npm cache). The stage's ENV wins over it.
   */
  readonly runEnv?: Readonly<Record<string, string>>;
  /** Receives each instruction and RUN's output as it happens. */
  readonly log?: (text: string) => void;
}

export interface BuiltImage {
  readonly stages: readonly Stage[];
  /** The last stage: the image. */
  readonly image: Stage;
  /** The directory of this machine holding every stage. */
  readonly dir: string;
  /** Where an absolute path of the image is on this machine. */
  hostPath(imagePath: string): string;
  remove(): void;
}

/** Builds like `docker build -f <dockerfile> <context>`; throws DockerfileError at the first failure. */
export async function dockerBuild(opts: BuildOptions): Promise<BuiltImage> {
  const context = realpathSync(opts.context);
  const text = readFileSync(opts.dockerfile ?? join(context, 'Dockerfile'), 'utf8');
  const instructions = parseDockerfile(text);
  const log = opts.log ?? (() => {});
  const dir = mkdtempSync(join(tmpdir(), 'dockerfile-build-'));
  const stages: Stage[] = [];
  let contextCache: Map<string, EntryKind> | undefined;
  const entries = () => (contextCache ??= contextEntries(context));
  try {
    for (const ins of instructions) {
      log(`#${ins.line} ${ins.keyword} ${ins.args}\n`);
      const fail = (message: string): never => {
        throw new DockerfileError(ins.line, ins.keyword, message);
      };
      if (ins.keyword === 'FROM') {
        stages.push(fromStage(ins, stages, dir, fail));
        continue;
      }
      const stage = stages.at(-1) ?? fail('comes before the first FROM');
      if (ins.keyword !== 'RUN' && ins.args.includes('$')) fail('variables ($...) are not supported by this interpreter');
      switch (ins.keyword) {
        case 'WORKDIR':
          stage.workdir = posix.resolve(stage.workdir, ins.args);
          mkdirSync(hostPathIn(stage, stage.workdir), { recursive: true });
          break;
        case 'ENV':
          Object.assign(stage.env, parseEnv(ins.args, fail));
          break;
        case 'COPY':
          copy(ins.args, stage, stages, context, entries, fail);
          checkContained(stage, fail);
          break;
        case 'RUN':
          await run(ins.args, stage, opts.runEnv ?? {}, log, fail);
          checkContained(stage, fail);
          break;
        case 'USER':
          stage.user = ins.args;
          break;
        case 'EXPOSE':
          stage.exposed.push(...ins.args.split(/\s+/));
          break;
        case 'ENTRYPOINT':
          stage.entrypoint = commandForm(ins.args);
          break;
        case 'CMD':
          stage.cmd = commandForm(ins.args);
          break;
        default:
          fail('this instruction is not supported by the test Dockerfile interpreter (test/support/dockerfile.ts)');
      }
    }
    const image = stages.at(-1);
    if (!image) throw new DockerfileError(1, 'FROM', 'the Dockerfile has no FROM');
    return {
      stages,
      image,
      dir,
      hostPath: (imagePath) => hostPathIn(image, imagePath),
      remove: () => rmSync(dir, { recursive: true, force: true }),
    };
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}

function fromStage(ins: Instruction, stages: readonly Stage[], dir: string, fail: (m: string) => never): Stage {
  const m = /^(\S+)(?:\s+as\s+(\S+))?$/i.exec(ins.args) ?? fail(`expected "FROM <image> [AS <name>]", got "${ins.args}"`);
  const [, base, name] = m as unknown as [string, string, string | undefined];
  if (base.startsWith('--')) fail(`flags (${base}) are not supported`);
  if (stages.some((s) => s.name === base)) fail(`FROM <stage> (${base}) is not supported`);
  const major = process.versions.node.split('.')[0];
  const image = /^node:(\d+)(?:[.-][\w.-]*)?$/.exec(base);
  if (!image || image[1] !== major) {
    fail(`only node:${major}* base images can be stood in for by this machine's node ${process.version}, not ${base}`);
  }
  const index = stages.length;
  const root = mkdtempSync(join(dir, `stage-${index}-`));
  mkdirSync(join(root, 'root'));
  return { index, name, base, root, workdir: '/', env: {}, user: undefined, exposed: [], entrypoint: undefined, cmd: undefined };
}

/** The host path of an absolute image path in `stage` (posix.resolve cannot climb above /). */
function hostPathIn(stage: Stage, imagePath: string): string {
  const clean = posix.resolve('/', imagePath);
  return clean === '/' ? stage.root : join(stage.root, ...clean.slice(1).split('/'));
}

function parseEnv(args: string, fail: (m: string) => never): Record<string, string> {
  const env: Record<string, string> = {};
  if (!/^[^\s=]+=/.test(args)) {
    // Legacy form: ENV <key> <value>
    const m = /^(\S+)\s+(.*)$/.exec(args) ?? fail('expected ENV <key>=<value> ...');
    env[m[1]!] = m[2]!;
    return env;
  }
  const re = /([^\s=]+)=(?:"((?:[^"\\]|\\.)*)"|'([^']*)'|((?:[^\s\\]|\\.)*))(?:\s+|$)/gy;
  let consumed = 0;
  for (let m = re.exec(args); m; m = re.exec(args)) {
    env[m[1]!] = (m[2] ?? m[3] ?? m[4] ?? '').replace(/\\(.)/g, '$1');
    consumed = re.lastIndex;
  }
  if (consumed !== args.length) fail(`cannot parse "${args}"`);
  return env;
}

/** ENTRYPOINT/CMD/RUN: the exec (JSON) form, or the shell form run by /bin/sh -c. */
function commandForm(args: string): string[] {
  if (args.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(args);
      if (Array.isArray(parsed) && parsed.every((a) => typeof a === 'string')) return parsed;
    } catch {
      // Not JSON: docker falls back to the shell form, and so does this.
    }
  }
  return ['/bin/sh', '-c', args];
}

function copy(
  args: string,
  stage: Stage,
  stages: readonly Stage[],
  context: string,
  entries: () => Map<string, EntryKind>,
  fail: (m: string) => never,
): void {
  const words = args.startsWith('[') ? commandForm(args) : args.split(/\s+/);
  let from: Stage | undefined;
  while (words[0]?.startsWith('--')) {
    const flag = words.shift()!;
    const fromName = /^--from=(.+)$/.exec(flag)?.[1];
    if (fromName !== undefined) {
      from = stages.find((s) => s.name === fromName || String(s.index) === fromName);
      if (!from || from === stage) fail(`--from=${fromName} names no earlier stage`);
    } else if (!/^--chown=/.test(flag)) {
      fail(`flag ${flag} is not supported`);
    }
  }
  if (words.length < 2) fail('expected COPY <src>... <dest>');
  const destArg = words.pop()!;
  const dest = posix.resolve(stage.workdir, destArg);
  const destHost = hostPathIn(stage, dest);

  // Each source becomes the host paths it names, as docker expands it.
  interface Source {
    readonly host: string;
    readonly isDir: boolean;
    /** For context sources: keeps what .dockerignore leaves out from being copied. */
    readonly filter?: (hostPath: string) => boolean;
  }
  const sources: Source[] = [];
  for (const src of words) {
    const wildcard = /[*?[]/.test(src);
    if (from) {
      if (wildcard) fail(`wildcards with --from (${src}) are not supported`);
      const host = hostPathIn(from, posix.resolve('/', src));
      if (!existsSync(host)) fail(`"${src}" not found in stage ${from.name ?? from.index}`);
      sources.push({ host, isDir: statSync(host).isDirectory() });
      continue;
    }
    const rel = posix.normalize(src).replace(/^\/+/, '').replace(/\/+$/, '');
    if (rel === '..' || rel.startsWith('../')) fail(`forbidden path outside the build context: ${src}`);
    const all = entries();
    const filter = (hostPath: string) => {
      const r = relative(context, hostPath).split(sep).join('/');
      return r === '' || all.has(r);
    };
    const names =
      rel === '.' || rel === ''
        ? ['']
        : wildcard
          ? [...all.keys()].filter((k) => globRegex(rel).test(k))
          : all.has(rel)
            ? [rel]
            : fail(`"${src}" not found: it is not in the build context${existsSync(join(context, rel)) ? ' (.dockerignore leaves it out)' : ''}`);
    for (const name of names) {
      const kind = name === '' ? 'dir' : all.get(name)!;
      sources.push({ host: join(context, name), isDir: kind === 'dir', filter });
    }
  }
  if (sources.length === 0) fail(`no source files were specified (${words.join(' ')} matched nothing)`);
  const destIsDir = destArg.endsWith('/') || (existsSync(destHost) && statSync(destHost).isDirectory());
  if (sources.length > 1 && !destIsDir) {
    fail('When using COPY with more than one source file, the destination must be a directory and end with a /');
  }
  for (const s of sources) {
    const options = { recursive: true, verbatimSymlinks: true, force: true, ...(s.filter ? { filter: s.filter } : {}) };
    if (s.isDir) {
      // A directory's contents, not the directory itself.
      mkdirSync(destHost, { recursive: true });
      cpSync(s.host, destHost, options);
    } else {
      const target = destIsDir ? join(destHost, s.host.slice(s.host.lastIndexOf(sep) + 1)) : destHost;
      mkdirSync(dirname(target), { recursive: true });
      cpSync(s.host, target, options);
    }
  }
}

async function run(
  args: string,
  stage: Stage,
  runEnv: Readonly<Record<string, string>>,
  log: (text: string) => void,
  fail: (m: string) => never,
): Promise<void> {
  if (stage.workdir !== '/') {
    const escaped = stage.workdir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    if (new RegExp(`(^|[\\s'"=:])${escaped}(/|[\\s'";:]|$)`).test(args)) {
      fail(`names the image path ${stage.workdir}, which RUN here would take as a path of this machine`);
    }
  }
  const argv = commandForm(args);
  const cwd = hostPathIn(stage, stage.workdir);
  mkdirSync(cwd, { recursive: true });
  const env = { PATH: process.env['PATH'] ?? '/usr/local/bin:/usr/bin:/bin', HOME: join(stage.root, 'root'), ...runEnv, ...stage.env };
  const { code, output } = await new Promise<{ code: number | null; output: string }>((done, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const take = (d: Buffer) => {
      output += d.toString();
      log(d.toString());
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.on('error', reject);
    child.on('close', (c) => done({ code: c, output }));
  });
  if (code !== 0) {
    fail(`the command '${argv.join(' ')}' returned a non-zero code: ${code}\n${output.slice(-4000)}`);
  }
}

/** Refuses a stage holding a symlink that leaves it: absolute, or climbing out of its root. */
function checkContained(stage: Stage, fail: (m: string) => never): void {
  const walk = (host: string) => {
    for (const d of readdirSync(host, { withFileTypes: true })) {
      const path = join(host, d.name);
      if (d.isSymbolicLink()) {
        const target = readlinkSync(path);
        const imagePath = '/' + relative(stage.root, path).split(sep).join('/');
        if (isAbsolute(target)) {
          fail(`${imagePath} is a symlink to the absolute path ${target}, which means one thing in an image and another here`);
        }
        const resolved = resolve(dirname(path), target);
        if (resolved !== stage.root && !resolved.startsWith(stage.root + sep)) {
          fail(`${imagePath} is a symlink to ${target}, outside the image (on the build machine: ${resolved})`);
        }
      } else if (d.isDirectory()) {
        walk(path);
      }
    }
  };
  if (lstatSync(stage.root).isDirectory()) walk(stage.root);
}
