/*
 * Help text that wraps at word boundaries at any width. yargs wraps what it lays out itself
 * (options, examples); the free text of an epilog is written here one line per paragraph or list
 * item, and wrapped to the same width before yargs sees it, so that list items keep their
 * indentation and nothing is broken inside a word.
 */

/** The width help is wrapped to: the terminal's, at most 110 columns; 100 when not a terminal. */
export function helpWidth(): number {
  const columns = process.stdout.isTTY === true ? process.stdout.columns : undefined;
  return Math.max(20, Math.min(110, columns ?? 100));
}

/** Words of `text` in lines of at most `width` characters, the first after `first`, the others after `rest`. */
function fill(words: readonly string[], width: number, first: string, rest: string): string[] {
  const lines: string[] = [];
  let line = first;
  let empty = true;
  for (const word of words) {
    if (!empty && line.length + 1 + word.length > width) {
      lines.push(line);
      line = rest;
      empty = true;
    }
    line += empty ? word : ` ${word}`;
    empty = false;
  }
  lines.push(line);
  return lines;
}

/**
 * Wraps help text to `width` at word boundaries. Each line of `text` is a paragraph or a list
 * item; an item (a line that starts with spaces) continues under its description when it has the
 * form `  term  description` (two spaces after the term, or one word and two spaces at the start
 * of the line), else under its start. A word longer
 * than a line is left whole, never split.
 *
 * @example wrapHelp('  va-clone  clone the address space (Windows only)', 30)
 * // '  va-clone  clone the address\n              space (Windows only)'
 */
export function wrapHelp(text: string, width = helpWidth()): string {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    if (line.length <= width || line.trim() === '') {
      out.push(line.trimEnd());
      continue;
    }
    const indent = /^ */.exec(line)?.[0] ?? '';
    const term = /^( +\S+(?: \S+)*? {2,}|\S+ {2,})\S/.exec(line);
    const head = term?.[1] ?? indent;
    // A description column that leaves too little room is given up: the item wraps under its start.
    const hanging = term === null ? indent : head.length <= width / 2 ? ' '.repeat(head.length) : `${indent}  `;
    out.push(...fill(line.slice(head.length).trim().split(/\s+/), width, head, hanging));
  }
  return out.join('\n');
}

const EXTRAS = /^(.*\S)(\[(?:boolean|string|number|array|count|required|deprecated|choices:|default:)[^\n]*\])$/;

/**
 * Mends yargs' help where its layout glues the right-aligned extras of an option (`[boolean]
 * [default: false]`) to the last word of a description that ends exactly where they start
 * (`later[array]`): the extras go to a line of their own, still right-aligned.
 */
export function mendHelp(text: string, width = helpWidth()): string {
  return text
    .split('\n')
    .flatMap((line) => {
      const glued = EXTRAS.exec(line);
      if (glued === null || / \[/.test(`${glued[1]?.slice(-1)}${glued[2]?.slice(0, 1)}`)) return [line];
      const [, description = '', extras = ''] = glued;
      return [description, extras.padStart(Math.max(extras.length, width))];
    })
    .join('\n');
}
