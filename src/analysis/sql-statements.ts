import { tokenizeSql } from './sql-tokens.js';

/**
 * Splits SQL text at the `;` that end statements (not those inside strings, quoted names or
 * comments): the complete statements, each with its `;`, and the rest, a statement still being
 * typed (empty, or only whitespace and comments, when nothing is pending). For a shell that reads
 * a line at a time.
 *
 * @example splitStatements("SELECT 1; SELECT ';'\n")  // { complete: ['SELECT 1;'], rest: " SELECT ';'\n" }
 */
export function splitStatements(text: string): { complete: string[]; rest: string } {
  const complete: string[] = [];
  let start = 0;
  for (const token of tokenizeSql(text)) {
    if (token.kind === 'symbol' && token.text === ';') {
      const statement = text.slice(start, token.end).trim();
      if (statement !== ';') complete.push(statement);
      start = token.end;
    }
  }
  return { complete, rest: text.slice(start) };
}

/** Whether SQL text holds nothing to run: whitespace and comments only. */
export function isBlankSql(text: string): boolean {
  return tokenizeSql(text).length === 0;
}
