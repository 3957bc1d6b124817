import { decode, encode, OpCode, type EntryChange, type HeartbeatAck, type JsonValue, type ListenersUpdate } from './protocol.js';

/**
 * `connecting`: connect() was called and the first connection is being opened;
 * `open`: connected and listening; `reconnecting`: a connection failed or dropped and the next
 * attempt waits (`detail.delayMs`); `closed`: not connected and not trying (before connect(),
 * after close(), or after a refused token).
 */
export type State = 'connecting' | 'open' | 'reconnecting' | 'closed';

/** What goes with a state change: why the last connection ended and when the next attempt comes. */
export interface StateDetail {
  /** Retries since the last healthy connection (1 for the first retry). */
  attempt?: number;
  /** How long until the next attempt. */
  delayMs?: number;
  /** Close code and reason of the connection that ended. */
  code?: number;
  reason?: string;
  /** HTTP status of a refused handshake (Node only: browsers do not show it). */
  status?: number;
  error?: FelixError;
}

/**
 * `refused`: the gateway refused the token (HTTP 403: unknown, revoked, public or not allowed);
 * `revoked`: the token was revoked while connected; `invalid`: the URL or token cannot be used at
 * all; `closed`: close() was called before the connection opened; `token`: the token function
 * failed; `connection`: a connection attempt failed or went silent (the client retries);
 * `listener`: one of your listeners threw.
 */
export type FelixErrorKind = 'refused' | 'revoked' | 'invalid' | 'closed' | 'token' | 'connection' | 'listener';

export class FelixError extends Error {
  readonly kind: FelixErrorKind;
  readonly status?: number;
  readonly code?: number;
  readonly reason?: string;
  override readonly cause?: unknown;

  constructor(kind: FelixErrorKind, message: string,
              detail: { status?: number; code?: number; reason?: string; cause?: unknown } = {}) {
    super(message);
    this.name = 'FelixError';
    this.kind = kind;
    this.status = detail.status;
    this.code = detail.code;
    this.reason = detail.reason;
    this.cause = detail.cause;
  }
}

/** The part of the browser's WebSocket API the client uses; `ws` has it too. */
export interface WebSocketLike {
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
}

export type WebSocketConstructor = new (url: string, protocols?: string | string[]) => WebSocketLike;

/** How one connection ended. */
export interface CloseInfo {
  code: number;
  reason: string;
  status?: number;
  error?: Error;
}

export interface ConnectionEvents {
  open(): void;
  message(text: string): void;
  closed(info: CloseInfo): void;
}

export interface Connection {
  send(text: string): void;
  close(code: number, reason: string): void;
  /** Gives the connection up at once, without a close handshake and without further events. */
  drop(): void;
}

/** Opens one connection that authenticates with the token. */
export type Transport = (url: string, token: string, userAgent: string | undefined,
                         events: ConnectionEvents) => Connection;

export interface FelixClientOptions {
  /** Felix's WebSocket, e.g. `ws://localhost:8090` or `wss://gateway.example`. */
  url: string;
  /** A private (or session) token, or a function giving one, called before every (re)connect. */
  token: string | (() => string | Promise<string>);
  /** Sent as the `User-Agent` header in Node, where the gateway logs it; browsers send their own. */
  userAgent?: string;
  /** How often a heartbeat is sent; default 1000. */
  heartbeatIntervalMs?: number;
  /** A connection that gets no heartbeat ACK for this long (or a handshake that takes longer) is dropped and reopened; default 10000. */
  silenceTimeoutMs?: number;
  /** First retry delay; it doubles per failed attempt up to maxReconnectDelayMs, less up to half at random. Default 1000. */
  minReconnectDelayMs?: number;
  /** Default 15000. */
  maxReconnectDelayMs?: number;
  /**
   * A WebSocket implementation with the browser's API, to use instead of the default (the browser's
   * `WebSocket`, or `ws` in Node). The token then goes as the subprotocol `felix.token.<token>`.
   */
  WebSocket?: WebSocketConstructor;
  /**
   * Browsers do not show why a handshake failed: a refused token and an unreachable gateway look
   * the same. When a connection closes before it opened and the HTTP status is unknown, the client
   * awaits this (e.g. a `GET /api/status` with the token on the REST API); `true` means the token
   * was refused, which ends the client as a 403 does. Without it, such failures are retried.
   */
  isTokenRefused?: (token: string) => Promise<boolean>;
}

