import { spawnSync } from 'node:child_process';
import type { ExecutionContext } from 'ava';

/**
 * Whether a command a test needs is installed (.ci/test-tools installs it). Without it the test
 * passes with a message, except under CI=true, where it fails: CI must run every test.
 */
export function haveTool(t: ExecutionContext, command: string, debianPackage: string): boolean {
  if (spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0) return true;
  if (process.env.CI === 'true') t.fail(`${command} is missing: .ci/test-tools installs it (apt-get install ${debianPackage})`);
  else t.log(`skipped: ${command} is not installed (.ci/test-tools installs it; apt-get install ${debianPackage})`);
  t.pass();
  return false;
}
