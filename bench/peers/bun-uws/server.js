// Felix's WebSocket and the REST routes the bench uses, on Bun: uWebSockets underneath, a pub/sub
// topic per entry, entries committed to bun:sqlite (WAL) before they are acknowledged and published.
// Written the way a Bun developer would write this protocol for speed; see README.md.

import { Database } from "bun:sqlite";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { STATUS_CODES } from "node:http";

const TOKEN = process.env.FELIX_TOKEN;
const HOST = process.env.HOST || "127.0.0.1";
const WS_PORT = Number(process.env.WS_PORT || 8090);
const HTTP_PORT = Number(process.env.HTTP_PORT || 8080);
const PING_INTERVAL_MS = Number(process.env.PING_INTERVAL_MS || 30000);
const DATA = process.env.DATA || "data";
const MAX_MESSAGE_BYTES = 1024 * 1024;
const MAX_QUEUED_BYTES = 4 * 1024 * 1024;
const MAX_LISTEN_IDS = 10000;
const SNOWFLAKE = /^[0-9]{1,20}$/;

if (!TOKEN) {
  console.error("FELIX_TOKEN must hold the private token clients use");
  process.exit(2);
}

// ---- store --------------------------------------------------------------------------------

mkdirSync(DATA, { recursive: true });
const db = new Database(join(DATA, "entries.db"), { create: true, strict: true });
db.exec("PRAGMA journal_mode = WAL");
db.exec("PRAGMA synchronous = NORMAL");
db.exec(`CREATE TABLE IF NOT EXISTS entries (
  kind TEXT NOT NULL, id TEXT NOT NULL, json TEXT NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (kind, id)
) WITHOUT ROWID`);
const upsert = db.prepare(`INSERT INTO entries (kind, id, json, seq) VALUES ($kind, $id, $json, $seq)
  ON CONFLICT (kind, id) DO UPDATE SET json = excluded.json, seq = excluded.seq`);
const readOne = db.prepare("SELECT json FROM entries WHERE kind = $kind AND id = $id");
const changedSince = db.prepare("SELECT id, json, seq FROM entries WHERE kind = $kind AND id = $id AND seq > $since");
let seq = db.prepare("SELECT coalesce(max(seq), 0) AS seq FROM entries").get().seq;

const KINDS = {
  guilds: { topic: "g:", prefix: '{"code":10002,"name":"GDB Update","data":{"guildID":', field: ',"guildData":' },
  users: { topic: "u:", prefix: '{"code":10003,"name":"UDB Update","data":{"userID":', field: ',"userData":' },
};

function update(kind, id, json, entrySeq) {
  const k = KINDS[kind];
  return k.prefix + JSON.stringify(id) + k.field + json + '},"seq":' + entrySeq + "}";
}

// ---- status: the ACK is built from a cached string, re-made only when a report changes -----

const startedAt = Date.now();
const reporters = new Map();
let cached = null;

function merged() {
  if (cached) return cached;
  const shards = [];
  let guildsCount = 0;
  let memoryUsage = null;
  let uptime = null;
  for (const report of reporters.values()) {
    shards.push(...report.shards);
    guildsCount += report.guildsCount || 0;
    if (typeof report.memoryUsage === "number") memoryUsage = (memoryUsage || 0) + report.memoryUsage;
    if (typeof report.uptime === "number") uptime = Math.max(uptime || 0, report.uptime);
  }
  shards.sort((a, b) => a.id - b.id);
  cached = {
    middle: ',"shards":' + JSON.stringify(shards) + ',"guildsCount":' + guildsCount + ',"memoryUsage":',
    memoryUsage,
    uptime,
  };
  return cached;
}

// Reading the heap's size costs more than the rest of an ACK: sampled once a second.
let heapMib = 0;
function sampleHeap() {
  heapMib = Math.round(process.memoryUsage().heapUsed / 1024 / 1024 * 100) / 100;
}
sampleHeap();
setInterval(sampleHeap, 1000).unref();

function statusData(receivedAt) {
  const m = merged();
  const memory = m.memoryUsage ?? heapMib;
  return '{"receivedAt":' + receivedAt + m.middle + memory + ',"uptime":' + (m.uptime ?? Date.now() - startedAt) + "}";
}

function ack() {
  return '{"code":10001,"name":"Heartbeat ACK","data":' + statusData(Date.now()) + "}";
}

// ---- WebSocket ----------------------------------------------------------------------------

function strings(list) {
  return Array.isArray(list) ? list.filter((id) => typeof id === "string") : null;
}

