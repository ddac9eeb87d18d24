#!/usr/bin/env node
/**
 * Bundles the CLI (tsc's dist/src/cli/main.js) with esbuild into dist/bundle/, which bin/pssql.js
 * runs: Node loads a few files instead of some 150, and that was most of a command's start-up.
 * Run after tsc (`npm run build` does both). The library (dist/src/index.js) is not bundled.
 *
 * - Code splitting keeps what a command loads lazily lazy: a command's `import()` is a chunk of its
 *   own, so `pssql capture` still loads neither Kysely nor the analysis code.
 * - Native packages stay external: Node loads them from node_modules as before (better-sqlite3
 *   with require(), which is faster).
 * - Every file of the bundle sits in dist/bundle/ itself, so `import.meta.url` is the same
 *   folder for all of them. A `new URL('./x.js', import.meta.url)` that names a script (a worker
 *   thread, a forked process) makes that script a bundle of its own (one file), in the same folder; a
 *   `new URL(...)` that names anything else (migrations/, queries/, package.json) is rewritten to
 *   reach the same file from dist/bundle/. Other uses of `import.meta.url` (createRequire) get the
 *   URL of the file they came from, in ours and in our direct dependencies (yargs finds its
 *   locales through it).
 * - What only help needs (cliui, string-width) is dist/bundle/help.cjs, loaded when help is rendered.
 * - dist/bundle/meta.json is esbuild's metafile: which sources each chunk holds (tests read it).
 */
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const COMPILED = join(ROOT, 'dist', 'src');
const OUT = join(ROOT, 'dist', 'bundle');
const PACKAGE = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
/** Packages with native code (pg may load pg-native): loaded from node_modules at run time, never bundled. */
const EXTERNAL = ['better-sqlite3', 'koffi', 'pg', 'pg-native', 'pg-copy-streams', 'pg-connection-string'];

/** `new URL('literal', import.meta.url)`, the only form the bundle can place. */
const URL_OF_FILE = /new URL\(\s*(['"])([^'"\\]+)\1\s*,\s*import\.meta\.url\s*\)/g;
const URL_OR_META_URL = new RegExp(`${URL_OF_FILE.source}|\\bimport\\.meta\\.url\\b`, 'g');

const posix = (path) => path.split(sep).join('/');
const relativeSpecifier = (from, to) => {
  const rel = posix(relative(from, to)) || '.';
  return rel.startsWith('.') ? rel : `./${rel}`;
};

function compiledFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = join(dir, entry.name);
    return entry.isDirectory() ? compiledFiles(full) : entry.name.endsWith('.js') ? [full] : [];
  });
}

/** The scripts the code starts by URL (worker threads, forked processes): entry points of the bundle. */
function startedScripts() {
  const scripts = new Set();
  for (const file of compiledFiles(COMPILED)) {
    for (const m of readFileSync(file, 'utf8').matchAll(URL_OF_FILE)) {
      const target = resolve(dirname(file), m[2]);
      if (target.endsWith('.js') && target.startsWith(COMPILED + sep)) scripts.add(target);
    }
  }
  return [...scripts].sort();
}

const main = join(COMPILED, 'cli', 'main.js');
const entries = [main, ...startedScripts()];
const entryNames = new Map(entries.map((file) => [file, basename(file, '.js')]));
const names = [...entryNames.values()];
const clash = names.find((name, i) => names.indexOf(name) !== i);
if (clash !== undefined) throw new Error(`two scripts of the bundle would both be dist/bundle/${clash}.js: rename one`);

/** Our compiled files, with every use of import.meta.url made to mean what it meant in dist/src/. */
function placeOurs(file, text) {
  const original = JSON.stringify(relativeSpecifier(OUT, file));
  return text.replace(URL_OR_META_URL, (found, quote, specifier) => {
    if (specifier === undefined) return `new URL(${original}, import.meta.url).href`;
    const target = resolve(dirname(file), specifier);
    const name = entryNames.get(target);
    const moved = name !== undefined ? `./${name}.js` : relativeSpecifier(OUT, target) + (specifier.endsWith('/') ? '/' : '');
    return `new URL(${quote}${moved}${quote}, import.meta.url)`;
  });
}

