import {
  APIConnectionError,
  APIError,
  APIUserAbortError,
  AuthenticationError,
  ClientOptionsError,
  FixTimeoutError,
  InternalServerError,
  MakeprintableError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  SERVER_URL,
} from "@mkp/client";
import { displayUrl, SPEC_SERVER, withoutConnectionFix } from "@mkp/client/internal";
import {
  CredentialError,
  DownloadError,
  FixFailedError,
  OutputExistsError,
  RepairInputError,
  RepairJournalError,
  RepairStoppedError,
  WaitInterruptedError,
} from "./errors.js";

/** Who shows the advice: `mkp` names its commands, flags and variables; MCP names its tools and arguments. */
export type AdviceSurface = "mkp" | "mcp";

/** A setting as the person gave it: its value and where it came from. */
export interface AdviceSetting {
  value: string;
  /** Where the value came from, as the person would write it (`"MAKEPRINTABLE_BASE_URL"`, `"--base-url"`); `undefined` or `"the spec's server"`: the default. */
  source?: string | undefined;
}

/** How the person asked for the repaired file: repeated in the command that picks a repair up again. */
export interface ResumeChoices {
  /** The output path as the person should type it (relative to where they are, when it is below). */
  out?: string | undefined;
  /** Whether they allowed overwriting it. */
  force?: boolean | undefined;
  /** Whether they asked for JSON. */
  json?: boolean | undefined;
}

/** What the surface knows about the call that failed; every field is optional. */
export interface AdviceContext {
  surface: AdviceSurface;
  /** The base URL in use and where it came from. */
  baseUrl?: AdviceSetting | undefined;
  /** The credential the request carried: an API key (and where it came from) or the stored login. */
  credential?: { kind: "apiKey" | "login"; source?: string | undefined } | undefined;
  /** What a 404 means for this call, e.g. "no item 42 in this account: see `mkp items list`". */
  notFound?: string | undefined;
  /** The person's own output choices, repeated by a resume hint. */
  resume?: ResumeChoices | undefined;
  /**
   * Whether the API's own words go into the sentence: `(404 No such item.)`. Default: true. With
   * false only the status does, `(404)`, and the words are in {@link Advice.quoted}, for a surface
   * that hands server text over as data (an MCP model must not read it as ours).
   */
  quote?: boolean | undefined;
}

/** What kind of failure it is: a surface turns it into an exit code or an error flag. */
export type AdviceKind = "usage" | "interrupted" | "failure";

/** What went wrong and what the person should do, in the surface's own words. */
export interface Advice {
  /** The error's stable code (`MKP_…`; `MKP_FILE_SYSTEM` for the file system's errors), or `MKP_UNEXPECTED`. */
  code: string;
  kind: AdviceKind;
  /** What went wrong, in one line. It may quote the server: a terminal makes it printable. */
  problem: string;
  /** What to do, or `undefined` when the problem says it already or there is nothing to do. */
  fix: string | undefined;
  /** `problem: fix`, the line a surface shows. */
  message: string;
  /** With `quote: false`, the API's words left out of {@link problem} ("404 No such item."). */
  quoted?: string | undefined;
}

/** The words each surface uses for the same steps. */
interface Words {
  /** The step that picks a started repair up again. */
  resume(fixId: number, choices: ResumeChoices): string;
  /** What to do when the output file exists. */
  overwrite: string;
  /** How to log in (again), optionally with scopes. */
  login(scopes?: string): string;
  /** How to start a repair again from the model. */
  repairAgain: string;
  /** How to start it again when the last repair failed. */
  repairFailedAgain: string;
  /** Where the person sets a variable or flag: the environment, or the MCP server's configuration. */
  variable(name: string): string;
}

/**
 * `word` as a POSIX shell reads it back unchanged: as it is when it holds only safe characters,
 * else single-quoted, so a printed command can be pasted as is (`'my models/it'\''s.stl'`).
 */
export const shellWord = (word: string): string => (/^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`);

const WORDS: Record<AdviceSurface, Words> = {
  mkp: {
    resume: (fixId, { out, force, json }) =>
      `resume with \`mkp fixes get ${fixId} --download${out ? ` --out ${shellWord(out)}` : ""}${force ? " --force" : ""}${json ? " --json" : ""}\``,
    overwrite: "pass --force to overwrite it, or --out to write elsewhere",
    login: (scopes) => `run \`mkp login${scopes ?? ""}\``,
    repairAgain: "repair the model again with `mkp repair`",
    repairFailedAgain: "repair the model again with `mkp repair` (the file may need fixing by hand if it fails again)",
    variable: (name) => name,
  },
  mcp: {
    resume: (fixId) => `follow it with get_fix (id ${fixId}): once it is done, its download_url gives the repaired file`,
    overwrite: "pass overwrite: true to replace it, or choose another output",
    login: (scopes) => `run \`mkp login${scopes ?? ""}\` in a terminal, then call the tool again`,
    repairAgain: "call repair_model again",
    repairFailedAgain: "call repair_model again (the file may need fixing by hand if it fails again)",
    variable: (name) => `${name} ${name.startsWith("-") ? "on the MCP server's command line" : "in the MCP server's environment"}`,
  },
};

