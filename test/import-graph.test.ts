/**
 * The layers of src/ stay one-way and each command loads only what it uses. Read from the
 * sources: every import (static, type-only and dynamic) is an edge.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import test from 'ava';
import { PSSQL_BIN, tempDir } from './helpers/cli.js';
import { PROJECT_ROOT } from './helpers/target.js';

const SRC = path.join(PROJECT_ROOT, 'src');

interface Edge {
  from: string;
  to: string;
  kind: 'static' | 'type' | 'dynamic';
}

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? sourceFiles(full) : entry.name.endsWith('.ts') ? [full] : [];
  });
}

const IMPORT = /^\s*(import|export)\s+(type\s+)?(?:[\s\S]*?\sfrom\s+)?['"](\.[^'"]+)['"]/gm;
const DYNAMIC = /\bimport\(\s*['"](\.[^'"]+)['"]\s*\)/g;

/** Every import between files of src/, as paths relative to src/. */
function edges(): Edge[] {
  const all: Edge[] = [];
  for (const file of sourceFiles(SRC)) {
    const text = fs.readFileSync(file, 'utf8');
    const from = path.relative(SRC, file);
    const target = (specifier: string): string => path.relative(SRC, path.resolve(path.dirname(file), specifier)).replace(/\.js$/, '.ts');
    for (const m of text.matchAll(IMPORT)) {
      // `import { type A, type B } from` is type-only too.
      const typeOnly = m[2] !== undefined || /^\s*(import|export)\s+\{(\s*type\s+\w+(\s+as\s+\w+)?\s*,?)+\s*\}/.test(m[0]);
      all.push({ from, to: target(m[3] as string), kind: typeOnly ? 'type' : 'static' });
    }
    for (const m of text.matchAll(DYNAMIC)) all.push({ from, to: target(m[1] as string), kind: 'dynamic' });
  }
  return all;
}

const layer = (file: string): string => {
  const [top, second] = file.split(path.sep);
  return top === 'capture' && (second === 'linux' || second === 'windows') ? `capture/${second}` : (top as string).replace(/\.ts$/, '');
};

test('every import names a file of src/', (t) => {
  const missing = edges().filter((e) => !fs.existsSync(path.join(SRC, e.to)));
  t.deepEqual(missing, []);
});

test('the layers point one way: pss imports nothing of ours, backends and the store never import each other, nothing imports the CLI', (t) => {
  const wrong: string[] = [];
  for (const e of edges()) {
    const from = layer(e.from);
    const to = layer(e.to);
    if (from === to) continue;
    if (from === 'pss') wrong.push(`${e.from} -> ${e.to}: the model imports nothing of the rest`);
    if (from.startsWith('capture') && (to === 'store' || to === 'analysis' || to === 'recorder')) wrong.push(`${e.from} -> ${e.to}: a backend knows no store`);
    if (from === 'store' && to.startsWith('capture')) wrong.push(`${e.from} -> ${e.to}: the store knows no backend`);
    if (from === 'capture/linux' && to === 'capture/windows') wrong.push(`${e.from} -> ${e.to}: one backend imports the other`);
    if (from === 'capture/windows' && to === 'capture/linux') wrong.push(`${e.from} -> ${e.to}: one backend imports the other`);
    if (to === 'cli') wrong.push(`${e.from} -> ${e.to}: nothing imports the CLI`);
  }
  t.deepEqual(wrong, []);
});

test('there is no import cycle in src/, type-only and dynamic imports included', (t) => {
  const graph = new Map<string, Set<string>>();
  for (const e of edges()) {
    if (!graph.has(e.from)) graph.set(e.from, new Set());
    graph.get(e.from)?.add(e.to);
  }
  const cycles: string[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string): void => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === 'open') cycles.push([...stack.slice(stack.indexOf(next)), next].join(' -> '));
      else if (state.get(next) === undefined) visit(next);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of graph.keys()) if (state.get(node) === undefined) visit(node);
  t.deepEqual(cycles, []);
});

test('command modules load the code they run only when they run: their static imports are the CLI and the model', (t) => {
  const allowed = (to: string): boolean => to.startsWith(`cli${path.sep}`) || to.startsWith(`pss${path.sep}`) || to === 'version.ts' || to === path.join('store', 'entry-kinds.ts');
  const wrong = edges()
    .filter((e) => e.from.startsWith(`cli${path.sep}`) && e.kind === 'static' && !allowed(e.to))
    .map((e) => `${e.from} -> ${e.to}`);
  t.deepEqual(wrong, []);
});

