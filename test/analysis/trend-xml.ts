/**
 * A strict little XML reader for the tests of the chart: enough of XML 1.0 for SVG and XHTML-style
 * HTML (elements, attributes in quotes, text, character references, comments, a doctype). It
 * throws on anything malformed: an unclosed or misnested tag, a bare `<` or `&`, an attribute
 * given twice, text after the root. No XML parser is among the project's packages.
 */
export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const NAME = /[A-Za-z_:][\w:.-]*/y;

export function parseXml(source: string): XmlElement {
  let at = 0;
  const fail = (why: string): never => {
    throw new Error(`${why} at offset ${at}: ${JSON.stringify(source.slice(at, at + 40))}`);
  };
  const name = (): string => {
    NAME.lastIndex = at;
    const match = NAME.exec(source);
    if (match === null) return fail('expected a name');
    at = NAME.lastIndex;
    return match[0];
  };
  const space = () => {
    while (/\s/.test(source[at] ?? '')) at++;
  };
  const text = (end: number): string => {
    const raw = source.slice(at, end);
    if (raw.includes('<')) fail('bare <');
    if (/&(?!(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/.test(raw)) fail('bare &');
    at = end;
    return raw;
  };
  const skipMisc = () => {
    for (;;) {
      space();
      if (source.startsWith('<!--', at)) at = source.indexOf('-->', at) + 3 || fail('unclosed comment');
      else if (source.startsWith('<!DOCTYPE', at) || source.startsWith('<?', at)) at = source.indexOf('>', at) + 1 || fail('unclosed declaration');
      else return;
    }
  };
  const element = (): XmlElement => {
    if (source[at] !== '<') fail('expected <');
    at++;
    const el: XmlElement = { name: name(), attributes: {}, children: [], text: '' };
    for (;;) {
      space();
      if (source.startsWith('/>', at)) {
        at += 2;
        return el;
      }
      if (source[at] === '>') break;
      const attribute = name();
      space();
      if (source[at] !== '=') fail('expected =');
      at++;
      space();
      const quote = source[at];
      if (quote !== '"' && quote !== "'") fail('attribute value without quotes');
      at++;
      const end = source.indexOf(quote as string, at);
      if (end < 0) fail('unclosed attribute value');
      if (attribute in el.attributes) fail(`attribute ${attribute} twice`);
      el.attributes[attribute] = text(end);
      at++;
    }
    at++;
    for (;;) {
      const next = source.indexOf('<', at);
      if (next < 0) fail(`unclosed <${el.name}>`);
      el.text += text(next);
      if (source.startsWith('<!--', at)) at = source.indexOf('-->', at) + 3;
      else if (source.startsWith('</', at)) {
        at += 2;
        const closing = name();
        if (closing !== el.name) fail(`</${closing}> closes <${el.name}>`);
        space();
        if (source[at] !== '>') fail('expected >');
        at++;
        return el;
      } else el.children.push(element());
    }
  };
  skipMisc();
  const root = element();
  skipMisc();
  if (at !== source.length) fail('content after the root element');
  return root;
}

/** Every element below (and including) `root`, depth first. */
export function* descendants(root: XmlElement): Generator<XmlElement> {
  yield root;
  for (const child of root.children) yield* descendants(child);
}
