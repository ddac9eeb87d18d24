import * as fs from 'node:fs';

/**
 * The user and group names of this host, as ps shows them: /etc/passwd and /etc/group, read again
 * when they change (one stat of each per capture). Ids without a name are null.
 */
export class UserNames {
  private users = new Map<number, string>();
  private groups = new Map<number, string>();
  private stamps = ['', ''];

  constructor(
    private readonly passwd = '/etc/passwd',
    private readonly group = '/etc/group',
  ) {}

  private static stamp(path: string): string {
    try {
      const stat = fs.statSync(path);
      return `${stat.ino}:${stat.mtimeMs}:${stat.size}`;
    } catch {
      return 'missing';
    }
  }

  private static read(path: string): Map<number, string> {
    const names = new Map<number, string>();
    let text = '';
    try {
      text = fs.readFileSync(path, 'utf8');
    } catch {
      return names;
    }
    for (const line of text.split('\n')) {
      const [name, , id] = line.split(':');
      if (name === undefined || name === '' || id === undefined || name.startsWith('#')) continue;
      const n = Number(id);
      if (Number.isInteger(n) && !names.has(n)) names.set(n, name);
    }
    return names;
  }

  /** Reads the files again if they changed since the last capture. */
  refresh(): void {
    const stamps = [UserNames.stamp(this.passwd), UserNames.stamp(this.group)];
    if (stamps[0] !== this.stamps[0]) this.users = UserNames.read(this.passwd);
    if (stamps[1] !== this.stamps[1]) this.groups = UserNames.read(this.group);
    this.stamps = stamps;
  }

  user(id: number | null): string | null {
    return id === null ? null : (this.users.get(id) ?? null);
  }

  groupName(id: number | null): string | null {
    return id === null ? null : (this.groups.get(id) ?? null);
  }
}
