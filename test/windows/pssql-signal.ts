/**
 * pssql record, told of a console event as Node on Windows tells a program: Ctrl-C arrives as
 * SIGINT, Ctrl-Break as SIGBREAK, closing the console as SIGHUP. Wine delivers no console event to
 * a program without a console (GenerateConsoleCtrlEvent fails there), so this entry point emits
 * the signal itself, once the recording has written its first capture:
 *
 *   node.exe dist\test\windows\pssql-signal.js SIGNAL <pssql record arguments>
 */
import { allowPssLibraryFromEnvironment } from '../../src/capture/windows/index.js';

const [signal, ...args] = process.argv.slice(2) as [NodeJS.Signals, ...string[]];
allowPssLibraryFromEnvironment();
const write = process.stderr.write.bind(process.stderr) as (chunk: string | Uint8Array) => boolean;
let sent = false;
process.stderr.write = ((chunk: string | Uint8Array): boolean => {
  if (!sent && /capture \d+ of/.test(String(chunk))) {
    sent = true;
    setImmediate(() => process.emit(signal, signal));
  }
  return write(chunk);
}) as typeof process.stderr.write;
const { main } = await import('../../src/cli/main.js');
process.exitCode = await main(args);
