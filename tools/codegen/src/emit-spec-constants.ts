import type { SpecDocument } from "./bundle-spec.ts";
import { callbackInputs, readOperationInput, readOperationOutput, type OperationInput, type OperationOutput } from "./operation-inputs.ts";
import { resolveInSpec, SpecError } from "./spec-error.ts";
import { HTTP_METHODS, type HttpMethod, isObject, type JsonObject as Json } from "./spec-walk.ts";

/** One operation as the client and the sandbox need to know it at run time. */
export interface OperationFacts {
  method: string;
  path: string;
  serverUrl: string;
  /** false where the spec says `security: []`: such calls never carry credentials. */
  authenticated: boolean;
  /** OAuth 2.0 scopes the operation asks for (empty when it asks for none). */
  scopes: string[];
  /** The request body's media type, or null when the operation takes no body. */
  requestBodyType: string | null;
  /** The operation's `summary` and `description`, for tools that describe it (an MCP server's tool list). */
  summary: string | null;
  description: string | null;
  /** The operation's `tags`: the groups an MCP server's toolsets follow. */
  tags: string[];
  /** Inputs that name a URL the API calls back later (from `callbacks`): never offered to an agent. */
  callbackInputs: string[];
}

/** Everything {@link emitSpecConstants} reads from the spec. */
export interface SpecConstants {
  serverUrl: string;
  apiKeyScheme: string;
  apiKeyHeader: string;
  apiKeyExample: string | null;
  oauth2Scheme: string;
  authorizationUrl: string;
  tokenUrl: string;
  tokenPath: string;
  scopes: Record<string, string>;
  codeLifetimeSeconds: number;
  grantType: string;
  responseTypes: string[];
  defaultResponseType: string;
  operations: Record<string, OperationFacts>;
  /** Every operation's inputs as one JSON Schema, by `operationId`. */
  inputs: Record<string, OperationInput>;
  /** Every operation's success answer, by `operationId` (null when none is documented). */
  outputs: Record<string, OperationOutput | null>;
}

/** Reads `document` at a JSON pointer-like path, failing with the path when a step is missing. */
function at(document: unknown, path: (string | number)[], file: string): unknown {
  let node = document;
  for (const step of path) {
    if (Array.isArray(node) && typeof step === "number") node = node[step];
    else if (isObject(node) && typeof step === "string") node = node[step];
    else node = undefined;
    if (node === undefined) throw new SpecError(`missing #/${path.join("/")}`, file);
  }
  return node;
}

function str(document: unknown, path: (string | number)[], file: string): string {
  const value = at(document, path, file);
  if (typeof value !== "string") throw new SpecError(`#/${path.join("/")} must be a string`, file);
  return value;
}

/** The security schemes' facts: the API key header, the OAuth 2.0 URLs, scopes and code lifetime. */
function readSecurity(document: SpecDocument, serverUrl: string, file: string) {
  const schemes = at(document, ["components", "securitySchemes"], file);
  if (!isObject(schemes)) throw new SpecError("#/components/securitySchemes must be a mapping", file);
  const entries = Object.entries(schemes).map(([name, scheme]) => [name, resolveInSpec(document, scheme, file)] as const);
  const apiKey = entries.find(([, scheme]) => isObject(scheme) && scheme.type === "apiKey" && scheme.in === "header");
  const oauth2 = entries.find(([, scheme]) => isObject(scheme) && scheme.type === "oauth2");
  if (!apiKey) throw new SpecError("no `apiKey` security scheme `in: header`", file);
  if (!oauth2) throw new SpecError("no `oauth2` security scheme", file);
  const [apiKeyScheme, apiKeyObject] = apiKey;
  const [oauth2Scheme, oauth2Object] = oauth2;
  const flow = at(oauth2Object, ["flows", "authorizationCode"], file);
  const authorizationUrl = str(flow, ["authorizationUrl"], file);
  const tokenUrl = str(flow, ["tokenUrl"], file);
  const scopes = at(flow, ["scopes"], file);
  if (!isObject(scopes) || !Object.values(scopes).every((value) => typeof value === "string")) {
    throw new SpecError(`#/components/securitySchemes/${oauth2Scheme}/flows/authorizationCode/scopes must map names to descriptions`, file);
  }
  const lifetime = at(flow, ["x-code-lifetime-seconds"], file);
  if (typeof lifetime !== "number" || !Number.isInteger(lifetime) || lifetime <= 0) {
    throw new SpecError("x-code-lifetime-seconds must be a positive integer", file);
  }
  if (!tokenUrl.startsWith(`${serverUrl}/`)) throw new SpecError(`tokenUrl ${tokenUrl} is not under ${serverUrl}`, file);
  const example = isObject(apiKeyObject) ? apiKeyObject["x-example"] : undefined;
  return {
    apiKeyScheme,
    apiKeyHeader: str(apiKeyObject, ["name"], file),
    apiKeyExample: typeof example === "string" ? example : null,
    oauth2Scheme,
    authorizationUrl,
    tokenUrl,
    tokenPath: tokenUrl.slice(serverUrl.length),
    scopes: scopes as Record<string, string>,
    codeLifetimeSeconds: lifetime,
  };
}

