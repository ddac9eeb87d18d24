/*
 * What pushing needs of a target store, whatever its dialect. The algorithm (push-recording.ts)
 * reads the source and says what to write; a target loads rows in bulk into staging tables of its
 * session and runs the SQL that maps them into its own tables (its own ids, its own strings), one
 * transaction per batch. PostgreSQL loads with COPY; a SQLite file with prepared inserts.
 */

/** A recording of the target, as the push sees it. */
export interface TargetRecording {
  /** The target's own number for it (recordings.recording_key). */
  key: number;
  recordingId: string;
}

/** A process instance the target holds of a recording. */
export interface TargetInstance {
  instanceId: number;
  /** The instance id in the recording it was captured in (its own id when captured into the target). */
  origin: number;
  host: string;
  pid: number;
  createTimeUs: number | null;
  /** The last capture pushed (its seq). */
  lastSeq: number;
}

/** A table of the session that rows are loaded into, with the named columns. */
export interface StageLoad {
  /** The staging table: `push_<table>` for rows of a declared table, or a map or closure table. */
  stage: string;
  columns: readonly string[];
  rows: Iterable<readonly unknown[]>;
}

/** A transaction on the target: SQL, bulk loads into staging tables. */
export interface TargetTransaction {
  readonly dialect: PushDialect;
  /** Runs SQL without parameters (the push inlines its own integers) and returns rows and the count it changed. */
  run(sql: string): Promise<{ rows: Record<string, unknown>[]; changes: number }>;
  /** Loads rows into a staging table; returns how many. */
  load(load: StageLoad): Promise<number>;
}

/** What differs between targets in the SQL of a push. */
export interface PushDialect {
  name: 'sqlite' | 'postgres';
  /** A new key for each staged row of `table` (id column `column`), in a map's `id` column. */
  newIds(table: string, column: string, stage: string): string;
  /** Adds the staged strings the target lacks. */
  addStrings(): string[];
  /** Maps the staged strings' local ids to the target's (`push_map_strings`). */
  mapStrings(): string[];
}

/** A store that recordings are pushed into. */
export interface PushTarget {
  readonly dialect: PushDialect;
  /** Where it is, for messages: the file, or the URL without its password. */
  readonly location: string;
  /** The recording of an id, made (with its partitions) when the target has none. */
  recording(recordingId: string, createdAtUs: number): Promise<TargetRecording>;
  /** The process instances the target holds of a recording. */
  instances(recordingKey: number): Promise<TargetInstance[]>;
  /** When the capture `seq` of an instance started, or null when the target has none. */
  captureStartedAt(instanceId: number, seq: number): Promise<number | null>;
  /**
   * Runs `body` in one transaction: committed when it returns, rolled back (leaving the target as
   * it was) when it throws. The staging tables start empty.
   */
  transaction<T>(body: (tx: TargetTransaction) => Promise<T>): Promise<T>;
  /** After a push that wrote much: lets the target's planner know its tables again (statistics). */
  analyze(): Promise<void>;
  /** Keeps other pushes of the same recording (another pssql, a background push) out until released. */
  lockRecording(recordingId: string): Promise<() => Promise<void>>;
  close(): Promise<void>;
}
