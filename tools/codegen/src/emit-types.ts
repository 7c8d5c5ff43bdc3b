import { createRequire } from "node:module";
import type { Config } from "@redocly/openapi-core";
import type { GlobalContext, OpenAPI3, OpenAPITSOptions } from "openapi-typescript";
import type { SpecDocument } from "./bundle-spec.ts";

// Required, not imported: importing TypeScript's 9 MB CommonJS file from ESM makes Node scan it
// for export names first (~0.35 s CPU and ~30 MB per run); openapi-typescript ships CommonJS too.
const require = createRequire(import.meta.url);
const ts = require("typescript") as typeof import("typescript");
const { astToString, resolveRef, scanDiscriminators, transformSchema } = require("openapi-typescript") as typeof import("openapi-typescript");

// `format: binary` is a file: callers pass a Blob/File (which FormData can send), not a string.
const BLOB = ts.factory.createTypeReferenceNode(ts.factory.createIdentifier("Blob"));

/** The options we would give openapi-typescript's `openapiTS()`. */
export const TYPES_OPTIONS = {
  silent: true,
  alphabetize: false,
  transform(schemaObject) {
    return "format" in schemaObject && schemaObject.format === "binary" ? BLOB : undefined;
  },
} satisfies OpenAPITSOptions;

/**
 * The context `openapiTS()` builds from {@link TYPES_OPTIONS} after its own parse, lint and bundle
 * (openapi-typescript 7.13, src/index.ts), with its defaults for every option we leave out.
 */
function contextFor(document: OpenAPI3, config: Config, options: OpenAPITSOptions): GlobalContext {
  const silent = options.silent ?? false;
  return {
    additionalProperties: options.additionalProperties ?? false,
    alphabetize: options.alphabetize ?? false,
    arrayLength: options.arrayLength ?? false,
    defaultNonNullable: options.defaultNonNullable ?? true,
    discriminators: scanDiscriminators(document, options),
    emptyObjectsUnknown: options.emptyObjectsUnknown ?? false,
    enum: options.enum ?? false,
    enumValues: options.enumValues ?? false,
    conditionalEnums: options.conditionalEnums ?? false,
    dedupeEnums: options.dedupeEnums ?? false,
    excludeDeprecated: options.excludeDeprecated ?? false,
    exportType: options.exportType ?? false,
    immutable: options.immutable ?? false,
    rootTypes: options.rootTypes ?? false,
    rootTypesNoSchemaPrefix: options.rootTypesNoSchemaPrefix ?? false,
    rootTypesKeepCasing: options.rootTypesKeepCasing ?? false,
    injectFooter: [],
    pathParamsAsTypes: options.pathParamsAsTypes ?? false,
    postTransform: options.postTransform,
    propertiesRequiredByDefault: options.propertiesRequiredByDefault ?? false,
    redoc: config,
    silent,
    ...(options.inject === undefined ? {} : { inject: options.inject }),
    transform: options.transform,
    transformProperty: options.transformProperty,
    makePathsEnum: options.makePathsEnum ?? false,
    generatePathParams: options.generatePathParams ?? false,
    readWriteMarkers: options.readWriteMarkers ?? false,
    resolve($ref) {
      return resolveRef(document, $ref, { silent });
    },
  };
}

/**
 * `paths`, `components` and `operations` types for openapi-fetch, from the spec {@link bundleSpec}
 * already parsed, checked and bundled: openapi-typescript's transform runs on it directly, where its
 * `openapiTS()` entry point would serialise, lint and bundle the document all over again.
 * Call it last: openapi-typescript writes inferred discriminator values into `document`.
 */
export function emitTypes(document: SpecDocument, config: Config): string {
  const schema = document as unknown as OpenAPI3;
  return astToString(transformSchema(schema, contextFor(schema, config, TYPES_OPTIONS)));
}
