// The two OpenAPI versions differ in where definitions live and in what a schema may say.
// Builders take a Dialect instead of branching on a version flag in many places.
import type { JsonObject } from './order.js';

export interface Dialect {
  readonly version: 'v2' | 'v3';
  /** A reference to a named definition. */
  ref(name: string): JsonObject;
  /**
   * A reference that also carries a description. OpenAPI 3.0 ignores siblings of `$ref`, so
   * v3 wraps the reference in `allOf` (as kube-openapi publishes it); v2 keeps kube's
   * `$ref` + `description` form.
   */
  refWithDescription(name: string, description: string): JsonObject;
}

export const swagger2: Dialect = {
  version: 'v2',
  ref: (name) => ({ $ref: `#/definitions/${name}` }),
  refWithDescription: (name, description) => ({ $ref: `#/definitions/${name}`, description }),
};

export const openapi3: Dialect = {
  version: 'v3',
  ref: (name) => ({ $ref: `#/components/schemas/${name}` }),
  refWithDescription: (name, description) => ({
    allOf: [{ $ref: `#/components/schemas/${name}` }],
    description,
  }),
};