type Kind = 'guild' | 'user';

export interface FelixClientEvents<G, U> {
  /** A guild entry changed; `data` is null when it was deleted. */
  guild: (id: string, data: G | null, seq: number) => void;
  user: (id: string, data: U | null, seq: number) => void;
  /** Each Heartbeat ACK's data, and the heartbeat's round trip in ms. */
  status: (ack: HeartbeatAck, roundTripMs: number) => void;
  state: (state: State, detail: StateDetail) => void;
  error: (error: FelixError) => void;
}

interface Entry {
  data: JsonValue | null;
  seq: number;
}

interface Deferred {
  promise: Promise<void>;
  resolve: () => void;
  reject: (error: FelixError) => void;
}

const REVOKED = /revoked/;

/**
 * The client for one gateway: keeps one connection open with heartbeats, reconnects, resumes
 * from the highest `seq` seen, and keeps the latest data of every listened entry.
 * Use `FelixClient` from the package, which picks the WebSocket for Node or the browser.
 */
export class FelixClientBase<G = JsonValue, U = JsonValue> {
  readonly #options: Required<Pick<FelixClientOptions,
    'heartbeatIntervalMs' | 'silenceTimeoutMs' | 'minReconnectDelayMs' | 'maxReconnectDelayMs'>> & FelixClientOptions;
  readonly #transport: Transport;
  readonly #listeners: { [K in keyof FelixClientEvents<G, U>]: Set<FelixClientEvents<G, U>[K]> } =
    { guild: new Set(), user: new Set(), status: new Set(), state: new Set(), error: new Set() };
  readonly #sets: Record<Kind, Set<string>> = { guild: new Set(), user: new Set() };
  readonly #entries: Record<Kind, Map<string, Entry>> = { guild: new Map(), user: new Map() };
  /**
   * Listened IDs whose state may predate the highest seq seen (added to the sets during a
   * connection or between two, and no update of theirs seen since): resuming from that seq alone
   * could miss their changes, so a reconnect also asks for their current data (since 0).
   */
  readonly #pending: Record<Kind, Set<string>> = { guild: new Set(), user: new Set() };
  #highestSeq = 0;
  #state: State = 'closed';
  #running = false;
  /** Bumped by every attempt and by close(): callbacks of an older connection see it and do nothing. */
  #generation = 0;
  #connection: Connection | null = null;
  #open = false;
  #attempt = 0;
  #lastAck = 0;
  #heartbeatsSent: number[] = [];
  #roundTripMs: number | undefined;
  #refused: { token: string; kind: 'refused' | 'revoked'; status?: number } | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #heartbeat: ReturnType<typeof setInterval> | undefined;
  #connected: Deferred | undefined;