type Security = ReturnType<typeof readSecurity>;

/** One operation's run-time facts; `security` is the operation's own or the document's. */
function operationFacts(
  document: SpecDocument,
  where: { path: string; method: HttpMethod; serverUrl: string },
  operation: Json,
  security: unknown[],
  oauth2Scheme: string,
  file: string,
): OperationFacts {
  const scopeSet = new Set<string>();
  for (const requirement of security) {
    if (!isObject(requirement)) continue;
    const wanted = requirement[oauth2Scheme];
    if (Array.isArray(wanted)) for (const scope of wanted) if (typeof scope === "string") scopeSet.add(scope);
  }
  const body = resolveInSpec(document, operation.requestBody, file);
  const content = isObject(body) && isObject(body.content) ? Object.keys(body.content) : [];
  return {
    method: where.method.toUpperCase(),
    path: where.path,
    serverUrl: where.serverUrl,
    authenticated: security.length > 0,
    scopes: [...scopeSet],
    requestBodyType: content[0] ?? null,
    summary: typeof operation.summary === "string" ? operation.summary.trim() : null,
    description: typeof operation.description === "string" ? operation.description.trim() : null,
    tags: Array.isArray(operation.tags) ? operation.tags.map(String) : [],
    callbackInputs: callbackInputs(operation),
  };
}

/** The first `servers` entry's URL of a path item or operation, if it has one. */
const ownServer = (node: Json): unknown => (Array.isArray(node.servers) && isObject(node.servers[0]) ? node.servers[0].url : undefined);

/** Every operation's facts and inputs, and the two operations OAuth 2.0 needs (authorize and token). */
function readOperations(document: SpecDocument, serverUrl: string, security: Security, file: string) {
  const paths = at(document, ["paths"], file);
  if (!isObject(paths)) throw new SpecError("#/paths must be a mapping", file);
  const topSecurity = Array.isArray(document.security) ? document.security : [];
  const operations: Record<string, OperationFacts> = {};
  const inputs: Record<string, OperationInput> = {};
  const outputs: Record<string, OperationOutput | null> = {};
  let authorizeOperation: Json | undefined;
  let tokenOperation: Json | undefined;
  for (const [path, rawItem] of Object.entries(paths)) {
    const item = resolveInSpec(document, rawItem, file);
    if (!isObject(item)) continue;
    for (const method of HTTP_METHODS) {
      const operation = item[method];
      if (!isObject(operation)) continue;
      const operationId = operation.operationId;
      if (typeof operationId !== "string") throw new SpecError(`${method.toUpperCase()} ${path} has no operationId`, file);
      const server = String(ownServer(operation) ?? ownServer(item) ?? serverUrl);
      const own = Array.isArray(operation.security) ? operation.security : topSecurity;
      const facts = operationFacts(document, { path, method, serverUrl: server }, operation, own, security.oauth2Scheme, file);
      operations[operationId] = facts;
      inputs[operationId] = readOperationInput(document, item, operation, `${facts.method} ${path}`, file);
      outputs[operationId] = readOperationOutput(document, operation, file);
      if (facts.method === "GET" && facts.serverUrl + path === security.authorizationUrl) authorizeOperation = operation;
      if (facts.method === "POST" && facts.serverUrl + path === security.tokenUrl) tokenOperation = operation;
    }
  }
  if (!authorizeOperation) throw new SpecError(`no GET operation at authorizationUrl ${security.authorizationUrl}`, file);
  if (!tokenOperation) throw new SpecError(`no POST operation at tokenUrl ${security.tokenUrl}`, file);
  return { operations, inputs, outputs, authorizeOperation, tokenOperation };
}

/** The token request's `grant_type` and the authorize operation's `response_type` values. */
function readGrantFacts(document: SpecDocument, authorizeOperation: Json, tokenOperation: Json, file: string) {
  const tokenSchema = resolveInSpec(document, at(tokenOperation, ["requestBody", "content", "application/x-www-form-urlencoded", "schema"], file), file);
  const grantType = resolveInSpec(document, at(tokenSchema, ["properties", "grant_type"], file), file);
  if (!isObject(grantType) || typeof grantType.const !== "string") {
    throw new SpecError("the token request's grant_type must be a `const` string", file);
  }
  const parameters = Array.isArray(authorizeOperation.parameters) ? authorizeOperation.parameters : [];
  const responseType = parameters
    .map((parameter) => resolveInSpec(document, parameter, file))
    .find((parameter) => isObject(parameter) && parameter.name === "response_type");
  const responseSchema = isObject(responseType) ? resolveInSpec(document, responseType.schema, file) : undefined;
  if (!isObject(responseSchema) || !Array.isArray(responseSchema.enum) || typeof responseSchema.default !== "string") {
    throw new SpecError("the authorize operation's response_type needs an `enum` and a `default`", file);
  }
  return { grantType: grantType.const, responseTypes: responseSchema.enum.map(String), defaultResponseType: responseSchema.default };
}

