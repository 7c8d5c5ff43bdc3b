/** A problem in the spec, located at `file:line:column` so an editor can jump to it. */
export class SpecError extends Error {
  override name = "SpecError";
  constructor(
    message: string,
    readonly file: string,
    readonly line?: number,
    readonly column?: number,
  ) {
    super(`${file}${line === undefined ? "" : `:${line}`}${column === undefined ? "" : `:${column}`}: ${message}`);
  }
}
