import type BetterSqlite3 from 'better-sqlite3';
import type { EntryKindInfo } from './entry-kinds.js';
import type { Store } from './open-store.js';
import { bindValues } from './row-reader.js';
import { type CodecContext, encodeParts, type PartRow, type PartTable, partTablesOf, type RowCodec, rowCodec } from './row-codec.js';
import type { TableName } from './schema.js';

/*
 * Entries stored as versions: a version of an entry holds from the capture that first saw it
 * (first_seq) to the last one that saw it unchanged (last_seq, NULL while current). A new
 * capture extends what did not change and writes only what is new or changed.
 */

/**
 * A current version of an entry: its row and the entry object it was last seen as (the same
 * object again means unchanged, the model's identity rule). Its stored values are derived from
 * that entry when they are needed, rather than kept for every entry: only versions loaded from
 * the database, which have no entry object, keep them.
 */
interface VersionRef {
  id: number;
  entry: object | null;
  /** Start of the capture `entry` comes from (entry capture times are stored relative to it). */
  startUs: number;
  /** Stored values in column order, then each part's index and values; null when derivable from `entry`. */
  signature: unknown[] | null;
  /** Generation of the capture that last saw it. */
  seen: number;
}

/** The current versions of one kind of one process instance, by entry key. */
export type CurrentVersions = Map<unknown, VersionRef>;

function sameSignature(a: readonly unknown[], b: readonly unknown[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x === y) continue;
    if (x instanceof Uint8Array && y instanceof Uint8Array && Buffer.compare(x, y) === 0) continue;
    return false;
  }
  return true;
}

const insertSql = (table: string, columns: readonly string[]): string =>
  `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`;

/** The part rows of the versions that `where` (on `{table} AS v`) selects, by version id, in part order. */
export function partRowsOf(
  store: Store,
  kind: EntryKindInfo,
  parts: readonly PartTable[],
  where: string,
  params: readonly unknown[],
): Map<number, Map<TableName, Record<string, unknown>[]>> {
  const rows = new Map<number, Map<TableName, Record<string, unknown>[]>>();
  for (const { table, list } of parts) {
    const sql = `SELECT d.* FROM ${table} AS d JOIN ${kind.table} AS v USING (${kind.idColumn}) WHERE ${where}${list ? ' ORDER BY d.ord' : ''}`;
    for (const row of store.reader(sql).all(...params)) {
      const id = row[kind.idColumn] as number;
      let byTable = rows.get(id);
      if (byTable === undefined) rows.set(id, (byTable = new Map()));
      let list = byTable.get(table);
      if (list === undefined) byTable.set(table, (list = []));
      list.push(row);
    }
  }
  return rows;
}

/** What writing one kind of a capture did. */
export interface KindWritten {
  count: number;
  rowsWritten: number;
  versionsWritten: number;
}

/**
 * The versions of one kind: loads the current versions of an instance, observes the entries of
 * a new capture (extending, closing and writing versions), and closes what was not seen. Its
 * statements are prepared once.
 */
export class EntryVersions {
  readonly codec: RowCodec<EntryKindInfo['table']>;
  readonly parts: readonly PartTable[];
  private readonly insert: BetterSqlite3.Statement;
  private readonly close: BetterSqlite3.Statement;
  private readonly insertPart: ReadonlyMap<TableName, BetterSqlite3.Statement>;

  constructor(
    private readonly store: Store,
    readonly kind: EntryKindInfo,
  ) {
    this.codec = rowCodec(kind.table);
    this.parts = partTablesOf(kind.table);
    const db = store.db;
    this.insert = db.prepare(insertSql(kind.table, [...this.codec.columns, 'instance_id', 'first_seq']));
    this.close = db.prepare(`UPDATE ${kind.table} SET last_seq = ? WHERE ${kind.idColumn} = ?`);
    this.insertPart = new Map(
      this.parts.map((p) => [p.table, db.prepare(insertSql(p.table, [...p.codec.columns, ...(p.list ? ['ord'] : []), kind.idColumn]))]),
    );
  }

