// Admission errors as kube answers them: k8s.io/apiserver pkg/admission/errors.go NewForbidden
// over k8s.io/apimachinery pkg/api/errors NewForbidden:
//   `<resource>.<group> "<name>" is forbidden: <reason>` (403, reason Forbidden,
//   details {name, group, kind: <resource>}).
import { StatusError } from '../errors.js';
import type { AdmissionAttributes } from './types.js';

/**
 * The Forbidden Status for a request refused by admission. The name is the request's, else
 * the object's name, else its generateName, else `Unknown` (extractResourceName). A
 * StatusError that is already Forbidden is returned as it is (no double wrapping).
 */
export function admissionForbidden(a: Pick<AdmissionAttributes, 'resource' | 'name' | 'object' | 'oldObject'>, reason: unknown): StatusError {
  if (reason instanceof StatusError && reason.reason === 'Forbidden') return reason;
  const message = reason instanceof Error ? reason.message : String(reason);
  const meta = (a.object ?? a.oldObject)?.metadata;
  const name = a.name || meta?.name || meta?.generateName || 'Unknown';
  return newForbidden(a.resource.group, a.resource.resource, name, message);
}

/** apimachinery errors.NewForbidden(qualifiedResource, name, err). */
export function newForbidden(group: string, resource: string, name: string, message: string): StatusError {
  const qualified = group ? `${resource}.${group}` : resource;
  const text = !resource
    ? `forbidden: ${message}`
    : name
      ? `${qualified} ${JSON.stringify(name)} is forbidden: ${message}`
      : `${qualified} is forbidden: ${message}`;
  return new StatusError('Forbidden', text, { ...(name ? { name } : {}), group, kind: resource });
}