/** One row of the table: which errors, what kind, what went wrong, what to do. */
interface Rule<E> {
  /** The class of errors the row explains (rows are tried in order: subclasses come first). */
  error: abstract new (
    ...args: never[]
  ) => E;
  /** A further condition, when the class alone does not decide. */
  when?: (error: E, context: AdviceContext) => boolean;
  kind: AdviceKind;
  problem: (error: E, context: AdviceContext) => string;
  fix?: (error: E, words: Words, context: AdviceContext) => string | undefined;
}

const rule = <E>(row: Rule<E>) => row as unknown as Rule<Error>;

/** The API's answer: its own words (the client's message is "<status> <what the body says>"), or with `quote: false` the status alone. */
const says = (error: APIError, { quote }: AdviceContext) => `(${quote === false ? error.status : error.message})`;

// The spec's server path (`/v1`): a base URL without it reaches the host but none of the API's paths.
const API_PATH = new URL(SERVER_URL).pathname.replace(/\/+$/, "");
const lacksApiPath = (baseUrl: AdviceSetting | undefined) =>
  baseUrl !== undefined && URL.canParse(baseUrl.value) && !new URL(baseUrl.value).pathname.replace(/\/+$/, "").endsWith(API_PATH);

/** The setting that holds the base URL, as the person set it. */
const baseUrlSetting = (words: Words, { baseUrl }: AdviceContext) =>
  baseUrl?.source && baseUrl.source !== SPEC_SERVER
    ? `${words.variable(baseUrl.source)} is ${displayUrl(baseUrl.value)}`
    : `the base URL is ${displayUrl(baseUrl?.value ?? SERVER_URL)}`;

const isFileSystemError = (error: Error) => typeof (error as NodeJS.ErrnoException).code === "string" && (error as NodeJS.ErrnoException).syscall !== undefined;

