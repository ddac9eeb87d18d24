import { PssError } from '../../pss/pss-error.js';

/** Keys yargs sets for the global options (and their aliases), never SQL parameters. */
const GLOBAL_KEYS = new Set(['_', '$0', 'db', 'format', 'f', 'formatGiven', 'wide', 'verbose', 'quiet', 'q', 'help', 'h', 'version', 'follow-symlinks', 'followSymlinks']);

/**
 * The SQL parameters given as options to `report` and `query` (`--name-pattern '%.log'` is
 * `:name_pattern`): every option that is neither global nor one of the command's `own`. The
 * commands parse with yargs' strict mode off and number parsing off, so values arrive as the
 * user typed them (`--pattern 010` stays '010'); a flag without a value is 'true'.
 */
export function parameterOptions(args: Readonly<Record<string, unknown>>, own: readonly string[]): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [key, value] of Object.entries(args)) {
    if (GLOBAL_KEYS.has(key) || own.includes(key)) continue;
    // yargs adds a camelCase copy of each --kebab-case option.
    if (/[A-Z]/.test(key) && key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`) in args) continue;
    const name = key.replaceAll('-', '_');
    if (Array.isArray(value)) {
      throw new PssError('ERROR_INVALID_PARAMETER', `--${key} is given ${value.length} times: give each parameter once`, { option: name });
    }
    values[name] = String(value);
  }
  return values;
}
