/**
 * A real terminal for the tests where one matters (widths, cutting, an interactive shell, job
 * control): a tmux session of its own, on its own server socket, running bash without rc files.
 * tmux is installed by .ci/test-tools; without it these tests skip with a message, except under CI=true.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ExecutionContext } from 'ava';
import { PSSQL_BIN, tempDir } from './cli.js';
import { PROJECT_ROOT } from './target.js';
import { haveTool } from './tools.js';

/** Whether tmux can be used; under CI=true a missing tmux fails the test instead. */
export function haveTmux(t: ExecutionContext): boolean {
  return haveTool(t, 'tmux', 'tmux');
}

/** A directory with `pssql` in it, as `npm link` or a global install puts it on PATH. */
export function pssqlOnPath(): string {
  const dir = tempDir('pssql-bin-');
  fs.symlinkSync(PSSQL_BIN, path.join(dir, 'pssql'));
  return dir;
}

let sessions = 0;

export interface TerminalOptions {
  width: number;
  height?: number;
  cwd?: string;
  /** Added to the environment of the shell. */
  env?: Record<string, string>;
}

/** A tmux session running bash: type into it, wait for the screen to show something, read it. */
export class Terminal {
  private readonly socket: string;
  private readonly session = 'pssql';

  private constructor(readonly width: number) {
    this.socket = `pssql-test-${process.pid}-${++sessions}`;
  }

  private tmux(...args: string[]): string {
    return execFileSync('tmux', ['-L', this.socket, ...args], { encoding: 'utf8' });
  }

  static start(options: TerminalOptions): Terminal {
    const terminal = new Terminal(options.width);
    const home = tempDir('pssql-home-');
    const env = {
      // pssql on PATH, as `npm link` puts it, and the node that runs the tests.
      PATH: `${pssqlOnPath()}:${path.dirname(process.execPath)}:${process.env.PATH ?? '/usr/bin:/bin'}`,
      HOME: home,
      TERM: 'xterm-256color',
      PS1: '$ ',
      LANG: 'C.UTF-8',
      ...options.env,
    };
    // The shell gets exactly this environment (tmux would hand it the server's).
    const exports = Object.entries(env).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
    terminal.tmux(
      '-f',
      '/dev/null',
      'new-session',
      '-d',
      '-s',
      terminal.session,
      '-x',
      String(options.width),
      '-y',
      String(options.height ?? 50),
      '-c',
      options.cwd ?? PROJECT_ROOT,
      `env -i ${exports.join(' ')} bash --norc --noprofile`,
    );
    terminal.tmux('set-option', '-t', terminal.session, 'history-limit', '10000');
    terminal.waitFor(/^\$/m);
    return terminal;
  }

  /** Types text (literally) without Enter. */
  type(text: string): void {
    // tmux reads an argument that ends in ';' as the end of its command, unless it is escaped.
    this.tmux('send-keys', '-t', this.session, '-l', text.endsWith(';') ? `${text.slice(0, -1)}\\;` : text);
  }

  /** Presses keys by tmux name: Enter, Tab, Up, C-c... */
  press(...keys: string[]): void {
    this.tmux('send-keys', '-t', this.session, ...keys);
  }

  /** Types a line and presses Enter. */
  line(text: string): void {
    this.type(text);
    this.press('Enter');
  }

  /** Clears the screen and its scrollback (at the shell's prompt), so that waitFor sees only what follows. */
  clear(): void {
    this.line('clear');
    const until = Date.now() + 30_000;
    // Until the screen holds the prompt alone: clear may have pushed the old screen into the history.
    while (this.screen(true).trim() !== '$') {
      if (Date.now() > until) throw new Error(`the terminal did not clear; it shows:\n${this.screen(true)}`);
      this.tmux('clear-history', '-t', this.session);
      spawnSync('sleep', ['0.1']);
    }
  }

  /** The screen and its scrollback; `joined` joins the lines the terminal wrapped. */
  screen(joined = false): string {
    return this.tmux('capture-pane', '-p', '-t', this.session, '-S', '-', ...(joined ? ['-J'] : [])).replace(/\n+$/, '\n');
  }

  /** Waits until the screen matches, and returns it; fails after `timeoutMs`. */
  waitFor(pattern: RegExp, timeoutMs = 60_000): string {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const screen = this.screen(true);
      if (pattern.test(screen)) return screen;
      if (Date.now() > until) throw new Error(`the terminal never showed ${pattern}; it shows:\n${screen}`);
      spawnSync('sleep', ['0.1']);
    }
  }

  /**
   * Runs a command line in the shell and returns what it printed (joined lines) and its exit
   * code, once it is done.
   */
  run(command: string, timeoutMs = 60_000): { output: string; code: number } {
    // The output is what comes between two lines the shell prints itself; the command line may
    // wrap, and -J would join its last line with the first of the output.
    const id = Math.random().toString(36).slice(2, 10).padEnd(8, '0');
    const begin = `__begin_${id}__`;
    const done = `__done_${id}__`;
    this.press('C-l');
    this.tmux('clear-history', '-t', this.session);
    this.line(`echo ${begin}; ${command}; echo "${done}$?"`);
    const screen = this.waitFor(new RegExp(`^${done}\\d+$`, 'm'), timeoutMs);
    const lines = screen.split('\n');
    const start = lines.indexOf(begin) + 1;
    const end = lines.findIndex((l) => l.startsWith(done));
    return { output: lines.slice(start, end).join('\n'), code: Number(lines[end]?.slice(done.length)) };
  }

  kill(): void {
    try {
      this.tmux('kill-server');
    } catch {
      // Already gone.
    }
  }
}
