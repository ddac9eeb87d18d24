import type { Relation } from '../store/column.js';
import type { Store } from '../store/open-store.js';
import { type Format, FORMATS, renderRows, type RowSet } from './output.js';

/*
 * The engine of `pssql shell`: statements and dot-commands in, rows out, whether they come from
 * a person at a terminal or from a script on standard input. Every statement goes through the
 * read-only path of `pssql query` (prepareReadOnly), on a connection opened read-only.
 */

/** What the shell writes to: rows, and messages (errors, notes) for people. */
export interface ShellOutput {
  rows(text: string): void;
  message(text: string): void;
  /** The width tables are fitted to, or undefined to never cut. */
  width(): number | undefined;
}

/** The dot-commands, for .help and completion. */
export const DOT_COMMANDS: readonly [name: string, help: string][] = [
  ['.tables', 'the tables and views, with what each holds'],
  ['.schema NAME', 'the columns of a table or view (pssql schema NAME --sql for its CREATE)'],
  ['.functions', 'the SQL functions pssql adds'],
  ['.format table|json|csv|ndjson', 'how rows are printed (now: FORMAT)'],
  ['.param NAME VALUE', "binds :NAME in the statements that follow (a capture takes 'latest', 'nginx@first'...)"],
  ['.param', 'the values bound'],
  ['.help', 'this help'],
  ['.quit', 'leave (also .exit, or Ctrl-D)'],
];

/** SQL words worth completing. */
const KEYWORDS = [
  'SELECT', 'FROM', 'WHERE', 'GROUP BY', 'ORDER BY', 'HAVING', 'LIMIT', 'OFFSET', 'JOIN', 'LEFT JOIN', 'ON', 'AS', 'AND', 'OR', 'NOT',
  'IN', 'IS', 'NULL', 'LIKE', 'GLOB', 'BETWEEN', 'DISTINCT', 'COUNT', 'SUM', 'MIN', 'MAX', 'AVG', 'CASE', 'WHEN', 'THEN', 'ELSE',
  'END', 'WITH', 'UNION', 'EXCEPT', 'INTERSECT', 'DESC', 'ASC', 'PRAGMA', 'EXPLAIN', 'QUERY PLAN', 'VALUES',
];

/** An error as the one line a person reads, and the exit code it stands for. */
export interface ShellError {
  message: string;
  error: unknown;
}

/** A shell on one open, read-only recording. Create it with {@link createSqlShell}. */
export class SqlShell {
  format: Format;
  private readonly params = new Map<string, unknown>();
  private readonly names: { relations: string[]; columns: string[]; functions: string[] };

