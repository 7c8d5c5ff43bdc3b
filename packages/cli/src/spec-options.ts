import { OPERATION_INPUTS } from "@mkp/client/internal";
import { InvalidArgumentError, Option } from "commander";

type Inputs = typeof OPERATION_INPUTS;
/** The inputs of `operation`, by name, as the spec describes them. */
type FieldsOf<O extends keyof Inputs> = Inputs[O]["schema"]["properties"];

/** The JSON Schema keywords a command-line option is checked against. */
interface FieldSchema {
  type?: string;
  enum?: readonly (string | number)[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  description?: string;
}

// "0–99", "> 0", "at least 1": the range in words for help and errors.
function rangeOf(schema: FieldSchema): string {
  const low = schema.minimum !== undefined ? `${schema.minimum}` : schema.exclusiveMinimum !== undefined ? `more than ${schema.exclusiveMinimum}` : undefined;
  const high = schema.maximum !== undefined ? `${schema.maximum}` : schema.exclusiveMaximum !== undefined ? `less than ${schema.exclusiveMaximum}` : undefined;
  if (schema.minimum !== undefined && schema.maximum !== undefined) return `${low} to ${high}`;
  if (low && high) return `${low} and ${high}`;
  if (schema.minimum !== undefined) return `at least ${low}`;
  return low ?? (high ? `at most ${high}` : "");
}

/** Reads a number option and checks it against its schema (integer or not, the range). */
export function numberParser(schema: FieldSchema): (value: string) => number {
  const integer = schema.type === "integer";
  const range = rangeOf(schema);
  const wanted = `${integer ? "a whole number" : "a number"}${range ? ` (${range})` : ""}`;
  return (value) => {
    const number = Number(value);
    const ok =
      value.trim() !== "" &&
      Number.isFinite(number) &&
      (!integer || Number.isInteger(number)) &&
      (schema.minimum === undefined || number >= schema.minimum) &&
      (schema.maximum === undefined || number <= schema.maximum) &&
      (schema.exclusiveMinimum === undefined || number > schema.exclusiveMinimum) &&
      (schema.exclusiveMaximum === undefined || number < schema.exclusiveMaximum);
    if (!ok) throw new InvalidArgumentError(`expected ${wanted}.`);
    return number;
  };
}

/**
 * A command-line option for one input of a spec operation: its help text, choices and range come
 * from `OPERATION_INPUTS`, so a spec edit changes `mkp` with `pnpm generate`.
 */
export function specOption<O extends keyof Inputs>(operation: O, field: keyof FieldsOf<O> & string, flags: string, help?: string): Option {
  const schema = (OPERATION_INPUTS[operation].schema.properties as Record<string, FieldSchema | undefined>)[field];
  // `field` is typed from the spec, so a renamed field fails the build. Only a build that skipped
  // the type check gets here: the one option says what is wrong when used, every other command runs.
  if (schema === undefined) {
    const problem = `the spec this mkp was built from has no input "${field}" for ${operation}: rebuild mkp (its type check names the option to change)`;
    return new Option(flags, `(unavailable: ${problem})`).argParser(() => {
      throw new InvalidArgumentError(problem);
    });
  }
  const option = new Option(flags, help ?? (schema.description ?? field).trim().replace(/\s+/g, " "));
  if (schema.enum) return option.choices(schema.enum.map(String));
  if (schema.type === "integer" || schema.type === "number") return option.argParser(numberParser(schema));
  return option;
}