/** The table: the first row whose class (and condition) matches the error explains it. */
const RULES: Rule<Error>[] = [
  rule({ error: APIUserAbortError, kind: "interrupted", problem: () => "interrupted" }),
  rule({
    error: RepairStoppedError,
    kind: "interrupted",
    problem: (error) => error.message,
    fix: (error, words, { resume }) => (error.fixId === undefined ? undefined : words.resume(error.fixId, resume ?? {})),
  }),
  rule({
    error: WaitInterruptedError,
    kind: "failure",
    problem: (error) => error.message,
    fix: (error, words, { resume }) => words.resume(error.fixId, resume ?? {}),
  }),
  rule({
    error: FixTimeoutError,
    kind: "failure",
    problem: (error) => `${error.message}; the repair goes on at Makeprintable`,
    fix: (error, words, { resume }) => words.resume(error.fix.id, resume ?? {}),
  }),
  rule({
    error: DownloadError,
    when: (error) => error.retryable,
    kind: "failure",
    problem: (error) => error.message,
    fix: (error, words, { resume }) => words.resume(error.fixId, resume ?? {}),
  }),
  rule({
    error: DownloadError,
    when: (error) => error.status === 404 || error.status === 410,
    kind: "failure",
    problem: (error) => `${error.message}: the repaired file is no longer there`,
    fix: (_, words) => words.repairAgain,
  }),
  rule({ error: DownloadError, kind: "failure", problem: (error) => error.message }),
  rule({ error: FixFailedError, kind: "failure", problem: (error) => error.message, fix: (_, words) => words.repairFailedAgain }),
  // Its message says what is wrong with the journal and what to do.
  rule({ error: RepairJournalError, kind: "failure", problem: (error) => error.message }),
  rule({ error: OutputExistsError, kind: "failure", problem: (error) => `${error.path} exists`, fix: (_, words) => words.overwrite }),
  // These messages name the fix already (a path, `mkp login`, MAKEPRINTABLE_API_KEY).
  rule({ error: RepairInputError, kind: "failure", problem: (error) => error.message }),
  rule({ error: CredentialError, kind: "failure", problem: (error) => error.message }),
  rule({ error: ClientOptionsError, kind: "usage", problem: (error) => error.message }),
  rule({
    error: AuthenticationError,
    kind: "failure",
    problem: (error, context) => `the API refused the credential ${says(error, context)}`,
    fix: (_, words, { credential }) =>
      credential?.kind === "login"
        ? `your login is no longer valid: ${words.login()}`
        : `check ${words.variable(credential?.source ?? "MAKEPRINTABLE_API_KEY")} (your account settings page shows the key), or unset it and ${words.login()}`,
  }),
  rule({
    error: PermissionDeniedError,
    kind: "failure",
    problem: (error, context) => `the API refused this operation ${says(error, context)}`,
    fix: (_, words) => `log in again with the scopes it needs: ${words.login(" --scope add_file --scope fix")}`,
  }),
  rule({
    error: NotFoundError,
    when: (_, { baseUrl }) => lacksApiPath(baseUrl),
    kind: "failure",
    problem: (error, context) => `the API has no such path ${says(error, context)}`,
    fix: (_, words, context) => `does the base URL end in ${API_PATH}? ${baseUrlSetting(words, context)}; the API's is ${SERVER_URL}`,
  }),
  rule({ error: NotFoundError, kind: "failure", problem: (error, context) => `${context.notFound ?? "not found"} ${says(error, context)}` }),
  rule({
    error: APIError,
    when: (error) => error.status === 413,
    kind: "failure",
    problem: (error, context) => `the API refused the upload as too large ${says(error, context)}`,
    fix: () => "send a smaller file: a zip holding the model is accepted and is usually much smaller",
  }),
  rule({
    error: RateLimitError,
    kind: "failure",
    problem: (error, context) => `too many requests ${says(error, context)}`,
    fix: () => "wait a minute and try again",
  }),
  rule({
    error: InternalServerError,
    kind: "failure",
    problem: (error, context) => `Makeprintable failed ${says(error, context)}`,
    fix: () => "try again later",
  }),
  // A timeout's and a refused redirect's messages name their own fix; a refused connection's names the library option.
  rule({
    error: APIConnectionError,
    when: (error) => withoutConnectionFix(error.message) !== undefined,
    kind: "failure",
    problem: (error) => withoutConnectionFix(error.message) ?? error.message,
    fix: (_, words, context) => `check the network and the base URL (${baseUrlSetting(words, context)})`,
  }),
  rule({ error: APIConnectionError, kind: "failure", problem: (error) => error.message }),
  rule({ error: APIError, kind: "failure", problem: (error, context) => `the API refused the request ${says(error, context)}` }),
  rule({ error: MakeprintableError, kind: "failure", problem: (error) => `${error.message} (${error.code})` }),
  // File-system errors (EACCES, ENOSPC, …) name a path and a code, never a secret.
  rule({ error: Error, when: isFileSystemError, kind: "failure", problem: (error) => error.message }),
];

/**
 * What to tell a person about `error`, worded for the surface they use (`mkp` or MCP): one table
 * maps every error the packages throw to what went wrong and what to do, naming the person's own
 * settings from `context`. Messages never hold a secret: the client scrubs credentials from its
 * errors and nothing else here holds one.
 *
 * @example
 * adviceFor(error, { surface: "mkp", baseUrl: { value: "http://127.0.0.1:4010", source: "MAKEPRINTABLE_BASE_URL" } }).message
 * // "the API has no such path (404 No such endpoint.): does the base URL end in /v1? MAKEPRINTABLE_BASE_URL is http://127.0.0.1:4010; the API's is " + SERVER_URL
 */
export function adviceFor(error: unknown, context: AdviceContext): Advice {
  const words = WORDS[context.surface];
  for (const row of RULES) {
    if (!(error instanceof row.error) || (row.when && !row.when(error, context))) continue;
    const problem = row.problem(error, context);
    const fix = row.fix?.(error, words, context);
    // The rows that quote the API are those of answered requests (an APIError with a status).
    const quoted = context.quote === false && error instanceof APIError && error.status !== undefined ? error.message : undefined;
    return {
      code: error instanceof MakeprintableError ? error.code : "MKP_FILE_SYSTEM",
      kind: row.kind,
      problem,
      fix,
      message: fix ? `${problem}: ${fix}` : problem,
      ...(quoted !== undefined && { quoted }),
    };
  }
  const problem = `unexpected error (${error instanceof Error ? error.name : typeof error})`;
  return { code: "MKP_UNEXPECTED", kind: "failure", problem, fix: "please report it", message: `${problem}: please report it` };
}
