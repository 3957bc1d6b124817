'use strict';
// Felix's WebSocket and the REST write/status routes, written from the protocol document in
// the straightforward way the original bot served them: entries in an in-memory map, every
// update checked against every connected client, each message JSON.stringify'd per send, and
// a ping sweep every interval. It is the baseline of `felix bench compare`; see README.md.

const http = require('http');
const WebSocket = require('ws');

const TOKEN = process.env.FELIX_TOKEN;
const HOST = process.env.HOST || '127.0.0.1';
const WS_PORT = Number(process.env.WS_PORT || 8090);
const HTTP_PORT = Number(process.env.HTTP_PORT || 8080);
const PING_INTERVAL_MS = Number(process.env.PING_INTERVAL_MS || 30000);
const MAX_MESSAGE_BYTES = 1024 * 1024;
const MAX_LISTEN_IDS = 10000;

if (!TOKEN) {
  console.error('FELIX_TOKEN must hold the private token clients use');
  process.exit(2);
}

const startedAt = Date.now();
const db = { guilds: new Map(), users: new Map() };
const reporters = new Map();
let seq = 0;

// ---- status -------------------------------------------------------------------------------

function status() {
  const shards = [];
  let guildsCount = 0;
  let memoryUsage = null;
  let uptime = null;
  for (const report of reporters.values()) {
    shards.push(...report.shards);
    guildsCount += report.guildsCount || 0;
    if (typeof report.memoryUsage === 'number') memoryUsage = (memoryUsage || 0) + report.memoryUsage;
    if (typeof report.uptime === 'number') uptime = Math.max(uptime || 0, report.uptime);
  }
  shards.sort((a, b) => a.id - b.id);
  if (memoryUsage === null) memoryUsage = Math.round(process.memoryUsage().heapUsed / 1024 / 1024 * 100) / 100;
  if (uptime === null) uptime = Date.now() - startedAt;
  return { shards, guildsCount, memoryUsage, uptime };
}

// ---- WebSocket ----------------------------------------------------------------------------

const wss = new WebSocket.Server({
  host: HOST,
  port: WS_PORT,
  perMessageDeflate: false,
  maxPayload: MAX_MESSAGE_BYTES,
  verifyClient: (info, done) => {
    if (info.req.headers.authorization === TOKEN) return done(true);
    done(false, 403);
  }
});

wss.on('connection', (ws) => {
  ws.isAlive = true;
  ws.guilds = new Set();
  ws.users = new Set();
  ws.on('pong', () => { ws.isAlive = true; });
  ws.on('error', () => {});
  ws.on('message', (raw, isBinary) => {
    if (isBinary) return;
    let message;
    try {
      message = JSON.parse(raw.toString());
    } catch (e) {
      return;
    }
    if (!message || typeof message !== 'object' || Array.isArray(message)) return;
    if (message.code === 20001) {
      const data = status();
      ws.send(JSON.stringify({
        code: 10001,
        name: 'Heartbeat ACK',
        data: {
          receivedAt: Date.now(),
          shards: data.shards,
          guildsCount: data.guildsCount,
          memoryUsage: data.memoryUsage,
          uptime: data.uptime
        }
      }));
    } else if (message.code === 20002) {
      const data = message.data;
      if (!data || !Array.isArray(data.users) || !Array.isArray(data.guilds)) return;
      if (data.users.length > MAX_LISTEN_IDS || data.guilds.length > MAX_LISTEN_IDS) {
        ws.close(1008, `too many IDs in a listeners update (max ${MAX_LISTEN_IDS} per list)`);
        return;
      }
      ws.users = new Set(data.users.filter((id) => typeof id === 'string'));
      ws.guilds = new Set(data.guilds.filter((id) => typeof id === 'string'));
    }
  });
});

const sweep = setInterval(() => {
  for (const ws of wss.clients) {
    if (!ws.isAlive) {
      ws.terminate();
      continue;
    }
    ws.isAlive = false;
    ws.ping();
  }
}, PING_INTERVAL_MS);

function broadcast(kind, id, entry, entrySeq) {
  for (const ws of wss.clients) {
    if (ws.readyState !== WebSocket.OPEN) continue;
    const listened = kind === 'guild' ? ws.guilds : ws.users;
    if (!listened.has(id)) continue;
    ws.send(JSON.stringify(kind === 'guild'
      ? { code: 10002, name: 'GDB Update', data: { guildID: id, guildData: entry }, seq: entrySeq }
      : { code: 10003, name: 'UDB Update', data: { userID: id, userData: entry }, seq: entrySeq }));
  }
}

// ---- REST ---------------------------------------------------------------------------------

function reply(res, status, body) {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}

function fail(res, status, message) {
  reply(res, status, { status, error: http.STATUS_CODES[status], message });
}

const server = http.createServer((req, res) => {
  const chunks = [];
  let size = 0;
  req.on('data', (chunk) => {
    size += chunk.length;
    if (size <= MAX_MESSAGE_BYTES) chunks.push(chunk);
  });
  req.on('end', () => {
    const url = req.url.split('?')[0];
    if (req.method === 'GET' && url === '/api') return reply(res, 200, { name: 'node-ws baseline', ok: true });
    const auth = req.headers.authorization || '';
    if (!auth.startsWith('Bearer ')) return fail(res, 401, 'missing Authorization: Bearer <token>');
    if (auth.slice(7).trim() !== TOKEN) return fail(res, 403, 'unknown or revoked token');
    if (size > MAX_MESSAGE_BYTES) return fail(res, 413, 'body too large');
    const match = /^\/api\/(guilds|users|status)\/([^/]+)$/.exec(url);
    if (!match) return fail(res, 404, `no such route: ${req.method} ${url}`);
    const [, kind, id] = match;
    if (req.method === 'GET' && kind !== 'status') {
      const entry = db[kind].get(id);
      return entry ? reply(res, 200, entry) : fail(res, 404, `${kind.slice(0, -1)} ${id} not found`);
    }
    if (req.method !== 'PUT') return fail(res, 404, `no such route: ${req.method} ${url}`);
    let body;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString());
    } catch (e) {
      return fail(res, 400, 'body is not valid JSON');
    }
    if (!body || typeof body !== 'object' || Array.isArray(body)) return fail(res, 400, 'body must be a JSON object');
    if (kind === 'status') {
      if (!Array.isArray(body.shards)) return fail(res, 400, 'shards must be an array');
      reporters.set(id, body);
      return reply(res, 200, status());
    }
    if (!/^[0-9]{1,20}$/.test(id)) return fail(res, 400, `ID must be a snowflake (1-20 digits), was '${id}'`);
    if (body.id === undefined) body.id = id;
    else if (body.id !== id) return fail(res, 400, `field id must equal the entry ID ${id}`);
    db[kind].set(id, body);
    seq += 1;
    broadcast(kind === 'guilds' ? 'guild' : 'user', id, body, seq);
    reply(res, 200, body);
  });
});

server.listen(HTTP_PORT, HOST, () => {
  console.log(`node-ws baseline: WebSocket on ${HOST}:${WS_PORT}, REST on ${HOST}:${HTTP_PORT}`);
});

function shutdown() {
  clearInterval(sweep);
  for (const ws of wss.clients) ws.close(1001, 'server shutting down');
  wss.close();
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