  protected constructor(options: FelixClientOptions, transport: Transport) {
    if (!options || typeof options.url !== 'string') {
      throw new TypeError('FelixClient needs options.url, e.g. ws://localhost:8090');
    }
    if (typeof options.token !== 'string' && typeof options.token !== 'function') {
      throw new TypeError('FelixClient needs options.token: a string, or a function returning one');
    }
    this.#options = {
      heartbeatIntervalMs: 1000, silenceTimeoutMs: 10000, minReconnectDelayMs: 1000, maxReconnectDelayMs: 15000,
      ...definedOnly(options),
    };
    this.#transport = transport;
  }

  get state(): State {
    return this.#state;
  }

  /** The round trip of the last answered heartbeat in ms, or undefined before the first ACK. */
  get roundTripMs(): number | undefined {
    return this.#roundTripMs;
  }

  /** The highest seq seen: what a reconnect resumes from. */
  get lastSeq(): number {
    return this.#highestSeq;
  }

  on<K extends keyof FelixClientEvents<G, U>>(event: K, listener: FelixClientEvents<G, U>[K]): this {
    this.#listenersOf(event).add(listener);
    return this;
  }

  off<K extends keyof FelixClientEvents<G, U>>(event: K, listener: FelixClientEvents<G, U>[K]): this {
    this.#listenersOf(event).delete(listener);
    return this;
  }

  /** The latest data seen of a listened guild, or undefined (none seen, deleted, or not listened to). */
  guild(id: string): G | undefined {
    return (this.#entries.guild.get(id)?.data ?? undefined) as G | undefined;
  }

  user(id: string): U | undefined {
    return (this.#entries.user.get(id)?.data ?? undefined) as U | undefined;
  }

  /**
   * Replaces the guilds and users listened to; kept across reconnects. Newly listened entries
   * that exist arrive once with their current data. Entries no longer listened to are forgotten.
   */
  listen(sets: { guilds?: readonly string[]; users?: readonly string[] }): void {
    const next = { guild: ids(sets?.guilds, 'guilds'), user: ids(sets?.users, 'users') };
    let added = false;
    for (const kind of ['guild', 'user'] as const) {
      for (const id of this.#sets[kind]) {
        if (!next[kind].has(id)) {
          this.#entries[kind].delete(id);
          this.#pending[kind].delete(id);
        }
      }
      for (const id of next[kind]) {
        if (!this.#sets[kind].has(id)) {
          this.#pending[kind].add(id);
          added = true;
        }
      }
      this.#sets[kind] = next[kind];
    }
    if (this.#open) {
      // since 0: the current data of the new entries; those already sent on this connection are not sent again.
      this.#send(this.#listenersUpdate(added ? 0 : undefined));
    }
  }

  /**
   * Connects, and keeps connecting until close(). Resolves once connected; rejects when the token
   * is refused (HTTP 403) or cannot be used, or when close() comes first. Failures on the way
   * (gateway down, connection limit) are retried with backoff and reported as `error` events.
   */
  connect(): Promise<void> {
    if (this.#open) {
      return Promise.resolve();
    }
    if (!this.#connected) {
      let resolve!: () => void;
      let reject!: (error: FelixError) => void;
      const promise = new Promise<void>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      this.#connected = { promise, resolve, reject };
    }
    if (!this.#running) {
      this.#running = true;
      this.#attempt = 0;
      this.#refused = undefined;
      this.#setState('connecting', {});
      void this.#try();
    }
    return this.#connected.promise;
  }

  /** Closes the connection (1000) and stops reconnecting. connect() may be called again later. */
  close(): void {
    this.#generation++;
    this.#running = false;
    this.#stopTimers();
    const connection = this.#connection;
    this.#connection = null;
    this.#open = false;
    connection?.close(1000, 'client closed');
    this.#settle(new FelixError('closed', 'the client was closed before it connected'));
    if (this.#state !== 'closed') {
      this.#setState('closed', {});
    }
  }

  async #try(): Promise<void> {
    const generation = ++this.#generation;
    let token: string;
    try {
      token = typeof this.#options.token === 'function' ? await this.#options.token() : this.#options.token;
      if (typeof token !== 'string' || token === '') {
        throw new TypeError('the token function gave ' + (token === '' ? 'an empty string' : typeof token));
      }
    } catch (e) {
      if (generation === this.#generation) {
        this.#retry({ error: new FelixError('token', 'the token function failed: ' + message(e), { cause: e }) });
      }
      return;
    }
    if (generation !== this.#generation) {
      return;
    }
    if (this.#refused && this.#refused.token === token) {
      // A refused token is not sent again; a token function had its chance to give another one.
      this.#fail(this.#refusedError(this.#refused));
      return;
    }
    let opened = false;
    const events: ConnectionEvents = {
      open: () => {
        if (generation !== this.#generation) {
          return;
        }
        opened = true;
        this.#onOpen();
      },
      message: text => {
        if (generation === this.#generation) {
          this.#onMessage(text);
        }
      },
      closed: info => {
        if (generation === this.#generation) {
          void this.#onClosed(token, opened, info, generation);
        }
      },
    };
    try {
      this.#connection = this.#transport(this.#options.url, token, this.#options.userAgent, events);
    } catch (e) {
      this.#fail(new FelixError('invalid', 'cannot open ' + this.#options.url + ': ' + message(e), { cause: e }));
      return;
    }
    // A handshake that never completes counts as silence too.
    this.#timer = setTimeout(() => this.#dropSilent(), this.#options.silenceTimeoutMs);
  }

  #onOpen(): void {
    clearTimeout(this.#timer);
    this.#open = true;
    this.#lastAck = now();
    this.#heartbeatsSent = [];
    if (this.#highestSeq === 0) {
      // Nothing seen yet: the snapshot of every listened entry, in seq order, leaves nothing pending.
      this.#send(this.#listenersUpdate(0));
      this.#pending.guild.clear();
      this.#pending.user.clear();
    } else {
      this.#send(this.#listenersUpdate(this.#highestSeq));
      if (this.#pending.guild.size > 0 || this.#pending.user.size > 0) {
        this.#send(this.#listenersUpdate(0));
      }
    }
    this.#beat();
    this.#heartbeat = setInterval(() => this.#beat(), this.#options.heartbeatIntervalMs);
    this.#setState('open', {});
    this.#settle();
  }

  #beat(): void {
    // Also bounds the heartbeats waiting for their ACK.
    if (now() - this.#lastAck > this.#options.silenceTimeoutMs) {
      this.#dropSilent();
      return;
    }
    this.#heartbeatsSent.push(now());
    this.#send(encode({ code: OpCode.HEARTBEAT }));
  }

  #dropSilent(): void {
    this.#generation++;
    const wasOpen = this.#open;
    this.#connection?.drop();
    this.#connection = null;
    this.#open = false;
    this.#stopTimers();
    const ms = this.#options.silenceTimeoutMs;
    this.#retry({
      error: new FelixError('connection', wasOpen
        ? 'no heartbeat ACK for ' + ms + ' ms: reconnecting'
        : 'the gateway did not complete the handshake within ' + ms + ' ms'),
    });
  }

  #onMessage(text: string): void {
    const message = decode(text);
    if (message === null) {
      return;
    }
    // A connection that carries messages is healthy: the next failure starts the backoff afresh.
    this.#attempt = 0;
    if ('ack' in message) {
      this.#lastAck = now();
      const sent = this.#heartbeatsSent.shift();
      if (sent !== undefined) {
        this.#roundTripMs = now() - sent;
      }
      this.#emit('status', message.ack, this.#roundTripMs ?? 0);
    } else {
      this.#apply(message.change);
    }
  }

  #apply(change: EntryChange): void {
    const { kind, id, data, seq } = change;
    if (!this.#sets[kind].has(id)) {
      return; // sent before the listeners update that dropped it reached the gateway
    }
    this.#pending[kind].delete(id);
    this.#highestSeq = Math.max(this.#highestSeq, seq);
    const known = this.#entries[kind].get(id);
    if (known && seq <= known.seq) {
      return; // a version already seen (a resume's catch-up repeats what may have arrived live)
    }
    this.#entries[kind].set(id, { data, seq });
    if (kind === 'guild') {
      this.#emit('guild', id, data as G | null, seq);
    } else {
      this.#emit('user', id, data as U | null, seq);
    }
  }

  async #onClosed(token: string, opened: boolean, info: CloseInfo, generation: number): Promise<void> {
    this.#connection = null;
    this.#open = false;
    this.#stopTimers();
    const closed = { code: info.code, reason: info.reason, status: info.status };
    if (opened) {
      if (info.code === 1008 && REVOKED.test(info.reason)) {
        this.#refuse({ token, kind: 'revoked' }, closed);
      } else {
        this.#retry(closed);
      }
      return;
    }
    let refused = info.status === 403;
    if (info.status === undefined && this.#options.isTokenRefused) {
      try {
        refused = await this.#options.isTokenRefused(token);
      } catch (e) {
        this.#emit('error', new FelixError('listener', 'isTokenRefused failed: ' + message(e), { cause: e }));
      }
      if (generation !== this.#generation) {
        return;
      }
    }
    if (refused) {
      this.#refuse({ token, kind: 'refused', status: info.status }, closed);
      return;
    }
    const why = info.status !== undefined ? 'the gateway answered the handshake with HTTP ' + info.status
      : info.error?.message || 'the connection closed before it opened (code ' + info.code + ')';
    this.#retry({ ...closed, error: new FelixError('connection', why, { ...closed, cause: info.error }) });
  }

  /** With a fixed token a refusal is final; a token function is asked once more and may give a new one. */
  #refuse(refused: { token: string; kind: 'refused' | 'revoked'; status?: number }, detail: StateDetail): void {
    this.#refused = refused;
    if (typeof this.#options.token === 'function') {
      this.#retry({ ...detail, error: this.#refusedError(refused) });
    } else {
      this.#fail(this.#refusedError(refused));
    }
  }

  #refusedError(refused: { kind: 'refused' | 'revoked'; status?: number }): FelixError {
    return refused.kind === 'revoked'
      ? new FelixError('revoked', 'the token was revoked: the gateway closed the connection (1008)', { code: 1008 })
      : new FelixError('refused', 'the gateway refused the token'
        + (refused.status ? ' (HTTP ' + refused.status + ')' : '')
        + ': it is unknown, revoked, expired or not allowed on the WebSocket', { status: refused.status });
  }

  #retry(detail: StateDetail): void {
    if (!this.#running) {
      return;
    }
    if (detail.error) {
      this.#emit('error', detail.error);
    }
    this.#attempt++;
    const { minReconnectDelayMs: min, maxReconnectDelayMs: max } = this.#options;
    const base = Math.min(max, min * 2 ** Math.min(this.#attempt - 1, 30));
    const delayMs = Math.round(base / 2 + Math.random() * base / 2);
    this.#setState('reconnecting', { ...detail, attempt: this.#attempt, delayMs });
    this.#timer = setTimeout(() => void this.#try(), delayMs);
  }

  #fail(error: FelixError): void {
    this.#running = false;
    this.#generation++;
    this.#stopTimers();
    this.#emit('error', error);
    this.#settle(error);
    this.#setState('closed', { error });
  }

  #settle(error?: FelixError): void {
    const connected = this.#connected;
    this.#connected = undefined;
    if (connected && error) {
      connected.reject(error);
    } else if (connected) {
      connected.resolve();
    }
  }

  #stopTimers(): void {
    clearTimeout(this.#timer);
    clearInterval(this.#heartbeat);
    this.#timer = undefined;
    this.#heartbeat = undefined;
  }

  #listenersUpdate(since: number | undefined): string {
    const data: ListenersUpdate = { guilds: [...this.#sets.guild], users: [...this.#sets.user] };
    if (since !== undefined) {
      data.since = since;
    }
    return encode({ code: OpCode.LISTENERS_UPDATE, data });
  }

  #send(text: string): void {
    try {
      this.#connection?.send(text);
    } catch (e) {
      // A socket that cannot take a message is closing; its close event starts the reconnect.
      this.#emit('error', new FelixError('connection', 'sending failed: ' + message(e), { cause: e }));
    }
  }

  #setState(state: State, detail: StateDetail): void {
    this.#state = state;
    this.#emit('state', state, detail);
  }

  #listenersOf<K extends keyof FelixClientEvents<G, U>>(event: K): Set<FelixClientEvents<G, U>[K]> {
    const set = this.#listeners[event];
    if (!set) {
      throw new TypeError('unknown event ' + String(event) + ': guild, user, status, state or error');
    }
    return set;
  }

  /** Listeners run inside socket callbacks: what they throw becomes an `error` event, never an exception. */
  #emit<K extends keyof FelixClientEvents<G, U>>(event: K, ...args: Parameters<FelixClientEvents<G, U>[K]>): void {
    for (const listener of [...this.#listeners[event]]) {
      try {
        (listener as (...a: unknown[]) => void)(...args);
      } catch (e) {
        if (event !== 'error') {
          this.#emit('error', new FelixError('listener', 'a ' + event + ' listener threw: ' + message(e), { cause: e }));
        }
      }
    }
  }
}

/** The standard WebSocket API with the token as a subprotocol, the way browsers authenticate. */
export function subprotocolTransport(Impl: WebSocketConstructor): Transport {
  return (url, token, _userAgent, events) => {
    const ws = new Impl(url, ['felix.v1', 'felix.token.' + token]);
    ws.onopen = () => events.open();
    ws.onmessage = event => {
      if (typeof event.data === 'string') {
        events.message(event.data);
      }
    };
    ws.onerror = () => {
      // Always followed by a close event, which says what happened.
    };
    ws.onclose = event => events.closed({ code: event.code, reason: event.reason });
    return {
      send: text => ws.send(text),
      close: (code, reason) => ws.close(code, reason),
      drop: () => {
        ws.onopen = ws.onmessage = ws.onclose = null;
        ws.close();
      },
    };
  };
}

function ids(value: readonly string[] | undefined, name: string): Set<string> {
  if (value === undefined) {
    return new Set();
  }
  if (!Array.isArray(value) || value.some(id => typeof id !== 'string')) {
    throw new TypeError('listen: ' + name + ' must be an array of ID strings');
  }
  return new Set(value);
}

function definedOnly<T extends object>(options: T): T {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as T;
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function now(): number {
  return performance.now();
}