/** The package a file of node_modules belongs to. */
function packageOf(file) {
  const parts = posix(relative(ROOT, file)).split('/');
  const at = parts.lastIndexOf('node_modules');
  return parts.slice(at + 1, at + (parts[at + 1]?.startsWith('@') ? 3 : 2)).join('/');
}

/**
 * What yargs needs only to render help: cliui and string-width, and all they import. string-width
 * makes an Intl.Segmenter and a \\p{RGI_Emoji} regular expression as it loads, some 35 ms, and
 * with the rest it is 55 KB of code to compile, in every command, --version included; only help
 * measures text. It is built apart, into dist/bundle/help.cjs, and what yargs imports of it is a
 * one-function stand-in that loads it (require: help is rendered synchronously) on its first call.
 */
const HELP = /^(cliui|string-width)$/;
/** The modules of help.cjs, by their path from the package root. */
const helpModules = new Set();

const loadHelpLater = {
  name: 'load-help-later',
  setup(build) {
    build.onResolve({ filter: HELP }, async (args) => {
      if (args.pluginData?.real) return undefined;
      const real = await build.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, importer: args.importer, pluginData: { real: true } });
      if (real.errors.length > 0) return { errors: real.errors };
      helpModules.add(posix(relative(ROOT, real.path)));
      return { path: posix(relative(ROOT, real.path)), namespace: 'help' };
    });
    build.onLoad({ filter: /.*/, namespace: 'help' }, (args) => ({
      contents: [
        "import { createRequire } from 'node:module';",
        'let real;',
        'export default function helpOnly(...args) {',
        `  real ??= createRequire(import.meta.url)('./help.cjs').default[${JSON.stringify(args.path)}];`,
        '  return real(...args);',
        '}',
        '',
      ].join('\n'),
      loader: 'js',
    }));
  },
};

/** help.cjs: the default export of each module of `helpModules`, by its path. */
const helpEntry = {
  name: 'help-entry',
  setup(build) {
    build.onResolve({ filter: /^help-entry$/ }, () => ({ path: 'help-entry', namespace: 'help-entry' }));
    build.onLoad({ filter: /.*/, namespace: 'help-entry' }, () => {
      const modules = [...helpModules].sort();
      return {
        contents: [
          ...modules.map((file, i) => `import m${i} from ${JSON.stringify(join(ROOT, file))};`),
          `export default { ${modules.map((file, i) => `${JSON.stringify(file)}: m${i}`).join(', ')} };`,
          '',
        ].join('\n'),
        loader: 'js',
        resolveDir: ROOT,
      };
    });
  },
};

/**
 * CommonJS packages left external are loaded with require() (createRequire), not import: Node's
 * ES module loader scans a CommonJS package's source for its exports first, and better-sqlite3,
 * loaded so, took 5 ms longer to load. pssql imports their default export only.
 */
const REQUIRED = /^better-sqlite3$/;

const requireExternal = {
  name: 'require-external',
  setup(build) {
    build.onResolve({ filter: REQUIRED }, (args) => ({ path: args.path, namespace: 'require' }));
    build.onLoad({ filter: /.*/, namespace: 'require' }, (args) => ({
      // Loaded after main.js, as the modules of loadedLater() below, and given its import for the same reason.
      contents: `import ${JSON.stringify(main)};\nimport { createRequire } from 'node:module';\nexport default createRequire(import.meta.url)(${JSON.stringify(args.path)});\n`,
      loader: 'js',
      resolveDir: ROOT,
    }));
  },
};

