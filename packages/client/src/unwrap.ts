import { apiErrorFor } from "./api-error.js";
import { SecretHolder } from "./internal/secret-holder.js";

// The credentials a call's requests carried, kept on its result for `unwrap` to scrub from errors.
// The symbol keeps them out of the result's shape; the holder keeps them out of what the symbol
// shows (`util.inspect(result, { showHidden: true })` lists symbol-keyed properties).
const REQUEST_SECRETS = Symbol("mkp.requestSecrets");

class RequestCredentials extends SecretHolder<{ credentials: readonly string[] }> {
  constructor(credentials: Iterable<string>) {
    super({ credentials: [...credentials] });
  }

  // A method, not a getter: inspection never calls a method, even with `getters: true`.
  list(): readonly string[] {
    return this.secret("credentials");
  }
}

/** `result` with the credentials its requests carried attached, so `unwrap` can scrub them from errors. */
export function withRequestSecrets<R extends object>(result: R, secrets: Iterable<string>): R {
  return Object.defineProperty(result, REQUEST_SECRETS, { value: new RequestCredentials(secrets) });
}

/** A result of a client call: openapi-fetch's `{ data } | { error }` union with the response. */
export type ClientResult = { data?: unknown; error?: unknown; response: Response };

/** The success data of a result type. */
export type ResultData<R> = R extends { data: infer D } ? D : never;

/**
 * Turns a call's `{ data } | { error }` result into its data, throwing the typed `APIError`
 * for the status on an error response (`NotFoundError` for 404, `RateLimitError` for 429,
 * `InternalServerError` for 5xx, …), with the request's credentials scrubbed.
 *
 * @example
 * const item = await unwrap(client.GET("/items/{id}", { params: { path: { id: 149 } } }));
 * @throws {APIError} a subclass by status when the response is an error.
 */
export function unwrap<R extends ClientResult>(result: Promise<R>): Promise<ResultData<R>>;
export function unwrap<R extends ClientResult>(result: R): ResultData<R>;
export function unwrap<R extends ClientResult>(result: R | Promise<R>): ResultData<R> | Promise<ResultData<R>> {
  if (result instanceof Promise) return result.then(unwrapResult);
  return unwrapResult(result);
}

function unwrapResult<R extends ClientResult>(result: R): ResultData<R> {
  const { response } = result;
  if (response.ok) return result.data as ResultData<R>;
  throw apiErrorFor(response.status, result.error, response.headers, (result as { [REQUEST_SECRETS]?: RequestCredentials })[REQUEST_SECRETS]?.list());
}
