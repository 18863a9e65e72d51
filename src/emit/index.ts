// The registered emitters, in the fixed order they run. Each is a pure function IR -> files.
import type { ProjectIR } from '../model/ir.js';
import type { Emitter, GeneratedFile } from './emitter.js';
import { typesEmitter } from './typescript-types.js';
import { registerEmitter } from './register.js';
import { validationEmitter } from './validation.js';
import { conversionEmitter } from './conversion.js';
import { openapiEmitter } from './openapi.js';
import { registryEmitter } from './registry.js';
import { manifestsEmitter } from './manifests.js';
import { projectEmitter } from './project.js';
import { clientEmitter } from './client.js';
import { roundtripEmitter } from './roundtrip.js';
import { admissionEmitter } from './admission.js';

export const emitters: readonly Emitter[] = [
  typesEmitter,
  registerEmitter,
  validationEmitter,
  conversionEmitter,
  roundtripEmitter,
  openapiEmitter,
  registryEmitter,
  admissionEmitter,
  manifestsEmitter,
  clientEmitter,
  projectEmitter,
];

/** Runs every emitter; fails on two emitters claiming one path (an internal bug). */
export function emitAll(ir: ProjectIR): GeneratedFile[] {
  const files: GeneratedFile[] = [];
  const seen = new Map<string, string>();
  for (const emitter of emitters) {
    for (const file of emitter.emit(ir)) {
      const other = seen.get(file.path);
      if (other !== undefined) {
        throw new Error(`emitters ${other} and ${emitter.name} both produce ${file.path}`);
      }
      seen.set(file.path, emitter.name);
      files.push(file);
    }
  }
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

export type { Emitter, GeneratedFile } from './emitter.js';
