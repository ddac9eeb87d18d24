import * as fs from 'node:fs';
import { PssError } from '../../pss/pss-error.js';
import { osError } from '../../pss/os-error.js';
import { snapshotFromJson, snapshotToJson } from '../../pss/snapshot-json.js';
import { defineCommand, printRows, scopeOf, withStore } from '../context.js';

export const exportCommand = defineCommand({
  command: 'export <capture>',
  describe: 'write one capture as a snapshot JSON file (to record it elsewhere with import)',
  builder: (yargs) =>
    yargs
      .positional('capture', { type: 'string', describe: "capture id, 'latest', 'first' or 'latest-N'", demandOption: true })
      .option('host', { type: 'string', requiresArg: true, describe: 'the capture of this host (a store of several recordings)' })
      .option('recording', { type: 'string', requiresArg: true, describe: 'the capture of this recording (its id, or the start of it)' })
      .option('output', { alias: 'o', type: 'string', describe: 'file to write (default: stdout)', requiresArg: true }),
  handler: async (args) => {
    const [{ resolveCapture }, { loadStoredSnapshot }] = await Promise.all([import('../../analysis/captures.js'), import('../../store/stored-snapshot.js')]);
    const json = await withStore(args, { readonly: true }, async (store) => {
      const snapshot = await loadStoredSnapshot(store, await resolveCapture(store, args.capture, scopeOf(args)));
      try {
        return JSON.stringify(snapshotToJson(snapshot));
      } finally {
        snapshot.free();
      }
    });
    if (args.output === undefined) process.stdout.write(`${json}\n`);
    else fs.writeFileSync(args.output, `${json}\n`, { mode: 0o600 });
  },
});

export const importCommand = defineCommand({
  command: 'import <file..>',
  describe: 'record snapshot JSON files (from export, or from a capture on another machine)',
  builder: (yargs) =>
    yargs
      .positional('file', { type: 'string', array: true, describe: "snapshot JSON files ('-' for stdin)" })
      .option('label', { type: 'string', describe: 'free text stored with each capture', requiresArg: true }),
  handler: async (args) => {
    const { writeCapture } = await import('../../store/capture-writer.js');
    const rows: Record<string, unknown>[] = [];
    await withStore(args, {}, (store) => {
      for (const file of args.file ?? []) {
        let text: string;
        try {
          text = fs.readFileSync(file === '-' ? 0 : file, 'utf8');
        } catch (error) {
          throw osError(error, 'read', file === '-' ? 'stdin' : file);
        }
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          throw new PssError('ERROR_BAD_FORMAT', `${file} is not a pssql snapshot (not JSON)`, { path: file });
        }
        const snapshot = snapshotFromJson(json);
        const result = writeCapture(store, snapshot, { label: args.label ?? null });
        rows.push({ capture_id: result.captureId, file, pid: snapshot.info.processId, platform: snapshot.info.platform, ...result.counts });
      }
    });
    printRows(args, { columns: ['capture_id', 'file', 'pid', 'platform', 'threads', 'handles', 'regions'], rows });
  },
});
