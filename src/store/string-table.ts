import type BetterSqlite3 from 'better-sqlite3';
import { decodeBytes, encodeBytes, isExactText, textWithEscapedBytes } from '../pss/byte-string.js';

/**
 * The `strings` table seen from JavaScript: every repeated text stored once. Text that came from
 * bytes which are not UTF-8 keeps its exact bytes in `raw`, and in `value` the same text with
 * those bytes written as `\xNN`, so it reads back byte for byte and reads well in SQL.
 */
/** Texts remembered at most; a long recording of a process that names files anew stays bounded. */
const MAX_CACHED = 200_000;

export class StringTable {
  private readonly ids = new Map<string, number>();
  private readonly texts = new Map<number, string>();
  /** Ids added in the open transaction: forgotten if it rolls back. */
  private pending: string[] = [];
  private writing: {
    addText: BetterSqlite3.Statement;
    findText: BetterSqlite3.Statement;
    addBytes: BetterSqlite3.Statement;
    findBytes: BetterSqlite3.Statement;
  } | null = null;
  private readonly read: BetterSqlite3.Statement;

  constructor(private readonly db: BetterSqlite3.Database) {
    this.read = db.prepare('SELECT value, raw FROM strings WHERE string_id = ?');
  }

  /** The statements that add texts, prepared when a text is first added (readers never do). */
  private writer() {
    // Insert first: a new text (most of them, in a first capture) costs one plain INSERT (a
    // RETURNING statement costs twice as much); the unique indexes make a known one a no-op.
    this.writing ??= {
      addText: this.db.prepare('INSERT OR IGNORE INTO strings (value, raw) VALUES (?, NULL)'),
      findText: this.db.prepare('SELECT string_id FROM strings WHERE value = ? AND raw IS NULL').pluck(),
      addBytes: this.db.prepare('INSERT OR IGNORE INTO strings (value, raw) VALUES (?, ?)'),
      findBytes: this.db.prepare('SELECT string_id FROM strings WHERE raw = ?').pluck(),
    };
    return this.writing;
  }

  /** The id of `text`, adding it when new. Call inside a write transaction. */
  id(text: string | null): number | null {
    if (text === null) return null;
    let id = this.ids.get(text);
    if (id === undefined) {
      if (this.ids.size >= MAX_CACHED && this.pending.length === 0) this.ids.clear();
      const w = this.writer();
      if (isExactText(text)) {
        const added = w.addText.run(text);
        id = added.changes === 1 ? Number(added.lastInsertRowid) : (w.findText.get(text) as number);
      } else {
        const raw = encodeBytes(text);
        const added = w.addBytes.run(textWithEscapedBytes(text), raw);
        id = added.changes === 1 ? Number(added.lastInsertRowid) : (w.findBytes.get(raw) as number);
      }
      this.pending.push(text);
      this.ids.set(text, id);
    }
    return id;
  }

  /** The text of an id, exactly as it was stored. */
  text(id: number | null): string | null {
    if (id === null) return null;
    let text = this.texts.get(id);
    if (text === undefined) {
      if (this.texts.size >= MAX_CACHED) this.texts.clear();
      const row = this.read.get(id) as { value: string; raw: Buffer | null } | undefined;
      if (row === undefined) return null;
      text = row.raw === null ? row.value : decodeBytes(row.raw);
      this.texts.set(id, text);
    }
    return text;
  }

  /** The open transaction committed: its new ids are real. */
  commit(): void {
    this.pending = [];
  }

  /** The open transaction rolled back: forget the ids it added. */
  rollback(): void {
    for (const text of this.pending) this.ids.delete(text);
    this.pending = [];
  }
}
