import type { ListedProcess } from './capturer.js';

const baseName = (path: string | null): string | null => (path === null ? null : (path.split(/[\\/]/).pop() ?? null));

/**
 * True when `name` is the process's short name, its executable's file name or its argv[0]'s
 * file name. Windows compares without case and with `.exe` optional, as Task Manager does.
 *
 * @example
 * processMatchesName({ pid: 1, name: 'nginx', imageFileName: '/usr/sbin/nginx', argv0: 'nginx: master', startKey: 1 }, 'nginx') // true
 */
export function processMatchesName(listed: ListedProcess, name: string, platform: NodeJS.Platform = process.platform): boolean {
  const candidates = [listed.name, baseName(listed.imageFileName), baseName(listed.argv0)];
  if (platform !== 'win32') return candidates.includes(name);
  const fold = (text: string): string => text.toLowerCase().replace(/\.exe$/, '');
  const wanted = fold(name);
  return candidates.some((candidate) => candidate !== null && fold(candidate) === wanted);
}
