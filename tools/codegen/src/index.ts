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
export { readOperationInput, type OperationInput, type InputLocation } from "./operation-inputs.ts";
export { layoutFor, REPO_ROOT, type Layout } from "./paths.ts";
export { SpecError } from "./spec-error.ts";
export { followRef } from "./follow-ref.ts";
export { emitTypes, TYPES_OPTIONS } from "./emit-types.ts";
