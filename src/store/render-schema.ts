import type { Column, ForeignKey, Index, Relation } from './column.js';
import { RELATIONS } from './schema.js';

/*
 * The SQL that the declaration in schema.ts says: CREATE TABLE, CREATE INDEX and CREATE VIEW
 * statements, in a dialect. A test runs it into an empty database and compares the result, both
 * ways, with a store migrated from empty (SQLite, and PostgreSQL on a real server); `pssql
 * schema --sql` prints it, for writing the next migration of each dialect.
 */

/** Where a column stands: its table and name. */
export interface ColumnContext {
  table: string;
  name: string;
  relation: Relation;
}

/** What differs between SQL dialects in a schema. */
export interface SchemaDialect {
  name: 'sqlite' | 'postgres';
  /** The type (and for keys the store assigns, the key) of a column. */
  columnType(column: Column, context: ColumnContext): string;
  /** What follows the closing parenthesis of a table. */
  tableOptions(relation: Relation): string;
  /** Statements a table needs before its CREATE TABLE (sequences). */
  beforeTable(name: string, relation: Relation): string[];
  /** The key of several columns of a table, or null for none beyond its columns' own. */
  primaryKey(name: string, relation: Relation): readonly string[] | null;
  /** Whether a foreign key can be declared in this dialect. */
  canReference(foreignKey: ForeignKey): boolean;
  /** What an index holds: its columns, or expressions of them. */
  indexKey(index: Index, relation: Relation): string;
}

/** SQLite: STRICT tables, INTEGER PRIMARY KEY rowid keys, WITHOUT ROWID where declared. */
export const SQLITE_SCHEMA: SchemaDialect = {
  name: 'sqlite',
  columnType(column) {
    switch (column.kind) {
      case 'id':
        return 'INTEGER PRIMARY KEY';
      case 'integer':
      case 'u64':
        return 'INTEGER';
      case 'real':
        return 'REAL';
      case 'text':
        return 'TEXT';
      case 'blob':
        return 'BLOB';
    }
  },
  tableOptions: (relation) => (relation.options.withoutRowid === true ? ' STRICT, WITHOUT ROWID' : ' STRICT'),
  beforeTable: () => [],
  primaryKey: (_name, relation) => relation.options.primaryKey ?? null,
  canReference: () => true,
  indexKey: (index) => index.columns.join(', '),
};

function columnDefinition(name: string, column: Column, dialect: SchemaDialect, context: ColumnContext): string {
  let sql = `${name} ${dialect.columnType(column, context)}`;
  if (column.kind !== 'id' && !column.nullable) sql += ' NOT NULL';
  if (column.defaultValue !== null) sql += ` DEFAULT ${column.defaultValue}`;
  if (column.primaryKey) sql += ' PRIMARY KEY';
  const fk = column.foreignKey;
  if (fk !== null && dialect.canReference(fk)) sql += ` REFERENCES ${fk.table} (${fk.column})${fk.onDelete === 'cascade' ? ' ON DELETE CASCADE' : ''}`;
  return sql;
}

/** CREATE TABLE of a declared table (with what it needs first, such as its sequences). */
export function renderTable(name: string, relation: Relation, dialect: SchemaDialect = SQLITE_SCHEMA): string[] {
  const lines = Object.entries(relation.columns).map(([column, c]) => columnDefinition(column, c, dialect, { table: name, name: column, relation }));
  const primaryKey = dialect.primaryKey(name, relation);
  if (primaryKey !== null) lines.push(`PRIMARY KEY (${primaryKey.join(', ')})`);
  for (const columns of relation.options.unique ?? []) lines.push(`UNIQUE (${columns.join(', ')})`);
  return [...dialect.beforeTable(name, relation), `CREATE TABLE ${name} (\n${lines.map((l) => `  ${l}`).join(',\n')}\n)${dialect.tableOptions(relation)};`];
}

/** CREATE INDEX of each index of a declared table. */
export function renderIndexes(name: string, relation: Relation, dialect: SchemaDialect = SQLITE_SCHEMA): string[] {
  return (relation.options.indexes ?? []).map(
    (index) =>
      `CREATE ${index.unique === true ? 'UNIQUE ' : ''}INDEX ${index.name} ON ${name} (${dialect.indexKey(index, relation)})${index.where === undefined ? '' : ` WHERE ${index.where}`};`,
  );
}

/** CREATE VIEW of a declared view: each column its expression, named as declared. */
export function renderView(name: string, relation: Relation): string {
  const columns = Object.entries(relation.columns).map(([column, c]) => {
    const expression = c.expression ?? column;
    const selected = expression.slice(expression.lastIndexOf('.') + 1);
    return selected === column ? expression : `${expression} AS ${column}`;
  });
  return `CREATE VIEW ${name} AS\nSELECT\n${columns.map((c) => `  ${c}`).join(',\n')}\nFROM ${relation.options.from};`;
}

/** The statements of one relation: a table and its indexes, or a view. */
export function renderRelation(name: string, relation: Relation, dialect: SchemaDialect = SQLITE_SCHEMA): string[] {
  return relation.kind === 'view' ? [renderView(name, relation)] : [...renderTable(name, relation, dialect), ...renderIndexes(name, relation, dialect)];
}

/** Every statement of the declared schema: tables with their indexes, then views. */
export function renderSchema(dialect: SchemaDialect = SQLITE_SCHEMA): string[] {
  const relations = Object.entries(RELATIONS);
  return [
    ...relations.filter(([, r]) => r.kind === 'table').flatMap(([name, r]) => renderRelation(name, r, dialect)),
    ...relations.filter(([, r]) => r.kind === 'view').flatMap(([name, r]) => renderRelation(name, r, dialect)),
  ];
}