/** Collects the constants every package imports instead of writing a URL, header or scope itself. */
export function readSpecConstants(document: SpecDocument, file: string): SpecConstants {
  const serverUrl = str(document, ["servers", 0, "url"], file);
  const security = readSecurity(document, serverUrl, file);
  const { operations, inputs, outputs, authorizeOperation, tokenOperation } = readOperations(document, serverUrl, security, file);
  return { serverUrl, ...security, ...readGrantFacts(document, authorizeOperation, tokenOperation, file), operations, inputs, outputs };
}

const literal = (value: unknown): string => JSON.stringify(value, null, 2);

/** An operation's key in the compact lookups: `"POST /token"`, as method and path template. */
export const routeOf = (operation: OperationFacts): string => `${operation.method} ${operation.path}`;

/** The routes the spec marks `security: []`, in spec order. */
export function publicRoutes(operations: Record<string, OperationFacts>): string[] {
  return Object.values(operations)
    .filter((operation) => !operation.authenticated)
    .map(routeOf);
}

/** The request body's media type by route, for the operations that take a body. */
export function requestBodyTypes(operations: Record<string, OperationFacts>): Record<string, string> {
  const types: Record<string, string> = {};
  for (const operation of Object.values(operations)) if (operation.requestBodyType !== null) types[routeOf(operation)] = operation.requestBodyType;
  return types;
}

/** Renders the constants as a TypeScript module (without the generated-file header). */
export function emitSpecConstants(constants: SpecConstants): string {
  const c = constants;
  return `/** The API's base URL: \`servers[0].url\`. */
export const SERVER_URL = ${literal(c.serverUrl)} as const;

/** The names of the two security schemes in \`components.securitySchemes\`. */
export const SECURITY_SCHEMES = ${literal({ apiKey: c.apiKeyScheme, oauth2: c.oauth2Scheme })} as const;

/** The request header that carries the API key. */
export const API_KEY_HEADER = ${literal(c.apiKeyHeader)} as const;

/** The example API key from the Authentication page. */
export const API_KEY_EXAMPLE = ${literal(c.apiKeyExample)} as const;

/** Where users are sent to approve an app (the OAuth 2.0 \`authorizationUrl\`). */
export const AUTHORIZATION_URL = ${literal(c.authorizationUrl)} as const;

/** Where codes are exchanged for tokens (the OAuth 2.0 \`tokenUrl\`). */
export const TOKEN_URL = ${literal(c.tokenUrl)} as const;

/** {@link TOKEN_URL} relative to {@link SERVER_URL}: the path of the typed token operation. */
export const TOKEN_PATH = ${literal(c.tokenPath)} as const;

/** The OAuth 2.0 scopes, announced but not enforced yet. */
export const SCOPES = ${literal(Object.keys(c.scopes))} as const;

/** One of {@link SCOPES}. */
export type Scope = (typeof SCOPES)[number];

/** What each scope allows, as the spec describes it. */
export const SCOPE_DESCRIPTIONS: Readonly<Record<Scope, string>> = ${literal(c.scopes)};

/** How long an authorization code may be exchanged, in seconds (\`x-code-lifetime-seconds\`). */
export const AUTHORIZATION_CODE_LIFETIME_SECONDS = ${literal(c.codeLifetimeSeconds)} as const;

/** The token request's \`grant_type\`. */
export const GRANT_TYPE = ${literal(c.grantType)} as const;

/** The \`response_type\` values the authorize endpoint documents. */
export const RESPONSE_TYPES = ${literal(c.responseTypes)} as const;

/** The \`response_type\` the Authentication page asks for. */
export const DEFAULT_RESPONSE_TYPE = ${literal(c.defaultResponseType)} as const;

/** Every operation by \`operationId\`: method, path, server, whether it takes credentials, scopes, body type, summary, description, tags and callback inputs. */
export const OPERATIONS = ${literal(c.operations)} as const;

/** The \`operationId\` of an operation in the spec. */
export type OperationId = keyof typeof OPERATIONS;

/**
 * The routes (\`"METHOD /path"\`) the spec marks \`security: []\`: they never carry a credential.
 * A compact view of {@link OPERATIONS}, so the client's request path does not bundle the whole table.
 */
export const PUBLIC_ROUTES: readonly string[] = ${literal(publicRoutes(c.operations))};

/** The request body's media type by route (\`"METHOD /path"\`), for the operations that take a body. */
export const REQUEST_BODY_TYPES: Readonly<Record<string, string>> = ${literal(requestBodyTypes(c.operations))};

/**
 * Every operation's inputs by \`operationId\`: \`schema\` is one JSON Schema object holding its
 * parameters and body fields (names, types, enums, ranges, descriptions; every \`$ref\` resolved),
 * and \`in\` says where each goes (\`path\`, \`query\`, \`header\`, \`cookie\` or \`body\`).
 */
export const OPERATION_INPUTS = ${literal(c.inputs)} as const;

/**
 * Every operation's success answer by \`operationId\`: the status it is documented under, its
 * media type and its JSON Schema (every \`$ref\` resolved; null when the answer has no content).
 */
export const OPERATION_OUTPUTS = ${literal(c.outputs)} as const;
`;
}
