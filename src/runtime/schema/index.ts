// Runtime support that generated code calls: compiled-validator glue and error translation,
// ajv's standalone helpers, kube's string formats, conversions and API group wiring.
export { runSchemaValidator, runSchemaDefaulter, schemaErrorsToFieldErrors, jsonTypeName } from './field-errors.js';
export type { SchemaError, CompiledSchemaValidator } from './field-errors.js';
export { ajvRuntime } from './ajv-runtime.js';
export { kubeFormats } from './formats.js';
export type { FormatCheck } from './formats.js';
export { deepCopyJson, defineConversion, manualConversionRequired, ConversionError, ManualConversionRequiredError } from './conversion.js';
export { hubFieldsAnnotation } from './hub-fields.js';
export type { ConversionTable, VersionConversion } from './conversion.js';
export { defineKind, defineApiGroup, ApiDefinitionError } from './define.js';
export type { KindVersionRegistration, KindVersionWiring, KindWiring } from './define.js';
export { arbitraryFromSchema, arbitraryKubeObject, enumStrings } from './arbitrary.js';
export type { KubeObjectArbitraryOptions, SchemaArbitraryOptions } from './arbitrary.js';
export { checkRoundTrip, RoundTripError } from './roundtrip.js';
export type { RoundTripSubject, RoundTripVersion, RoundTripOptions } from './roundtrip.js';
