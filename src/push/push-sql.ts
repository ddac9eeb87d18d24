import type { Column } from '../store/column.js';
import { ENTRY_KINDS } from '../store/entry-kinds.js';
import { partTablesOf } from '../store/row-codec.js';
import { TABLES, type TableName } from '../store/schema.js';

/*
 * The SQL of a push, from the declaration: staging tables with the columns of the tables they
 * stand for, and INSERT ... SELECT statements that write staged rows into the target's tables
 * with the target's own keys (from map tables: local id -> target id), its own string ids, the
 * target instance and recording. Both dialects accept it; what differs is in PushDialect.
 */

/** The tables a push copies rows of, parents first (foreign keys are satisfied in this order). */
export const PUSHED_TABLES: readonly TableName[] = [
  'strings',
  'process_instances',
  ...ENTRY_KINDS.flatMap((k) => [k.table, ...partTablesOf(k.table).map((p) => p.table)]),
  'captures',
  'process_info',
  'performance_counters',
  'thread_names',
  'auxiliary_pages',
];

/** The tables whose keys a push assigns anew in the target (each has a map table). */
export const MAPPED_TABLES: readonly TableName[] = ['strings', 'process_instances', ...ENTRY_KINDS.map((k) => k.table), 'captures'];

export const stageOf = (table: string): string => `push_${table}`;
export const mapOf = (table: string): string => `push_map_${table}`;
export const closuresOf = (table: string): string => `push_closures_${table}`;

/** The column of a table that is its key the store assigns (`id` kind), if any. */
export function idColumnOf(table: TableName): string | undefined {
  return Object.entries(TABLES[table].columns).find(([, c]) => c.kind === 'id')?.[0];
}

/** The staging tables of a session: CREATE statements, in a dialect's column types. */
export function stagingTables(dialect: 'sqlite' | 'postgres', columnType: (column: Column) => string): string[] {
  const temporary = (name: string, columns: string[]): string =>
    dialect === 'postgres'
      ? `CREATE TEMPORARY TABLE IF NOT EXISTS ${name} (${columns.join(', ')}) ON COMMIT DELETE ROWS`
      : `CREATE TEMPORARY TABLE IF NOT EXISTS ${name} (${columns.join(', ')})`;
  const int = dialect === 'postgres' ? 'bigint' : 'INTEGER';
  const statements: string[] = [];
  for (const table of PUSHED_TABLES) {
    const columns = Object.entries(TABLES[table].columns).map(([name, c]) => `${name} ${c.kind === 'id' ? int : columnType(c)}`);
    statements.push(temporary(stageOf(table), columns));
  }
  for (const table of MAPPED_TABLES) statements.push(temporary(mapOf(table), [`local_id ${int} PRIMARY KEY`, `id ${int} NOT NULL`]));
  for (const kind of ENTRY_KINDS) statements.push(temporary(closuresOf(kind.table), [`first_seq ${int}`, `key_value ${int}`, `last_seq ${int}`]));
  return statements;
}

/** Every staging table's name, to empty them (SQLite's temporary tables outlive a transaction). */
export function stagingNames(): string[] {
  return [...PUSHED_TABLES.map(stageOf), ...MAPPED_TABLES.map(mapOf), ...ENTRY_KINDS.map((k) => closuresOf(k.table))];
}

/** What a staged row's constants are in the target: its instance and recording. */
export interface Constants {
  instanceId: number | null;
  recordingKey: number;
}

/**
 * INSERT ... SELECT of a table's staged rows into the target table: keys from the maps (its own,
 * and those of the strings, captures and handle versions it references), the instance and
 * recording as given, every other column as staged.
 */
export function insertStaged(table: TableName, constants: Constants): string {
  const columns: string[] = [];
  const values: string[] = [];
  const joins: string[] = [];
  for (const [name, c] of Object.entries(TABLES[table].columns)) {
    columns.push(name);
    const fk = c.foreignKey;
    if (c.kind === 'id') {
      joins.push(`JOIN ${mapOf(table)} AS m_self ON m_self.local_id = s.${name}`);
      values.push('m_self.id');
    } else if (fk?.table === 'strings') {
      joins.push(`LEFT JOIN ${mapOf('strings')} AS m_${name} ON m_${name}.local_id = s.${name}`);
      values.push(`m_${name}.id`);
    } else if (fk !== null && MAPPED_TABLES.includes(fk.table as TableName) && fk.table !== 'process_instances') {
      joins.push(`JOIN ${mapOf(fk.table)} AS m_${name} ON m_${name}.local_id = s.${name}`);
      values.push(`m_${name}.id`);
    } else if (fk?.table === 'process_instances') {
      if (constants.instanceId === null) throw new TypeError(`${table}: the target instance is not known yet`);
      values.push(String(constants.instanceId));
    } else if (name === 'recording_key') {
      values.push(String(constants.recordingKey));
    } else {
      values.push(`s.${name}`);
    }
  }
  return `INSERT INTO ${table} (${columns.join(', ')}) SELECT ${values.join(', ')} FROM ${stageOf(table)} AS s ${joins.join(' ')}`;
}
