export { generate, emitBundledJson, writeGenerated, staleFiles, GENERATED_HEADER, type GeneratedFile } from "./generate.ts";
export { bundleSpec, type BundledSpec, type SpecDocument } from "./bundle-spec.ts";
export {
  readSpecConstants,
  emitSpecConstants,
  publicRoutes,
  requestBodyTypes,
  routeOf,
  type SpecConstants,
  type OperationFacts,
} from "./emit-spec-constants.ts";
export { readOperationInput, readOperationOutput, callbackInputs, type OperationInput, type OperationOutput, type InputLocation } from "./operation-inputs.ts";
export { layoutFor, REPO_ROOT, type Layout } from "./paths.ts";
export { SpecError, resolveInSpec } from "./spec-error.ts";
export {
  atPointer,
  followRef,
  HTTP_METHODS,
  type HttpMethod,
  isObject,
  type JsonObject,
  refSegments,
  type Resolved,
  resolveRef,
  UnresolvableRefError,
} from "./spec-walk.ts";
export { SAMPLE_LANGUAGES, SCAFFOLD_MARK, type SampleLanguage } from "./samples.ts";
export { emitTypes, TYPES_OPTIONS } from "./emit-types.ts";