/** A module hook that writes down every module Node loads, and a runner of the unbundled CLI. */
function moduleLog(): (entry: string, args: string[]) => string[] {
  const dir = tempDir();
  fs.writeFileSync(
    path.join(dir, 'hooks.mjs'),
    "import { appendFileSync } from 'node:fs';\nexport async function load(url, context, next) { appendFileSync(process.env.MODULE_LOG, `${url}\\n`); return next(url, context); }\n",
  );
  fs.writeFileSync(path.join(dir, 'register.mjs'), "import { register } from 'node:module';\nregister('./hooks.mjs', import.meta.url);\n");
  let runs = 0;
  return (entry, args) => {
    const log = path.join(dir, `${runs++}.log`);
    execFileSync(process.execPath, ['--import', path.join(dir, 'register.mjs'), entry, ...args], {
      env: { ...process.env, MODULE_LOG: log, PSSQL_DB: path.join(dir, 'pssql.db') },
      stdio: 'pipe',
    });
    return fs.readFileSync(log, 'utf8').trim().split('\n');
  };
}

test('pssql capture loads neither Kysely nor the analysis code nor the PostgreSQL driver; --version loads no SQLite (dist/src, module by module)', (t) => {
  const loaded = moduleLog();
  // The unbundled CLI, where each module is a file of its own and the log sees every one.
  const unbundled = path.join(tempDir(), 'pssql-unbundled.mjs');
  fs.writeFileSync(unbundled, `const { run } = await import(${JSON.stringify(pathToFileURL(path.join(PROJECT_ROOT, 'dist/src/cli/main.js')).href)});\nawait run();\n`);
  const capture = loaded(unbundled, ['capture', String(process.pid)]);
  t.true(capture.some((url) => url.includes('/dist/src/capture/linux/')), 'the log sees the capture itself');
  t.deepEqual(
    capture.filter((url) => url.includes('/node_modules/kysely/') || url.includes('/dist/src/analysis/') || url.includes('/node_modules/pg') || url.includes('/dist/src/push/')),
    [],
    'no Kysely, no analysis, no pg, no push',
  );
  const list = loaded(unbundled, ['list']);
  t.deepEqual(
    list.filter((url) => url.includes('/node_modules/pg') || url.includes('/dist/src/store/postgres/postgres-store')),
    [],
    'reading a file loads no PostgreSQL driver',
  );
  const version = loaded(unbundled, ['--version']);
  t.deepEqual(
    version.filter((url) => url.includes('better-sqlite3') || url.includes('/dist/src/store/open-store') || url.includes('/node_modules/kysely/')),
    [],
  );
});

test('the bundle keeps it so: pssql capture loads no chunk with Kysely or the analysis code; --version none with SQLite', (t) => {
  const loaded = moduleLog();
  const meta = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'dist/bundle/meta.json'), 'utf8')) as { outputs: Record<string, { inputs: Record<string, unknown> }> };
  /** The sources in the chunks of the bundle a run loaded (paths from the package root), and what it loaded from elsewhere. */
  const sources = (urls: string[]): { bundled: string[]; other: string[] } => {
    const files = urls.filter((url) => url.startsWith('file:')).map((url) => path.relative(PROJECT_ROOT, fileURLToPath(url)).split(path.sep).join('/'));
    const chunks = files.filter((file) => file.startsWith('dist/bundle/'));
    return { bundled: chunks.flatMap((chunk) => Object.keys(meta.outputs[chunk]?.inputs ?? {})), other: files.filter((file) => !file.startsWith('dist/bundle/')) };
  };
  const capture = sources(loaded(PSSQL_BIN, ['capture', String(process.pid)]));
  t.deepEqual(capture.other.filter((file) => file.startsWith('dist/')), [], 'bin/pssql.js runs the bundle (npm run build makes it)');
  t.true(capture.bundled.some((file) => file.startsWith('dist/src/capture/linux/')), 'the chunks of the capture itself');
  t.deepEqual(
    capture.bundled.filter((file) => file.includes('node_modules/kysely/') || file.startsWith('dist/src/analysis/') || file.includes('node_modules/pg') || file.startsWith('dist/src/push/')),
    [],
    'no Kysely, no analysis, no pg, no push',
  );
  const version = sources(loaded(PSSQL_BIN, ['--version']));
  t.deepEqual(
    [...version.bundled, ...version.other].filter((file) => file.includes('better-sqlite3') || file === 'dist/src/store/open-store.js' || file.includes('node_modules/kysely/')),
    [],
  );
});
