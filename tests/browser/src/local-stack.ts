/**
 * Runs the real local stack binary (private-ingest-local) for a test: on a free loopback
 * port (`--listen 127.0.0.1:0`: the binary binds, then prints its URL, so no other process
 * can take the port in between), with a fresh data directory, serving the built page from
 * web/dist. `stop()` kills it and removes the data directory; a test process that dies
 * also kills it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';

/** The repository root: tests/browser/src is three levels down. */
export const REPO_ROOT = resolve(import.meta.dirname, '..', '..', '..');
export const WEB_DIST = join(REPO_ROOT, 'web', 'dist');

/** How long the binary may take to print its URL (a cold SQLite open is milliseconds;
 * the margin is for a machine busy compiling). */
const START_TIMEOUT_MS = 30_000;

export function localBinary(): string {
  const targetDir = process.env['CARGO_TARGET_DIR'] ?? join(REPO_ROOT, 'target');
  return resolve(REPO_ROOT, targetDir, 'debug', 'private-ingest-local');
}

export class LocalStack {
  private constructor(
    readonly url: URL,
    private readonly child: ChildProcess,
    private readonly dataDir: string,
    private readonly output: string[],
  ) {}

  /** `extraArgs`: more flags, e.g. the binary's testing-only fault injection. */
  static async start(extraArgs: string[] = []): Promise<LocalStack> {
    const binary = localBinary();
    if (!existsSync(binary)) {
      throw new Error(`${binary} is missing: run \`cargo build -p private-ingest-local\` (make test-browser does)`);
    }
    if (!existsSync(join(WEB_DIST, 'index.html'))) {
      throw new Error(`${WEB_DIST}/index.html is missing: run \`make web\``);
    }
    const dataDir = mkdtempSync(join(tmpdir(), 'private-ingest-browser-'));
    const child = spawn(binary, ['--listen', '127.0.0.1:0', '--data-dir', dataDir, '--web-dir', WEB_DIST, ...extraArgs], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const killOnExit = (): void => {
      child.kill('SIGKILL');
    };
    process.once('exit', killOnExit);
    child.once('exit', () => process.off('exit', killOnExit));
    const output: string[] = [];
    try {
      const url = await waitForUrl(child, output);
      return new LocalStack(url, child, dataDir, output);
    } catch (e) {
      child.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
      throw e;
    }
  }

  /** What the binary printed, for a failing test's message. */
  get log(): string {
    return this.output.join('\n');
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise<void>((done) => this.child.once('exit', () => done()));
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

/** The first http URL the binary prints, on stdout or stderr. */
async function waitForUrl(child: ChildProcess, output: string[]): Promise<URL> {
  return new Promise((done, fail) => {
    const timer = setTimeout(
      () => fail(new Error(`the local stack printed no URL within ${START_TIMEOUT_MS} ms:\n${output.join('\n')}`)),
      START_TIMEOUT_MS,
    );
    const onLine = (line: string): void => {
      // The last lines are enough to explain a failure; a long run must not grow this.
      if (output.push(line) > 200) {
        output.shift();
      }
      const match = /https?:\/\/[^\s"']+/.exec(line);
      if (match !== null) {
        clearTimeout(timer);
        done(new URL(match[0].endsWith('/') ? match[0] : `${match[0]}/`));
      }
    };
    for (const stream of [child.stdout, child.stderr]) {
      if (stream !== null) {
        createInterface({ input: stream }).on('line', onLine);
      }
    }
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      fail(new Error(`the local stack exited (${code ?? signal}) before printing its URL:\n${output.join('\n')}`));
    });
  });
}
