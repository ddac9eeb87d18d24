import type { Column, Relation } from '../column.js';
import type { SchemaDialect } from '../render-schema.js';
import { RELATIONS } from '../schema.js';

/** The PostgreSQL schema (namespace) that holds a pssql store in its database. */
export const POSTGRES_NAMESPACE = 'pssql';

/** The sequence that numbers an `id` column. */
export const sequenceOf = (table: string, column: string): string => `${table}_${column}_seq`;

/** The column a table is partitioned by (declared `partitionBy`), or undefined. */
export const partitionColumnOf = (relation: Relation | undefined): string | undefined => relation?.options.partitionBy;

/**
 * PostgreSQL: 64-bit integers for every integer (SQLite's INTEGER is 64-bit), keys numbered by
 * sequences, texts compared byte by byte as in SQLite (COLLATE "C", whatever the database's
 * locale), BLOBs as bytea. The version tables are partitioned by recording: the key of a
 * partitioned table includes the partition column, and a foreign key can only point at a key, so
 * the detail rows of versions are tied to them by the store's writers, not by a constraint.
 * Unique indexes of long values index their SHA-256 digest (pssql_digest).
 */
export const POSTGRES_SCHEMA: SchemaDialect = {
  name: 'postgres',
  columnType(column: Column, { table, name, relation }) {
    switch (column.kind) {
      case 'id': {
        const key = partitionColumnOf(relation) === undefined ? ' PRIMARY KEY' : ' NOT NULL';
        return `bigint DEFAULT nextval('${sequenceOf(table, name)}')${key}`;
      }
      case 'integer':
      case 'u64':
        return 'bigint';
      case 'real':
        return 'double precision';
      case 'text':
        return 'text COLLATE "C"';
      case 'blob':
        return 'bytea';
    }
  },
  tableOptions: (relation) => {
    const partition = partitionColumnOf(relation);
    return partition === undefined ? '' : ` PARTITION BY LIST (${partition})`;
  },
  beforeTable: (table, relation) =>
    Object.entries(relation.columns)
      .filter(([, c]) => c.kind === 'id')
      .map(([name]) => `CREATE SEQUENCE ${sequenceOf(table, name)};`),
  primaryKey(_table, relation) {
    const partition = partitionColumnOf(relation);
    if (partition === undefined) return relation.options.primaryKey ?? null;
    // A key of a partitioned table must hold its partition column.
    const own = relation.options.primaryKey ?? Object.entries(relation.columns).filter(([, c]) => c.kind === 'id' || c.primaryKey).map(([n]) => n);
    return [...own, partition];
  },
  canReference: (foreignKey) => partitionColumnOf(RELATIONS[foreignKey.table]) === undefined,
  indexKey: (index, relation) =>
    index.columns
      .map((name) => {
        if (index.hashed !== true) return name;
        return relation.columns[name]?.kind === 'blob' ? `sha256(${name})` : `pssql_digest(${name})`;
      })
      .join(', '),
};