function listen(ws, data) {
  const users = strings(data?.users);
  const guilds = strings(data?.guilds);
  if (!users || !guilds) return;
  if (data.users.length > MAX_LISTEN_IDS || data.guilds.length > MAX_LISTEN_IDS) {
    ws.close(1008, `too many IDs in a listeners update (max ${MAX_LISTEN_IDS} per list)`);
    return;
  }
  const next = new Set([...guilds.map((id) => "g:" + id), ...users.map((id) => "u:" + id)]);
  for (const topic of ws.data.topics) if (!next.has(topic)) ws.unsubscribe(topic);
  for (const topic of next) if (!ws.data.topics.has(topic)) ws.subscribe(topic);
  ws.data.topics = next;
  // One thread: no commit can land between the subscriptions above and this read.
  if (typeof data.since === "number") {
    const changed = [];
    for (const [kind, ids] of [["guilds", guilds], ["users", users]]) {
      for (const id of ids) {
        const row = changedSince.get({ kind, id, since: data.since });
        if (row) changed.push([kind, row]);
      }
    }
    changed.sort((a, b) => a[1].seq - b[1].seq);
    for (const [kind, row] of changed) ws.send(update(kind, row.id, row.json, row.seq));
  }
}

const wsServer = Bun.serve({
  hostname: HOST,
  port: WS_PORT,
  fetch(req, server) {
    if (req.headers.get("authorization") !== TOKEN) return new Response(null, { status: 403 });
    if (server.upgrade(req, { data: { topics: new Set() } })) return undefined;
    return new Response("Felix's WebSocket: connect with a WebSocket client\n", { status: 426 });
  },
  websocket: {
    maxPayloadLength: MAX_MESSAGE_BYTES,
    backpressureLimit: MAX_QUEUED_BYTES,
    closeOnBackpressureLimit: true,
    // With sendPings, uWebSockets pings a socket that has been idle and drops one that stays silent:
    // twice the ping interval, so a client answering the pings is never dropped.
    idleTimeout: Math.max(1, Math.round(2 * PING_INTERVAL_MS / 1000)),
    sendPings: true,
    perMessageDeflate: false,
    message(ws, raw) {
      if (typeof raw !== "string") return;
      let message;
      try {
        message = JSON.parse(raw);
      } catch {
        return;
      }
      if (!message || typeof message !== "object" || Array.isArray(message)) return;
      if (message.code === 20001) ws.send(ack());
      else if (message.code === 20002) listen(ws, message.data);
    },
  },
});

// ---- REST ---------------------------------------------------------------------------------

const JSON_HEADERS = { "Content-Type": "application/json" };

function fail(status, message) {
  return new Response(JSON.stringify({ status, error: STATUS_CODES[status], message }), { status, headers: JSON_HEADERS });
}

function ok(body) {
  return new Response(body, { status: 200, headers: JSON_HEADERS });
}

const ROUTE = /^\/api\/(guilds|users|status)\/([^/]+)$/;

const restServer = Bun.serve({
  hostname: HOST,
  port: HTTP_PORT,
  maxRequestBodySize: MAX_MESSAGE_BYTES,
  async fetch(req) {
    const url = new URL(req.url);
    if (req.method === "GET" && url.pathname === "/api") return ok('{"name":"bun-uws peer","ok":true}');
    const auth = req.headers.get("authorization") || "";
    if (!auth.startsWith("Bearer ")) return fail(401, "missing Authorization: Bearer <token>");
    if (auth.slice(7).trim() !== TOKEN) return fail(403, "unknown or revoked token");
    const match = ROUTE.exec(url.pathname);
    if (!match) return fail(404, `no such route: ${req.method} ${url.pathname}`);
    const [, kind, id] = match;
    if (kind === "status") {
      if (req.method === "DELETE") {
        reporters.delete(id);
        cached = null;
        return ok(statusData(Date.now()));
      }
      if (req.method !== "PUT") return fail(405, `${req.method} is not allowed on ${url.pathname}`);
    } else if (req.method === "GET") {
      const row = readOne.get({ kind, id });
      return row ? ok(row.json) : fail(404, `${kind.slice(0, -1)} ${id} not found`);
    } else if (req.method !== "PUT") {
      return fail(405, `${req.method} is not allowed on ${url.pathname}`);
    }
    const text = await req.text();
    let body;
    try {
      body = JSON.parse(text);
    } catch {
      return fail(400, "body is not valid JSON");
    }
    if (!body || typeof body !== "object" || Array.isArray(body)) return fail(400, "body must be a JSON object");
    if (kind === "status") {
      if (!Array.isArray(body.shards)) return fail(400, "shards must be an array");
      reporters.set(id, body);
      cached = null;
      return ok(statusData(Date.now()));
    }
    if (!SNOWFLAKE.test(id)) return fail(400, `ID must be a snowflake (1-20 digits), was '${id}'`);
    seq += 1;
    // Committed (autocommit, WAL) before anyone hears of it: the publish and the answer come after.
    upsert.run({ kind, id, json: text, seq });
    wsServer.publish(KINDS[kind].topic + id, update(kind, id, text, seq));
    return ok(text);
  },
});

console.log(`bun-uws peer: WebSocket on ${HOST}:${wsServer.port}, REST on ${HOST}:${restServer.port}, data ${DATA}`);

function shutdown() {
  wsServer.stop(true);
  restServer.stop(true);
  db.close();
  process.exit(0);
}
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);
