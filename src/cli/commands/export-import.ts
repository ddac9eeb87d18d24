import * as fs from 'node:fs';
import { PssError } from '../../pss/pss-error.js';
import { osError } from '../../pss/os-error.js';
import { snapshotFromJson, snapshotToJson } from '../../pss/snapshot-json.js';
import { COUNTS_AMONG, scopeOf, scopeOptions } from '../capture-scope.js';
import { defineCommand, isStdinArgument, printRows, warn, withStore } from '../context.js';
import { wrapHelp } from '../help-text.js';
import { writeFileAtomically } from '../write-file.js';

export const exportCommand = defineCommand({
  command: 'export <capture>',
  describe: 'write one capture as a snapshot JSON file (to record it elsewhere with import)',
  builder: (yargs) =>
    scopeOptions(yargs, COUNTS_AMONG)
      .positional('capture', { type: 'string', describe: "capture id, 'latest', 'first' or 'latest-N', or PID@latest, NAME@first...", demandOption: true })
      .option('output', { alias: 'o', type: 'string', describe: 'file to write (default: stdout)', requiresArg: true })
      .example('$0 export nginx@latest -o nginx.json', 'the newest capture of nginx, to import elsewhere'),
  handler: async (args) => {
    const [{ resolveCaptureRef }, { loadStoredSnapshot }] = await Promise.all([import('../../analysis/capture-ref.js'), import('../../store/stored-snapshot.js')]);
    const scope = await scopeOf(args);
    const json = await withStore(args, { readonly: true, consistent: true }, async (store) => {
      const snapshot = await loadStoredSnapshot(store, await resolveCaptureRef(store, args.capture, scope));
      try {
        return JSON.stringify(snapshotToJson(snapshot));
      } finally {
        snapshot.free();
      }
    });
    if (args.output === undefined) process.stdout.write(`${json}\n`);
    else writeFileAtomically(args.output, `${json}\n`, 0o600);
  },
  // It writes snapshot JSON and nothing else: --format csv is refused, not silently ignored.
  formats: ['json'],
});

export const importCommand = defineCommand({
  command: 'import <file..>',
  describe: 'record snapshot JSON files (from export, or from a capture on another machine)',
  builder: (yargs) =>
    yargs
      .positional('file', { type: 'string', array: true, describe: "snapshot JSON files ('-' for standard input)" })
      .option('label', { type: 'string', describe: 'free text stored with each capture', requiresArg: true })
      .example('$0 import snap.json', 'record a capture exported elsewhere')
      .example('ssh host pssql export nginx@latest | $0 import -', 'straight from another machine')
      .epilog(wrapHelp('A capture that the recording already holds (the same host, pid, start and content) is skipped with a note, so importing a file twice does not count it twice.')),
  handler: async (args) => {
    const [{ writeCapture }, { findSameCapture }] = await Promise.all([import('../../store/capture-writer.js'), import('../../analysis/same-capture.js')]);
    const rows: Record<string, unknown>[] = [];
    const files = (args.file ?? []).map((f) => (isStdinArgument(f) ? '-' : f));
    if (files.length === 0) throw new PssError('ERROR_INVALID_PARAMETER', "name the snapshot JSON files to import ('-' for standard input)", { option: 'file' });
    if (files.filter((f) => f === '-').length > 1) throw new PssError('ERROR_INVALID_PARAMETER', "'-' (standard input) can be read once", { option: 'file' });
    await withStore(args, {}, (store) => {
      for (const file of files) {
        const shown = file === '-' ? 'standard input' : file;
        let text: string;
        try {
          text = fs.readFileSync(file === '-' ? 0 : file, 'utf8');
        } catch (error) {
          throw osError(error, 'read', shown);
        }
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          throw new PssError('ERROR_BAD_FORMAT', `${shown} is not a pssql snapshot (not JSON)`, { path: file });
        }
        const snapshot = snapshotFromJson(json);
        const existing = findSameCapture(store, snapshot);
        if (existing !== null) {
          warn(args, `${shown}: already recorded as capture ${existing} (pid ${snapshot.info.processId} on ${snapshot.info.host}): skipped`);
          continue;
        }
        const result = writeCapture(store, snapshot, { label: args.label ?? null });
        rows.push({ capture_id: result.captureId, file: shown, pid: snapshot.info.processId, platform: snapshot.info.platform, ...result.counts });
      }
    });
    printRows(args, { columns: ['capture_id', 'file', 'pid', 'platform', 'threads', 'handles', 'regions'], rows });
  },
});
