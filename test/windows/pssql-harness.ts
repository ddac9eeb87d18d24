/**
 * pssql as the Wine harness runs it: the CLI of bin/pssql.js, with the Pss* functions taken from
 * the DLL that PSSQL_PSS_LIBRARY names (Wine has none). Only this entry point, which is not
 * shipped (dist/test is not in the package), lets that variable choose a DLL.
 *
 *   node.exe dist\test\windows\pssql-harness.js <pssql arguments>
 */
import { allowPssLibraryFromEnvironment } from '../../src/capture/windows/index.js';

allowPssLibraryFromEnvironment();
const { run } = await import('../../src/cli/main.js');
await run();
