/**
 * A token of SQL text as far as pssql needs to see it: words, parameters and punctuation outside
 * of strings, quoted identifiers and comments.
 */
export interface SqlToken {
  kind: 'word' | 'parameter' | 'positional' | 'string' | 'identifier' | 'symbol';
  /** The text; for a parameter its name without the `:`, `@` or `$`. */
  text: string;
  /** Where it starts and ends in the SQL (end exclusive). */
  start: number;
  end: number;
}

const WORD = /[A-Za-z_\u0080-\uffff][\w\u0080-\uffff]*/y;
const NUMBER = /[0-9][\w.]*/y;
const PARAMETER_NAME = /[A-Za-z0-9_]+/y;
const DIGITS = /[0-9]*/y;

function matchAt(pattern: RegExp, sql: string, at: number): string {
  pattern.lastIndex = at;
  return pattern.exec(sql)?.[0] ?? '';
}

/**
 * Splits SQL into tokens, skipping comments and whitespace: SQLite's lexical rules for strings
 * ('...' with ''), quoted identifiers ("...", `...`, [...]) and parameters (?, ?NNN, :name,
 * @name, $name), and PostgreSQL's `::` cast. Unterminated strings or comments run to the end, as
 * SQLite would reject them.
 *
 * @example
 * tokenizeSql("SELECT * FROM handles WHERE capture_id = :capture -- :not_a_parameter")
 */
export function tokenizeSql(sql: string): SqlToken[] {
  const tokens: SqlToken[] = [];
  let i = 0;
  const push = (kind: SqlToken['kind'], text: string, start: number, end: number): void => {
    tokens.push({ kind, text, start, end });
  };
  const quoted = (close: string, kind: 'string' | 'identifier', doubled: boolean): void => {
    let j = i + 1;
    let text = '';
    for (;;) {
      const end = sql.indexOf(close, j);
      if (end < 0) {
        text += sql.slice(j);
        j = sql.length;
        break;
      }
      text += sql.slice(j, end);
      if (doubled && sql[end + 1] === close) {
        text += close;
        j = end + 2;
        continue;
      }
      j = end + 1;
      break;
    }
    push(kind, text, i, j);
    i = j;
  };
  while (i < sql.length) {
    const c = sql[i] as string;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i);
      i = end < 0 ? sql.length : end + 1;
    } else if (c === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      i = end < 0 ? sql.length : end + 2;
    } else if (c === "'") {
      quoted("'", 'string', true);
    } else if (c === '"') {
      quoted('"', 'identifier', true);
    } else if (c === '`') {
      quoted('`', 'identifier', true);
    } else if (c === '[') {
      quoted(']', 'identifier', false);
    } else if (c === '?') {
      const end = i + 1 + matchAt(DIGITS, sql, i + 1).length;
      push('positional', '?', i, end);
      i = end;
    } else if (c === ':' && sql[i + 1] === ':') {
      // PostgreSQL's cast (x::bigint), not a parameter (SQLite has no such operator).
      push('symbol', '::', i, i + 2);
      i += 2;
    } else if ((c === ':' || c === '@' || c === '$') && matchAt(PARAMETER_NAME, sql, i + 1) !== '') {
      const name = matchAt(PARAMETER_NAME, sql, i + 1);
      push('parameter', name, i, i + 1 + name.length);
      i += 1 + name.length;
    } else if (/[0-9]/.test(c)) {
      const number = matchAt(NUMBER, sql, i);
      push('symbol', number, i, i + number.length);
      i += number.length;
    } else {
      const word = matchAt(WORD, sql, i);
      if (word !== '') {
        push('word', word, i, i + word.length);
        i += word.length;
      } else {
        push('symbol', c, i, i + 1);
        i++;
      }
    }
  }
  return tokens;
}

/** The parameters a statement uses: named ones in order of first use, and whether any is positional (`?`). */
export function sqlParameters(tokens: readonly SqlToken[]): { named: string[]; positional: boolean } {
  const named = new Set<string>();
  let positional = false;
  for (const token of tokens) {
    if (token.kind === 'parameter') named.add(token.text);
    else if (token.kind === 'positional') positional = true;
  }
  return { named: [...named], positional };
}
