import { PssError } from '../../pss/pss-error.js';
import type { Relation } from '../../store/column.js';
import { defineCommand, printRows } from '../context.js';

/** How each kind of column reads back, in words a SQL writer needs. */
const TYPE_NAMES = { id: 'integer key', integer: 'integer', u64: 'u64 (bigint)', real: 'real', text: 'text', blob: 'blob' } as const;

async function unknownRelation(name: string, relations: Readonly<Record<string, Relation>>): Promise<PssError> {
  const { didYouMeanText } = await import('../../analysis/did-you-mean.js');
  return new PssError('ERROR_NOT_FOUND', `no table or view '${name}'${didYouMeanText(name, Object.keys(relations))}; see 'pssql schema'`, {
    option: 'relation',
  });
}

export const schemaCommand = defineCommand({
  command: 'schema [relation]',
  describe: 'the tables and views of a recording, their columns, and the SQL functions, for writing queries',
  builder: (yargs) =>
    yargs
      .positional('relation', { type: 'string', describe: 'a table or view: list its columns' })
      .option('functions', { type: 'boolean', default: false, describe: 'list the SQL functions pssql adds' })
      .option('sql', { type: 'boolean', default: false, describe: 'print the CREATE statements the declaration makes (of one table or view, or of all)' })
      .option('dialect', {
        choices: ['sqlite', 'postgres'] as const,
        describe: 'the SQL dialect of --sql',
        defaultDescription: 'postgres when --db is a postgres:// URL, else sqlite',
      })
      .example('$0 schema', 'every table and view')
      .example('$0 schema handles', 'the columns of the handles view')
      .example('$0 schema --functions', 'hex_address, human_bytes, protection_short, regr_slope...')
      .example('$0 schema threads --sql', 'the CREATE VIEW of threads, as a migration that changes it recreates it')
      .example('$0 schema handle_versions --sql --dialect postgres', 'the same for the PostgreSQL migration beside it'),
  handler: async (args) => {
    const { RELATIONS } = await import('../../store/schema.js');
    if (args.functions) {
      const { SQL_FUNCTIONS } = await import('../../store/sql-functions.js');
      printRows(args, { columns: ['function', 'description'], rows: SQL_FUNCTIONS.map((f) => ({ function: f.name, description: f.description })) });
      return;
    }
    if (args.sql) {
      const { renderRelation, renderSchema, SQLITE_SCHEMA } = await import('../../store/render-schema.js');
      const postgres = (args.dialect ?? (/^postgres(ql)?:\/\//i.test(args.db) ? 'postgres' : 'sqlite')) === 'postgres';
      const dialect = postgres ? (await import('../../store/postgres/schema-dialect.js')).POSTGRES_SCHEMA : SQLITE_SCHEMA;
      const relation = args.relation === undefined ? undefined : RELATIONS[args.relation];
      if (args.relation !== undefined && relation === undefined) throw await unknownRelation(args.relation, RELATIONS);
      const statements = args.relation === undefined || relation === undefined ? renderSchema(dialect) : renderRelation(args.relation, relation, dialect);
      process.stdout.write(`${statements.join('\n\n')}\n`);
      return;
    }
    if (args.relation === undefined) {
      printRows(args, {
        columns: ['name', 'kind', 'columns', 'description'],
        rows: Object.entries(RELATIONS)
          .map(([name, r]) => ({ name, kind: r.kind, columns: Object.keys(r.columns).length, description: r.description }))
          .sort((a, b) => (a.kind === b.kind ? a.name.localeCompare(b.name) : a.kind === 'view' ? -1 : 1)),
      });
      return;
    }
    const relation = RELATIONS[args.relation];
    if (relation === undefined) throw await unknownRelation(args.relation, RELATIONS);
    printRows(args, {
      columns: ['column', 'type', 'nullable', 'description'],
      rows: Object.entries(relation.columns).map(([column, c]) => ({
        column,
        type: TYPE_NAMES[c.kind],
        nullable: c.nullable ? 'yes' : 'no',
        description: c.description,
      })),
    });
  },
});
