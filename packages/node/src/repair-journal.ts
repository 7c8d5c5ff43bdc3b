import { randomUUID } from "node:crypto";
import { readFile, rename, rm, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { RepairJournalError } from "./errors.js";

/** Where a model stands, as the journal records it. */
export type JournalStage = "uploaded" | "repairing" | "done" | "failed";

/** What the journal knows of one model, keyed by its source. */
export interface JournalEntry {
  stage: JournalStage;
  /** The absolute path the repaired file goes to. */
  output: string;
  /** The uploaded item, once `POST /items` answered. */
  itemId?: number | undefined;
  /** The repair, once `POST /fixes` answered. */
  fixId?: number | undefined;
  /** The size of the repaired file, once written. */
  bytes?: number | undefined;
  /** Why it failed: the error's code and message. */
  error?: { code: string; message: string } | undefined;
  /** The fix itself ended failed: a re-run starts a new repair of the same item instead of following it. */
  fixFailed?: boolean | undefined;
}

interface JournalFile {
  journal: "mkp-repair";
  version: 1;
  models: Record<string, JournalEntry>;
}

/**
 * A small JSON file that records what a batch repair did to each model, so a re-run skips what is
 * done and follows what is under way. Every change is written at once — into a temporary file
 * beside it, renamed over it — so a reader (or a process killed at any moment) finds one whole
 * journal, never a torn one. Writes that pile up while one is in progress are folded into the
 * next, so the disk sets the pace, not the number of models.
 */
export class RepairJournal {
  readonly #models: Map<string, JournalEntry>;
  #writing: Promise<void> = Promise.resolve();
  #dirty = false;
  #failure: unknown;

  private constructor(
    /** The journal's absolute path. */
    readonly path: string,
    models: Map<string, JournalEntry>,
  ) {
    this.#models = models;
  }

  /**
   * Opens the journal at `path`: what an earlier run recorded, or an empty one (written on the
   * first change) when the file does not exist.
   * @throws {RepairJournalError} when the file exists but is not a journal `mkp repair` wrote.
   */
  static async open(path: string): Promise<RepairJournal> {
    let text: string;
    try {
      text = await readFile(path, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return new RepairJournal(path, new Map());
      throw new RepairJournalError(path, `cannot read it (${(error as Error).message})`);
    }
    let parsed: Partial<JournalFile> | undefined;
    try {
      parsed = JSON.parse(text) as Partial<JournalFile>;
    } catch {}
    if (parsed?.journal !== "mkp-repair" || parsed.version !== 1 || typeof parsed.models !== "object" || parsed.models === null) {
      throw new RepairJournalError(path, "it is not a repair journal: give another --journal path, or remove the file");
    }
    return new RepairJournal(path, new Map(Object.entries(parsed.models)));
  }

  /** What the journal knows of the model from `source`, if anything. */
  get(source: string): JournalEntry | undefined {
    return this.#models.get(source);
  }

  /** How many models the journal knows. */
  get size(): number {
    return this.#models.size;
  }

  /** Records `entry` for `source` and resolves once it is on disk. */
  record(source: string, entry: JournalEntry): Promise<void> {
    this.#models.set(source, entry);
    this.#dirty = true;
    this.#writing = this.#writing.then(() => this.#write());
    return this.#writing;
  }

  /** Resolves when every change so far is on disk; rejects if a write failed. */
  async flush(): Promise<void> {
    await this.#writing;
    if (this.#failure !== undefined) throw this.#failure;
  }

  // One write carries every change made before it starts; the writes queued behind it find
  // nothing left to do.
  async #write(): Promise<void> {
    if (!this.#dirty || this.#failure !== undefined) return;
    this.#dirty = false;
    const file: JournalFile = { journal: "mkp-repair", version: 1, models: Object.fromEntries(this.#models) };
    const temporary = join(dirname(this.path), `.${basename(this.path)}.${randomUUID()}.tmp`);
    try {
      await writeFile(temporary, `${JSON.stringify(file)}\n`, { flag: "wx", mode: 0o644 });
      await rename(temporary, this.path);
    } catch (error) {
      this.#failure = new RepairJournalError(this.path, `cannot write it (${(error as Error).message})`);
      await rm(temporary, { force: true });
      throw this.#failure;
    }
  }
}
