// Checks of the names `aa-gen init` accepts on its command line, so a bad flag is a usage
// error before anything is written (rules as in k8s.io/apimachinery/pkg/util/validation).

const dnsLabel = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** A DNS-1123 label (RFC 1123): project names become Service and Deployment names. */
export function isDnsLabel(s: string): boolean {
  return s.length <= 63 && dnsLabel.test(s);
}

/** A DNS-1123 subdomain with at least one dot, as API groups of aggregated servers are. */
export function isGroupName(s: string): boolean {
  return s.length <= 253 && s.includes('.') && s.split('.').every(isDnsLabel);
}

/** A Kubernetes API version: v1, v2beta3, v1alpha1. */
export function isApiVersion(s: string): boolean {
  return /^v[1-9][0-9]*((alpha|beta)[1-9][0-9]*)?$/.test(s);
}

/** An UpperCamelCase kind name. */
export function isKindName(s: string): boolean {
  return /^[A-Z][A-Za-z0-9]*$/.test(s) && s.length <= 63;
}

/** A project name derived from a directory name: lower-cased, other characters to dashes. */
export function nameFromDirectory(base: string): string {
  const name = base
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63)
    .replace(/-+$/, '');
  return name === '' ? 'apiserver' : name;
}