  /** The stored form of an entry: its values in column order, then each part's index, position and values. */
  private signature(values: unknown[], parts: readonly PartRow[]): unknown[] {
    for (const part of parts) values.push(this.parts.indexOf(part.part), part.ord, ...part.values);
    return values;
  }

  private signatureOf(ref: VersionRef): unknown[] {
    if (ref.signature !== null) return ref.signature;
    const entry = ref.entry as Record<string, unknown>;
    const context = { strings: this.store.strings(), startUs: ref.startUs };
    return this.signature(this.codec.encodeValues(entry, context), encodeParts(this.parts, entry, context));
  }

  /** The current versions of an instance, from the database (another writer may have written since). */
  load(instanceId: number): CurrentVersions {
    const versions: CurrentVersions = new Map();
    const parts = this.parts.length === 0 ? null : partRowsOf(this.store, this.kind, this.parts, 'v.instance_id = ? AND v.last_seq IS NULL', [instanceId]);
    const rows = this.store.reader(`SELECT * FROM ${this.kind.table} WHERE instance_id = ? AND last_seq IS NULL`).all(instanceId);
    for (const row of rows) {
      const id = row[this.kind.idColumn] as number;
      let key = row[this.kind.keyColumn];
      if (versions.has(key)) key = `${String(key)}#${id}`;
      const values = this.codec.columns.map((c) => row[c] ?? null);
      // In part order, as encodeParts lists them.
      const byTable = parts?.get(id);
      const stored: PartRow[] = this.parts.flatMap((part) =>
        (byTable?.get(part.table) ?? []).map((row) => ({ part, ord: part.list ? (row.ord as number) : null, values: part.codec.columns.map((c) => row[c] ?? null) })),
      );
      versions.set(key, { id, entry: null, startUs: 0, signature: this.signature(values, stored), seen: 0 });
    }
    return versions;
  }

  /**
   * Writes the entries of one capture (sequence number `seq`, generation `mark`) against the
   * current versions: unchanged entries extend their version, changed ones close it and start a
   * new one, new ones start one; then every version the capture did not see is closed. Run it in
   * the capture's transaction.
   */
  write(entries: Iterable<object> | null, versions: CurrentVersions, instanceId: number, seq: number, mark: number, context: CodecContext): KindWritten {
    const written: KindWritten = { count: 0, rowsWritten: 0, versionsWritten: 0 };
    const keyField = this.kind.keyField;
    if (entries !== null) {
      for (const entry of entries) {
        written.count++;
        let key = (entry as Record<string, unknown>)[keyField];
        let ref = versions.get(key);
        if (ref !== undefined && ref.seen === mark) {
          // The same key twice in one capture (never on Linux): keep both, apart.
          key = `${String(key)}#dup${written.count}`;
          ref = versions.get(key);
        }
        if (ref !== undefined && ref.entry === entry) {
          ref.seen = mark; // the very entry object of the last capture: unchanged
          continue;
        }
        const values = this.codec.encodeValues(entry, context);
        const parts = encodeParts(this.parts, entry as Record<string, unknown>, context);
        const signature = this.signature([...values], parts);
        if (ref !== undefined && sameSignature(this.signatureOf(ref), signature)) {
          ref.seen = mark;
          ref.entry = entry;
          ref.startUs = context.startUs;
          ref.signature = null;
          continue;
        }
        if (ref !== undefined) this.close.run(seq - 1, ref.id);
        const id = Number(this.insert.run(bindValues(values), instanceId, seq).lastInsertRowid);
        for (const part of parts) {
          const values = part.ord === null ? part.values : [...part.values, part.ord];
          (this.insertPart.get(part.part.table) as BetterSqlite3.Statement).run(bindValues(values), id);
        }
        written.rowsWritten += 1 + parts.length;
        written.versionsWritten++;
        versions.set(key, { id, entry, startUs: context.startUs, signature: null, seen: mark });
      }
    }
    // What the previous capture had and this one has not (or did not capture) ends here.
    for (const [key, ref] of versions) {
      if (ref.seen !== mark) {
        this.close.run(seq - 1, ref.id);
        versions.delete(key);
      }
    }
    return written;
  }
}