  private constructor(
    private readonly store: Store,
    private readonly out: ShellOutput,
    format: Format,
    private readonly deps: ShellDeps,
  ) {
    this.format = format;
    const columns = new Set<string>();
    for (const r of Object.values(deps.relations)) for (const c of Object.keys(r.columns)) columns.add(c);
    this.names = {
      relations: Object.keys(deps.relations).sort(),
      columns: [...columns].sort(),
      functions: deps.functions.map((f) => f.name.replace(/\(.*$/, '')),
    };
  }

  /** @internal */
  static create(store: Store, out: ShellOutput, format: Format, deps: ShellDeps): SqlShell {
    return new SqlShell(store, out, format, deps);
  }

  private print(set: RowSet): void {
    const width = this.format === 'table' ? this.out.width() : undefined;
    this.out.rows(renderRows({ ...set, exact: set.exact ?? this.deps.exactTexts(this.store, set.rows) }, { format: this.format, ...(width === undefined ? {} : { width }) }));
  }

  /**
   * Runs one complete statement (ending in `;`): its rows are printed; a refusal or mistake is
   * thrown, its message starting with `origin` (`shell`, `shell: line 3`).
   */
  async statement(sql: string, origin = 'shell'): Promise<void> {
    const used = this.deps.sqlParameters(sql);
    const values: Record<string, unknown> = {};
    for (const name of used) if (this.params.has(name)) values[name] = this.params.get(name);
    this.print(this.deps.runReadOnly(this.store, sql, values, origin));
  }

  /**
   * Runs a dot-command; false for `.quit`. Throws a PssError (ERROR_INVALID_PARAMETER) for one
   * that is unknown or misused.
   */
  async dot(line: string): Promise<boolean> {
    const [command = '', ...args] = line.trim().split(/\s+/);
    switch (command) {
      case '.quit':
      case '.exit':
      case '.q':
        return false;
      case '.help':
        this.out.message(this.help());
        return true;
      case '.tables':
        this.print({
          columns: ['name', 'kind', 'description'],
          rows: Object.entries(this.deps.relations)
            .map(([name, r]) => ({ name, kind: r.kind, description: r.description }))
            .sort((a, b) => (a.kind === b.kind ? a.name.localeCompare(b.name) : a.kind === 'view' ? -1 : 1)),
        });
        return true;
      case '.schema': {
        const name = args[0];
        if (name === undefined) throw this.deps.usage(".schema takes a table or view: '.schema handles' (.tables lists them)");
        const relation = this.deps.relations[name];
        if (relation === undefined) throw this.deps.usage(`no table or view '${name}'${this.deps.didYouMean(name, this.names.relations)} (.tables lists them)`);
        this.print({
          columns: ['column', 'type', 'description'],
          rows: Object.entries(relation.columns).map(([column, c]) => ({ column, type: c.nullable ? `${c.kind} or NULL` : c.kind, description: c.description })),
        });
        return true;
      }
      case '.functions':
        this.print({ columns: ['function', 'description'], rows: this.deps.functions.map((f) => ({ function: f.name, description: f.description })) });
        return true;
      case '.format':
      case '.mode': {
        const format = args[0];
        if (format === undefined) {
          this.out.message(`rows are printed as ${this.format}`);
          return true;
        }
        if (!(FORMATS as readonly string[]).includes(format)) throw this.deps.usage(`.format takes ${FORMATS.join(', ')} (got '${format}')`);
        this.format = format as Format;
        return true;
      }
      case '.param':
      case '.parameter': {
        if (args.length === 0) {
          this.print({ columns: ['name', 'value'], rows: [...this.params].map(([name, value]) => ({ name: `:${name}`, value })) });
          return true;
        }
        const [rawName = '', ...rest] = args;
        const name = rawName.replace(/^[:@$]/, '');
        if (!/^[A-Za-z0-9_]+$/.test(name) || rest.length === 0) throw this.deps.usage(".param takes a name and a value: '.param capture latest'");
        this.params.set(name, await this.deps.bindable(this.store, name, rest.join(' ')));
        return true;
      }
      default:
        throw this.deps.usage(`unknown command '${command}'${this.deps.didYouMean(command, DOT_COMMANDS.map(([c]) => c.split(' ')[0] as string))}; .help lists them`);
    }
  }

  /** The text of .help. */
  help(): string {
    const width = Math.max(...DOT_COMMANDS.map(([c]) => c.length));
    return [
      'SQL statements end with ;, and may take several lines. They run read-only, as with pssql query: one that would write is refused.',
      ...DOT_COMMANDS.map(([c, h]) => `  ${c.padEnd(width)}  ${h.replace('FORMAT', this.format)}`),
      "Tab completes table, view, column and function names. In SQL: hex_address(), human_bytes(), protection_short()...; lookup tables page_protections, object_types...",
    ].join('\n');
  }

  /** Completions of the word before the cursor (readline's completer). */
  complete(line: string): [string[], string] {
    const word = /[\w.]*$/.exec(line)?.[0] ?? '';
    if (line.trimStart().startsWith('.') && !line.trimStart().includes(' ')) {
      const dots = DOT_COMMANDS.map(([c]) => c.split(' ')[0] as string).filter((c) => c.startsWith(line.trim()));
      return [[...new Set(dots)], line.trim()];
    }
    if (/^\s*\.schema\s+\S*$/.test(line)) return [this.names.relations.filter((n) => n.startsWith(word)), word];
    if (word === '') return [[], word];
    const lower = word.toLowerCase();
    const pool = [...this.names.relations, ...this.names.columns, ...this.names.functions.map((f) => `${f}(`)];
    const names = [...new Set(pool)].filter((n) => n.toLowerCase().startsWith(lower));
    const upper = /^[A-Z]/.test(word);
    const keywords = KEYWORDS.filter((k) => k.toLowerCase().startsWith(lower)).map((k) => (upper ? k : k.toLowerCase()));
    return [[...names, ...keywords], word];
  }
}

/** What the shell uses of the analysis code, loaded when the shell starts (not when pssql does). */
export interface ShellDeps {
  relations: Readonly<Record<string, Relation>>;
  functions: readonly { name: string; description: string }[];
  runReadOnly(store: Store, sql: string, values: Readonly<Record<string, unknown>>, origin: string): RowSet;
  exactTexts(store: Store, rows: readonly object[]): ((text: string) => string) | undefined;
  sqlParameters(sql: string): string[];
  bindable(store: Store, name: string, text: string): Promise<unknown>;
  didYouMean(name: string, names: readonly string[]): string;
  usage(message: string): Error;
}

/**
 * A shell on an open recording: the analysis code it needs is loaded here.
 *
 * @example const shell = await createSqlShell(store, out, 'table'); await shell.statement('SELECT 1;')
 */
export async function createSqlShell(store: Store, out: ShellOutput, format: Format): Promise<SqlShell> {
  const [{ RELATIONS }, { SQL_FUNCTIONS }, { runReadOnly }, { exactTextsOf }, { sqlParameters, tokenizeSql }, { didYouMeanText }, { PssError }, parameters, refs] =
    await Promise.all([
      import('../store/schema.js'),
      import('../store/sql-functions.js'),
      import('../analysis/read-only-query.js'),
      import('../analysis/exact-text.js'),
      import('../analysis/sql-tokens.js'),
      import('../analysis/did-you-mean.js'),
      import('../pss/pss-error.js'),
      import('../analysis/report-parameter.js'),
      import('../analysis/capture-ref.js'),
    ]);
  return SqlShell.create(store, out, format, {
    relations: RELATIONS,
    functions: SQL_FUNCTIONS,
    runReadOnly: (s, sql, values, origin) => runReadOnly(s, sql, values, origin),
    exactTexts: exactTextsOf,
    sqlParameters: (sql) => sqlParameters(tokenizeSql(sql)).named,
    // As `pssql query` binds: :capture is a capture reference, integers are numbers, the rest text.
    bindable: async (s, name, text) =>
      name === 'capture' ? refs.resolveCaptureRef(s, text) : (parameters.coerceParameter('integer', text) ?? text),
    didYouMean: didYouMeanText,
    usage: (message) => new PssError('ERROR_INVALID_PARAMETER', message, { function: 'shell' }),
  });
}
