// The project files around the generated code. User-owned (created once, never overwritten):
// tsconfig.json, README.md, .gitignore, .dockerignore, src/main.ts, Dockerfile. Generated
// (rewritten by every generate): hack/pack-local-deps.mjs, which packs `file:` dependencies for
// the image, and vendor/README.md, which keeps the directory it packs into in every checkout.
// They are prose, scaffolds and a script, so they come from handlebars templates in
// templates/project/. package.json is
// not emitted here: `aa-gen init` writes it, because its aa-gen dependency depends on where
// aa-gen runs from, which an emitter (a pure function of the IR) must not know.
import { readFileSync } from 'node:fs';
import Handlebars from 'handlebars';
import type { ProjectIR } from '../model/ir.js';
import type { Emitter, GeneratedFile } from './emitter.js';
import { importPath, paths } from './paths.js';

/** templates/ of the aa-gen package: two levels above src/emit/ and dist/emit/. */
const templatesDir = new URL('../../templates/', import.meta.url);

/**
 * Renders templates/<name>.hbs with `data`. Templates are part of the aa-gen package (like its
 * code), not project input, so reading them keeps the emitter a pure function of the IR. Strict:
 * a field the template names but `data` lacks is an error, not an empty string.
 */
export function renderTemplate(name: string, data: object): string {
  const source = readFileSync(new URL(`${name}.hbs`, templatesDir), 'utf8');
  const handlebars = Handlebars.create();
  return handlebars.compile(source, { noEscape: true, strict: true })(data);
}

function readmeData(ir: ProjectIR) {
  const kinds = ir.kinds.map((k) => ({
    kind: k.kind,
    plural: k.plural,
    scope: k.scope,
    namespaced: k.scope === 'Namespaced',
    versions: k.versions.map((v) => `\`${v.version}\``).join(', '),
  }));
  const first = ir.kinds[0];
  const exampleVersion = first && (first.versions.find((v) => v.version === ir.preferredVersion) ?? first.versions[0]);
  const example =
    first && exampleVersion
      ? {
          kind: first.kind,
          plural: first.plural,
          namespaced: first.scope === 'Namespaced',
          apiVersion: `${ir.group}/${exampleVersion.version}`,
          hasSpec: exampleVersion.schema.properties?.['spec'] !== undefined,
        }
      : false;
  return {
    name: ir.name,
    group: ir.group,
    preferredVersion: ir.preferredVersion,
    storageVersion: ir.storageVersion,
    kinds,
    example,
    image: ir.deploy.image,
    namespace: ir.deploy.namespace,
    serviceName: ir.deploy.serviceName,
  };
}

function emitProject(ir: ProjectIR): GeneratedFile[] {
  const file = (owner: GeneratedFile['owner']) => (path: string, template: string, data: object = {}): GeneratedFile => ({
    path,
    content: renderTemplate(`project/${template}`, data),
    owner,
  });
  const user = file('user');
  const generated = file('generated');
  return [
    user('.dockerignore', 'dockerignore'),
    user('.gitignore', 'gitignore'),
    user('Dockerfile', 'Dockerfile', { name: ir.name, image: ir.deploy.image }),
    generated('hack/pack-local-deps.mjs', 'pack-local-deps.mjs', { image: ir.deploy.image }),
    user('README.md', 'README.md', readmeData(ir)),
    user(paths.main(), 'main.ts', {
      name: ir.name,
      group: ir.group,
      registryImport: importPath(paths.main(), paths.registry()),
    }),
    user('tsconfig.json', 'tsconfig.json'),
    generated('vendor/README.md', 'vendor-README.md', { name: ir.name }),
  ];
}

export const projectEmitter: Emitter = { name: 'project', emit: emitProject };