/** Places files (see above); the modules of `importingMain` also import the CLI's main module first (see below). */
function placeFiles(importingMain = new Set()) {
  const mainImport = `import ${JSON.stringify(main)};\n`;
  return {
    name: 'place-files',
    setup(build) {
      build.onLoad({ filter: /\.(m?js)$/ }, async (args) => {
        const text = readFileSync(args.path, 'utf8');
        const resolveDir = dirname(args.path);
        if (args.path.startsWith(COMPILED + sep)) {
          const contents = placeOurs(args.path, text);
          return { contents: importingMain.has(args.path) ? mainImport + contents : contents, loader: 'js', resolveDir };
        }
        if (!args.path.includes(`${sep}node_modules${sep}`)) return undefined;
        if (!text.includes('import.meta.url')) return undefined;
        // A direct dependency is found from pssql's files at run time; a deeper one may not be, and
        // keeps the bundle's URL (what it does with it, createRequire, works from there too).
        const name = packageOf(args.path);
        if (PACKAGE.dependencies?.[name] === undefined) return undefined;
        const entry = await build.resolve(name, { kind: 'import-statement', resolveDir: ROOT });
        if (entry.errors.length > 0) throw new Error(`cannot resolve ${name}: ${entry.errors[0].text}`);
        const fromEntry = JSON.stringify(relativeSpecifier(dirname(entry.path), args.path));
        const own = `const __ownUrl = new URL(${fromEntry}, import.meta.resolve(${JSON.stringify(name)})).href;`;
        return { contents: `${own} ${text.replaceAll('import.meta.url', '__ownUrl')}`, loader: 'js', resolveDir };
      });
    },
  };
}

/**
 * The modules the CLI loads with import() that main.js does not load anyway. esbuild cuts the code
 * into chunks by the set of entry points (main.js and each import()) that reach each module, and
 * main.js shares its modules with different import()s: it loaded a dozen small chunks, each a file
 * Node resolves, reads and links. Each of these modules imports main.js's module as well, so that
 * all main.js loads is one chunk. That costs nothing: main.js is loaded before any import() runs.
 */
async function loadedLater(options) {
  const probe = await esbuild.build({ ...options, write: false });
  const inputs = probe.metafile.inputs;
  const key = (file) => posix(relative(ROOT, file));
  const loadedByMain = new Set();
  const visit = (input) => {
    if (loadedByMain.has(input) || inputs[input] === undefined) return;
    loadedByMain.add(input);
    for (const i of inputs[input].imports) if (i.kind !== 'dynamic-import' && !i.external) visit(i.path);
  };
  visit(key(main));
  const later = new Set();
  for (const input of Object.values(inputs)) {
    for (const i of input.imports) {
      // Only our modules are given the import; another module imported so stays a chunk of its own.
      if (i.kind === 'dynamic-import' && !loadedByMain.has(i.path) && i.path.startsWith(`${key(COMPILED)}/`)) later.add(join(ROOT, i.path));
    }
  }
  return later;
}

const options = {
  absWorkingDir: ROOT,
  outdir: OUT,
  entryNames: '[name]',
  chunkNames: 'chunk-[hash]',
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: `node${PACKAGE.engines.node.replace(/^>=\s*/, '')}`,
  external: EXTERNAL,
  // Chained to tsc's maps: with --verbose, bin/pssql.js turns source maps on and stacks name src/*.ts.
  sourcemap: 'linked',
  metafile: true,
  legalComments: 'none',
  logLevel: 'warning',
  plugins: [requireExternal, loadHelpLater, placeFiles()],
};

rmSync(OUT, { recursive: true, force: true });
// The CLI, split at its import()s. The scripts it starts are built apart, each one whole: shared
// with them, the CLI's modules would be cut into more chunks, each a file to load.
const cliOptions = { ...options, entryPoints: [{ in: main, out: 'main' }], splitting: true };
const later = await loadedLater(cliOptions);
const cli = await esbuild.build({ ...cliOptions, plugins: [requireExternal, loadHelpLater, placeFiles(later)] });
const help = await esbuild.build({ ...options, entryPoints: [{ in: 'help-entry', out: 'help' }], format: 'cjs', outExtension: { '.js': '.cjs' }, plugins: [helpEntry, placeFiles()] });
const started = await esbuild.build({ ...options, entryPoints: entries.slice(1).map((file) => ({ in: file, out: entryNames.get(file) })) });
const builds = [started, help, cli].map((b) => b.metafile);
const metafile = { inputs: Object.assign({}, ...builds.map((m) => m.inputs)), outputs: Object.assign({}, ...builds.map((m) => m.outputs)) };
writeFileSync(join(OUT, 'meta.json'), JSON.stringify(metafile));
