import { Ajv2020, type ErrorObject, type ValidateFunction } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import type { JsonSchema } from "./tools.js";

/**
 * Checks tool arguments against each tool's input schema, and the server's own answers against its
 * output schema (JSON Schema 2020-12, the dialect of OpenAPI 3.1 and of MCP 2025-11-25).
 */
export class SchemaValidator {
  // verbose: an error carries its keyword's schema (oneOf's alternatives, for the message).
  readonly #ajv = new Ajv2020({ strict: false, allErrors: true, verbose: true });
  readonly #inputs = new Map<string, ValidateFunction>();
  readonly #outputs = new Map<string, ValidateFunction>();

  constructor(tools: readonly { name: string; inputSchema: JsonSchema; outputSchema: JsonSchema }[]) {
    addFormats.default(this.#ajv);
    for (const tool of tools) {
      this.#inputs.set(tool.name, this.#ajv.compile(tool.inputSchema));
      this.#outputs.set(tool.name, this.#ajv.compile(tool.outputSchema));
    }
  }

  /**
   * The problems with `args` for the tool `name`, each naming the field (`item_id: must be integer`),
   * or an empty list when they fit.
   */
  inputProblems(name: string, args: unknown): string[] {
    return problems(this.#inputs.get(name)!, args);
  }

  /** The ways `structured` misses the tool's output schema (an API answer off its description), or an empty list. */
  outputProblems(name: string, structured: unknown): string[] {
    return problems(this.#outputs.get(name)!, structured);
  }
}

function problems(validate: ValidateFunction, value: unknown): string[] {
  if (validate(value)) return [];
  const errors = validate.errors ?? [];
  // A failed oneOf reports each branch's miss too; its own message names the alternatives.
  const branches = (error: ErrorObject) => errors.some((other) => other.keyword === "oneOf" && error.schemaPath.startsWith(`${other.schemaPath}/`));
  return [...new Set(errors.filter((error) => !branches(error)).map(describe))];
}

function describe(error: ErrorObject): string {
  const field = error.instancePath.slice(1).replaceAll("/", ".");
  const at = (name: string) => (field ? `${field}.${name}` : name);
  switch (error.keyword) {
    case "required":
      return `${at(String(error.params.missingProperty))}: is required`;
    case "additionalProperties":
      return `${at(String(error.params.additionalProperty))}: is not an input of this tool`;
    case "enum":
      return `${field}: must be one of ${(error.params.allowedValues as unknown[]).map((value) => JSON.stringify(value)).join(", ")}`;
    case "oneOf":
      return `${field || "arguments"}: give exactly one of the alternatives (${(error.schema as { required?: string[] }[]).map((branch) => branch.required?.join(" + ")).join(" or ")})`;
    default:
      return `${field || "arguments"}: ${error.message ?? "is not valid"}`;
  }
}
