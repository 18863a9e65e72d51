// Every name aa-gen derives, in one place: resource names from kinds, the project name from the
// group, deploy names from the project name. The spec loader checks derived names with the
// same functions the IR builder uses, so what is validated is what is generated.

/** `Flunder` -> `flunder` (a CRD's default singular: the lower-cased kind). */
export function singularOf(kind: string): string {
  return kind.toLowerCase();
}

/**
 * The English plural of the lower-cased kind: consonant + y -> ies (policy -> policies),
 * s/x/z/ch/sh -> +es (box -> boxes), else +s (flunder -> flunders). Like kubebuilder and
 * client-gen, irregular plurals must be written in the spec.
 */
export function pluralOf(kind: string): string {
  const s = kind.toLowerCase();
  if (/[^aeiou]y$/.test(s)) return s.slice(0, -1) + 'ies';
  if (/(s|x|z|ch|sh)$/.test(s)) return s + 'es';
  return s + 's';
}

export function listKindOf(kind: string): string {
  return `${kind}List`;
}

/** `wardle.example.com` -> `wardle`. */
export function defaultProjectName(group: string): string {
  return group.split('.')[0];
}

export function defaultServiceName(project: string): string {
  return `${project}-apiserver`;
}

export function defaultImage(project: string): string {
  return `${project}-apiserver:latest`;
}
