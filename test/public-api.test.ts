/**
 * The public surface of pssql, pinned: what `import ... from 'pssql'` gives is exactly what
 * README documents, and every symbol has JSDoc (values with an example). A change to the list is
 * a change to the API, made here on purpose.
 */
import * as path from 'node:path';
import test from 'ava';
import ts from 'typescript';
import { PROJECT_ROOT } from './helpers/target.js';

const RUNTIME = [
  'CaptureFlags',
  'DEFAULT_CAPTURE_FLAGS',
  'HandleFlags',
  'MemState',
  'MemType',
  'ObjectType',
  'PSSQL_VERSION',
  'PageProtection',
  'ProcessFlags',
  'PssError',
  'QueryClass',
  'STILL_ACTIVE',
  'ThreadFlags',
  'WalkClass',
  'Win32Error',
  'captureFlagNames',
  'captureSnapshot',
  'combineFlags',
  'createCapturer',
  'diffSnapshots',
  'hasFlag',
  'ifCaptured',
  'isPssError',
  'listProcesses',
  'openRecording',
  'openStore',
  'openPushTarget',
  'openStoredSnapshot',
  'parseCaptureFlags',
  'parseDuration',
  'processMatchesName',
  'pruneStore',
  'pushStore',
  'snapshotFromJson',
  'snapshotToJson',
  'startRecorder',
  'writeCapture',
];

test('the package exports the documented API and nothing else', async (t) => {
  const api = await import('../src/index.js');
  t.deepEqual(Object.keys(api).sort(), [...RUNTIME].sort());
});

test('every exported symbol has JSDoc; every exported value has an example', (t) => {
  const file = path.join(PROJECT_ROOT, 'src/index.ts');
  const program = ts.createProgram([file], { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, target: ts.ScriptTarget.ES2022 });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(file);
  if (source === undefined) return t.fail('no src/index.ts');
  const moduleSymbol = checker.getSymbolAtLocation(source);
  if (moduleSymbol === undefined) return t.fail('src/index.ts is not a module');
  const exports = checker.getExportsOfModule(moduleSymbol);
  t.true(exports.length > RUNTIME.length, 'types are exported too');
  const missing: string[] = [];
  for (const exported of exports) {
    const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    const name = exported.getName();
    const docs = ts.displayPartsToString(symbol.getDocumentationComment(checker)).trim();
    // An overloaded or merged symbol may carry its tags on any declaration.
    const tags = symbol.getJsDocTags(checker).map((tag) => tag.name);
    if (docs.length < 10) missing.push(`${name}: no JSDoc`);
    if (RUNTIME.includes(name) && !tags.includes('example')) missing.push(`${name}: no @example`);
  }
  t.deepEqual(missing, []);
});
