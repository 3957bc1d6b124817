// A real gateway for the tests: `java -jar felix.jar serve` on free loopback ports and a fresh data
// directory, killed and restarted like an operator (or the kernel) would.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
export const JAR = resolve(process.env.FELIX_JAR ?? join(here, '../../../felix-server/target/felix.jar'));
const BOUND = /Felix.s WebSocket on ws:\/\/127\.0\.0\.1:(\d+), REST API on http:\/\/127\.0\.0\.1:(\d+)/;
const START_TIMEOUT_MS = 60000;

export class Gateway {
  /** Starts a gateway on a new data directory; its first start mints the private token. */
  static async start(options = []) {
    if (!existsSync(JAR)) {
      throw new Error('no gateway jar at ' + JAR + ': build it first (mvn -B -pl felix-server -am package '
        + '-DskipTests) or set FELIX_JAR');
    }
    const gateway = new Gateway(mkdtempSync(join(tmpdir(), 'felix-js-')), options);
    await gateway.#spawn(0, 0);
    return gateway;
  }

  #options;
  #process = null;
  #stderr = '';
  token = null;
  wsPort = 0;
  httpPort = 0;

  constructor(data, options) {
    this.data = data;
    this.#options = options;
  }

  get wsUrl() {
    return 'ws://127.0.0.1:' + this.wsPort;
  }

  get httpBase() {
    return 'http://127.0.0.1:' + this.httpPort;
  }

  /** The server's log so far, for failure messages. */
  get log() {
    return this.#stderr;
  }

  #spawn(wsPort, httpPort) {
    const child = spawn('java', ['-Xmx256m', '-jar', JAR, 'serve', '--data', this.data, '--host', '127.0.0.1',
      '--ws-port', String(wsPort), '--http-port', String(httpPort), ...this.#options], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.#process = child;
    let stdout = '';
    return new Promise((resolvePromise, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error('the gateway did not start within ' + START_TIMEOUT_MS + ' ms:\n' + this.#stderr));
      }, START_TIMEOUT_MS);
      let bound = null;
      const ready = () => {
        if (bound && (this.token !== null || stdout.includes('====='))) {
          const minted = stdout.match(/^ {4}(fxp_\S+)$/m);
          if (this.token === null && !minted) {
            return; // the token line follows the first rule
          }
          clearTimeout(timer);
          this.token ??= minted[1];
          this.wsPort = Number(bound[1]);
          this.httpPort = Number(bound[2]);
          resolvePromise();
        }
      };
      child.stdout.on('data', chunk => {
        stdout += chunk;
        ready();
      });
      child.stderr.on('data', chunk => {
        this.#stderr += chunk;
        bound ??= this.#stderr.match(BOUND);
        ready();
      });
      child.on('exit', code => {
        clearTimeout(timer);
        if (!bound) {
          reject(new Error('the gateway exited with ' + code + ':\n' + this.#stderr));
        }
      });
    });
  }

  /** SIGKILL, as the OOM killer would: no close frames, no shutdown. */
  async kill() {
    const child = this.#process;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise(r => child.once('exit', r));
      child.kill('SIGKILL');
      await exited;
    }
  }

  /** Freezes the process: its sockets stay open but nothing is answered (no ACK, no ping). */
  pause() {
    this.#process.kill('SIGSTOP');
  }

  resume() {
    this.#process.kill('SIGCONT');
  }

  /** Starts again on the same ports and data directory. */
  async restart() {
    await this.kill();
    await this.#spawn(this.wsPort, this.httpPort);
  }

  async stop() {
    if (this.#process) {
      this.#process.kill('SIGCONT');
    }
    await this.kill();
    rmSync(this.data, { recursive: true, force: true });
  }

  /** A REST call with the gateway's private token; returns the response. */
  async http(method, path, body) {
    return fetch(this.httpBase + path, {
      method,
      headers: { Authorization: 'Bearer ' + this.token, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  }

  async put(kind, id, data) {
    const response = await this.http('PUT', '/api/' + kind + 's/' + id, data);
    if (!response.ok) {
      throw new Error('PUT ' + kind + ' ' + id + ' answered ' + response.status + ': ' + await response.text());
    }
  }

  async delete(kind, id) {
    const response = await this.http('DELETE', '/api/' + kind + 's/' + id);
    if (response.status !== 204) {
      throw new Error('DELETE ' + kind + ' ' + id + ' answered ' + response.status);
    }
  }

  /** A new token from `felix token create` on the same data directory (the gateway picks it up within a second). */
  async mint(kind = '--private', label = 'test') {
    const out = await this.#felix('token', 'create', kind, '--owner', '1', '--label', label);
    const token = out.trim().split('\n').pop();
    await until(async () => (await fetch(this.httpBase + '/api/status', { headers: { Authorization: 'Bearer ' + token } }))
      .status === 200, 'the gateway to load the new token');
    return token;
  }

  /** Revokes, with `felix token revoke`, the token minted with this label. */
  async revoke(label) {
    // Found by its label anywhere in the row, as the columns before it (kind, scope) vary.
    const row = (await this.#felix('token', 'list')).split('\n').find(line => line.split(/\s+/).includes(label));
    if (!row) {
      throw new Error('no token labelled ' + label);
    }
    await this.#felix('token', 'revoke', row.split(/\s+/)[0]);
  }

  #felix(...args) {
    return new Promise((resolvePromise, reject) => {
      const child = spawn('java', ['-jar', JAR, ...args, '--data', this.data], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.on('data', c => (out += c));
      child.stderr.on('data', c => (err += c));
      child.on('exit', code => code === 0 ? resolvePromise(out)
        : reject(new Error('felix ' + args.join(' ') + ' exited ' + code + ': ' + err)));
    });
  }
}

/** Resolves once `predicate()` (or the promise it returns) is true, checked every 50 ms; rejects after `timeoutMs`. */
export function until(predicate, what, timeoutMs = 30000) {
  return new Promise((resolvePromise, reject) => {
    const started = Date.now();
    const check = async () => {
      let done = false;
      try {
        done = await predicate();
      } catch (e) {
        reject(e);
        return;
      }
      if (done) {
        resolvePromise();
      } else if (Date.now() - started > timeoutMs) {
        reject(new Error('timed out waiting for ' + what));
      } else {
        setTimeout(check, 50);
      }
    };
    check();
  });
}
