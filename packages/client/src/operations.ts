import { OPERATIONS } from "./generated/spec.js";

type Operation = (typeof OPERATIONS)[keyof typeof OPERATIONS];

const byRoute = new Map<string, Operation>(
  Object.values(OPERATIONS).map((operation) => [`${operation.method} ${operation.path}`, operation]),
);

/** The spec's facts about the operation behind a request, by method and path template. */
export function operationFor(method: string, schemaPath: string): Operation | undefined {
  return byRoute.get(`${method.toUpperCase()} ${schemaPath}`);
}
