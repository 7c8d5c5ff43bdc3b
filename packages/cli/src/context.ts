import { createClient, type MakeprintableClient } from "@mkp/client";
import {
  resolveBaseUrl,
  resolveBaseUrlSetting,
  resolveSettings,
  type AdviceContext,
  type Credential,
  type GivenSetting,
  type PlaceOptions,
  type ResumeChoices,
  type Setting,
} from "@mkp/node";
import type { LoopbackLoginOptions } from "@mkp/oauth/node";
import { toJson } from "./output.js";

/** A stream `mkp` writes to: `process.stdout`/`process.stderr`, or a test's collector. */
export interface OutputStream {
  write(text: string): unknown;
  /** True on a terminal: then `mkp` draws a progress bar. */
  isTTY?: boolean | undefined;
}

/** What `mkp` reads and writes; the process's own by default, injected by tests. */
export interface CliIo {
  env: Record<string, string | undefined>;
  stdout: OutputStream;
  stderr: OutputStream;
  /** The directory relative paths start from. Default: `process.cwd()`. */
  cwd?: string | undefined;
  /** Aborts what is under way (the bin wires Ctrl-C to it); the command then exits 130. */
  signal?: AbortSignal | undefined;
  /** The clock, in milliseconds. Default: `Date.now`. */
  now?: (() => number) | undefined;
  /** Where the config directory is (the platform and home directory; the environment comes from `env`). */
  place?: Omit<PlaceOptions, "env"> | undefined;
  /** Extra options for `loopbackLogin` (tests hook `onAuthorizeUrl` and `fetch` here). */
  login?: Partial<LoopbackLoginOptions> | undefined;
}

/** One run of `mkp`: the IO, the global options and what follows from them. */
export class Run {
  readonly baseUrl: string;
  readonly cwd: string;
  readonly now: () => number;
  readonly signal: AbortSignal | undefined;
  readonly place: PlaceOptions;
  /** What error advice names: the settings in use, the last client's credential, what a 404 means, how to resume. */
  readonly #advice: Omit<AdviceContext, "surface">;

  constructor(
    readonly io: CliIo,
    readonly baseUrlFlag: string | undefined,
  ) {
    this.baseUrl = resolveBaseUrl(baseUrlFlag, io.env);
    this.#advice = { baseUrl: this.#given() };
    this.cwd = io.cwd ?? process.cwd();
    this.now = io.now ?? Date.now;
    this.signal = io.signal;
    this.place = { ...io.place, env: io.env };
  }

  // The base URL's setting as the person gave it, resolved once (flag → MAKEPRINTABLE_BASE_URL → the spec's server).
  #given(): Setting {
    try {
      return this.baseUrlSetting();
    } catch {
      // An unusable one is reported where it is used; advice still names where it came from.
      return { value: this.baseUrl, source: this.baseUrlFlag ? "--base-url" : "MAKEPRINTABLE_BASE_URL" };
    }
  }

  /**
   * The checked base URL and where it came from (`--base-url`, `MAKEPRINTABLE_BASE_URL` or the spec's server).
   * @throws {ClientOptionsError} naming that setting when it cannot be used.
   */
  baseUrlSetting(): Setting {
    return resolveBaseUrlSetting(this.givenBaseUrl(), this.io.env);
  }

  /** `--base-url` as the person gave it (an empty one counts as not given), for the one settings resolution. */
  givenBaseUrl(): GivenSetting {
    return { value: this.baseUrlFlag || undefined, source: "--base-url" };
  }

  /** What a 404 means for the command under way, e.g. "no item 42 in this account: see `mkp items list`". */
  whenNotFound(message: string): void {
    this.#advice.notFound = message;
  }

  /** The person's own output choices, which a resume hint repeats. */
  resumeWith(choices: ResumeChoices): void {
    this.#advice.resume = choices;
  }

  /** What error advice needs to name the person's settings and the fix. */
  adviceContext(): Omit<AdviceContext, "surface"> {
    return { ...this.#advice };
  }

  /** Writes a line (or lines) for people or scripts on stdout. */
  out(text: string): void {
    this.io.stdout.write(text.endsWith("\n") ? text : `${text}\n`);
  }

  /** Writes `value` as JSON on stdout. */
  json(value: unknown): void {
    this.io.stdout.write(toJson(value));
  }

  /** Writes a note or progress line on stderr, away from what scripts read. */
  note(text: string): void {
    this.io.stderr.write(text.endsWith("\n") ? text : `${text}\n`);
  }

  /** The credential in use and a client that carries it to {@link baseUrl}. */
  async client(): Promise<{ client: MakeprintableClient; credential: Credential }> {
    // One resolution: the base URL is checked first (naming --base-url or MAKEPRINTABLE_BASE_URL), then the credential.
    const { baseUrl, credential } = await resolveSettings({
      ...this.place,
      baseUrl: this.givenBaseUrl(),
      now: this.now,
    });
    this.#advice.credential = { kind: credential.kind, source: credential.source };
    return { client: createClient({ ...credential.clientOptions(), baseUrl: baseUrl.value }), credential };
  }
}
