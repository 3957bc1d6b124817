// Live status of the bot behind this gateway, over Felix's WebSocket, through the felix-gateway-client
// package's browser build (served beside this file): it sends the heartbeats, reconnects with backoff,
// and passes the token as the subprotocol felix.token.<token>, since browsers cannot set headers.
import { FelixClient } from './felix-gateway-client/browser.js';

const WINDOW_MS = 5 * 60 * 1000;
const CONFIG_RETRY_MS = 2000;
const TOKEN_KEY = 'felix.token';

const $ = id => document.getElementById(id);
const ui = {
  login: $('login'), token: $('token'), message: $('message'), connection: $('connection'),
  dashboard: $('dashboard'), disconnect: $('disconnect'), shardCount: $('shard-count'), guilds: $('guilds'),
  memory: $('memory'), uptime: $('uptime'), rtt: $('rtt'), shardRows: document.querySelector('#shards tbody'),
  noShards: $('no-shards'), pingChart: $('ping-chart'), memoryChart: $('memory-chart')
};

let client = null;
let configTimer = null;
const history = []; // {t, pingAvg, pingMax, memory}

function show(state, text) {
  ui.message.dataset.state = state;
  ui.message.textContent = text;
  ui.connection.dataset.state = state;
  ui.connection.textContent = {
    idle: 'not connected', connecting: 'connecting…', connected: 'connected', refused: 'token refused',
    busy: 'connection limit',
    lost: 'connection lost', unreachable: 'gateway unreachable'
  }[state] || state;
}

async function wsUrl() {
  const response = await fetch('config.json', {cache: 'no-store'});
  if (!response.ok) {
    throw new Error('config.json answered ' + response.status);
  }
  const config = await response.json();
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  return scheme + '://' + location.hostname + ':' + config.wsPort + '/';
}

// Why a handshake was refused, which the browser does not show: 'token' (unknown, revoked or not
// private), 'limit' (a valid private or session token, so most likely at its connection limit) or
// 'unreachable'.
async function refusal(token) {
  try {
    // Bounded: the client waits for this answer before it retries, and a request caught on a kept-alive
    // connection of a gateway that is stopping may never be answered.
    const response = await fetch('api/status', {cache: 'no-store', headers: {Authorization: 'Bearer ' + token},
      signal: AbortSignal.timeout(5000)});
    if (response.ok) {
      return /^fx[ps]_/.test(token) ? 'limit' : 'token';
    }
    // Only 401/403 judge the token; a 503 (the gateway stopping, its store down) says nothing about it.
    return response.status === 401 || response.status === 403 ? 'token' : 'unreachable';
  } catch (e) {
    return 'unreachable';
  }
}

async function start() {
  clearTimeout(configTimer);
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (!token) {
    showLogin();
    return;
  }
  show('connecting', 'Connecting…');
  let url;
  try {
    url = await wsUrl();
  } catch (e) {
    show('unreachable', 'Cannot reach the gateway (' + e.message + '). Retrying…');
    configTimer = setTimeout(start, CONFIG_RETRY_MS);
    return;
  }
  if (sessionStorage.getItem(TOKEN_KEY) !== token) {
    return; // signed out or another token entered meanwhile
  }
  let lastRefusal = null;
  const c = new FelixClient({
    url, token,
    isTokenRefused: async t => {
      lastRefusal = await refusal(t);
      return lastRefusal === 'token';
    }
  });
  client = c;
  c.on('status', (ack, roundTripMs) => render(ack, roundTripMs));
  c.on('state', (state, detail) => {
    if (client !== c) {
      return;
    }
    if (state === 'open') {
      ui.login.hidden = true;
      ui.dashboard.hidden = false;
      show('connected', 'Connected to ' + url);
    } else if (state === 'reconnecting') {
      const retry = ' Reconnecting in ' + Math.max(1, Math.round(detail.delayMs / 1000)) + ' s…';
      const why = lastRefusal;
      lastRefusal = null;
      if (why === 'limit') {
        // The token is good and the limit passes as other connections close: keep it, retry.
        show('busy', 'The gateway refused the connection: this token already holds the most connections a '
            + 'token may (--max-connections-per-token).' + retry);
      } else if (why === 'unreachable') {
        show('unreachable', 'Cannot reach the gateway.' + retry);
      } else if (detail.error) {
        show('lost', 'Connection lost (' + detail.error.message + ').' + retry);
      } else {
        show('lost', 'Connection lost (code ' + detail.code + (detail.reason ? ', "' + detail.reason + '"' : '') + ').'
            + retry);
      }
    } else if (state === 'closed' && detail.error) {
      client = null;
      const error = detail.error;
      if (error.kind === 'revoked') {
        forgetToken('refused', 'The gateway closed the connection: the token was revoked (code 1008, "token revoked").');
      } else if (error.kind === 'refused') {
        forgetToken('refused', 'The gateway refused this token: it is unknown, revoked or not a private '
            + 'token. Enter another one.');
      } else {
        forgetToken('refused', 'This token cannot be sent: ' + error.message);
      }
    }
  });
  c.connect().catch(() => {
    // A refused token shows through the state listener above.
  });
}

function stop() {
  clearTimeout(configTimer);
  const c = client;
  client = null;
  if (c) {
    c.close();
  }
}

function forgetToken(state, text) {
  sessionStorage.removeItem(TOKEN_KEY);
  showLogin();
  show(state, text);
}

function showLogin() {
  ui.login.hidden = false;
  ui.dashboard.hidden = true;
  ui.token.value = '';
  ui.token.focus();
}

function render(data, roundTripMs) {
  const now = Date.now();
  const shards = Array.isArray(data.shards) ? data.shards : [];
  ui.rtt.textContent = Math.round(roundTripMs) + ' ms';
  ui.shardCount.textContent = String(shards.length);
  ui.guilds.textContent = Number(data.guildsCount || 0).toLocaleString();
  ui.memory.textContent = Number(data.memoryUsage || 0).toFixed(1) + ' MiB';
  ui.uptime.textContent = duration(Number(data.uptime || 0));
  renderShards(shards);

  const pings = shards.map(s => Number(s.ping)).filter(p => Number.isFinite(p) && p >= 0);
  history.push({
    t: now,
    pingAvg: pings.length ? pings.reduce((a, b) => a + b, 0) / pings.length : null,
    pingMax: pings.length ? Math.max(...pings) : null,
    memory: Number(data.memoryUsage || 0)
  });
  while (history.length && history[0].t < now - WINDOW_MS) {
    history.shift();
  }
  drawChart(ui.pingChart, now, [
    {key: 'pingAvg', color: '#3355cc', label: 'average'},
    {key: 'pingMax', color: '#b3261e', label: 'highest'}
  ], 'ms');
  drawChart(ui.memoryChart, now, [{key: 'memory', color: '#1c7c3a', label: 'bot total (else gateway heap)'}], 'MiB');
}

function renderShards(shards) {
  ui.noShards.hidden = shards.length > 0;
  const rows = shards.map(shard => {
    const tr = document.createElement('tr');
    tr.dataset.shardId = String(shard.id);
    const status = String(shard.status || 'unknown');
    const cells = [
      String(shard.id),
      status,
      Number.isFinite(Number(shard.ping)) ? Math.round(Number(shard.ping)) + ' ms' : '–',
      shard.guildCount == null ? '–' : Number(shard.guildCount).toLocaleString(),
      shard.lastHeartbeatReceived ? new Date(shard.lastHeartbeatReceived).toLocaleTimeString() : '–'
    ];
    cells.forEach((text, i) => {
      const td = document.createElement('td');
      td.textContent = text;
      if (i === 1) {
        td.className = 'status status-' + status.toLowerCase().replace(/[^a-z]/g, '');
      }
      tr.appendChild(td);
    });
    return tr;
  });
  ui.shardRows.replaceChildren(...rows);
}

function duration(ms) {
  let s = Math.floor(ms / 1000);
  const d = Math.floor(s / 86400); s -= d * 86400;
  const h = Math.floor(s / 3600); s -= h * 3600;
  const m = Math.floor(s / 60); s -= m * 60;
  return (d ? d + 'd ' : '') + (d || h ? h + 'h ' : '') + (d || h || m ? m + 'm ' : '') + s + 's';
}

function drawChart(canvas, now, series, unit) {
  const ratio = window.devicePixelRatio || 1;
  const width = canvas.clientWidth || canvas.width;
  const height = canvas.clientHeight || canvas.height;
  if (canvas.width !== Math.round(width * ratio) || canvas.height !== Math.round(height * ratio)) {
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(height * ratio);
  }
  const g = canvas.getContext('2d');
  g.setTransform(ratio, 0, 0, ratio, 0, 0);
  g.clearRect(0, 0, width, height);
  const left = 48, right = 8, top = 8, bottom = 22;
  const plotW = width - left - right, plotH = height - top - bottom;

  let max = 0;
  for (const point of history) {
    for (const s of series) {
      if (point[s.key] != null) {
        max = Math.max(max, point[s.key]);
      }
    }
  }
  max = niceCeiling(max);
  const x = t => left + plotW * (1 - (now - t) / WINDOW_MS);
  const y = v => top + plotH * (1 - v / max);

  g.font = '11px system-ui, sans-serif';
  g.strokeStyle = '#d9dde5';
  g.fillStyle = '#5d6678';
  g.lineWidth = 1;
  g.textAlign = 'right';
  g.textBaseline = 'middle';
  for (let i = 0; i <= 4; i++) {
    const v = max * i / 4;
    g.beginPath();
    g.moveTo(left, y(v) + .5);
    g.lineTo(left + plotW, y(v) + .5);
    g.stroke();
    g.fillText(formatNumber(v) + (i === 4 ? ' ' + unit : ''), left - 4, y(v));
  }
  g.textAlign = 'center';
  g.textBaseline = 'top';
  for (let minute = 0; minute <= 5; minute++) {
    const t = now - minute * 60000;
    g.textAlign = minute === 0 ? 'right' : 'center';
    g.fillText(minute === 0 ? 'now' : '-' + minute + ' min', x(t), top + plotH + 6);
  }

  g.lineWidth = 2;
  for (const s of series) {
    g.strokeStyle = s.color;
    g.beginPath();
    let drawing = false;
    for (const point of history) {
      const v = point[s.key];
      if (v == null) {
        drawing = false;
        continue;
      }
      if (drawing) {
        g.lineTo(x(point.t), y(v));
      } else {
        g.moveTo(x(point.t), y(v));
        drawing = true;
      }
    }
    g.stroke();
    const last = history.length ? history[history.length - 1] : null;
    if (last && last[s.key] != null) {
      // The latest value as a dot, so that a series shows from its first sample.
      g.fillStyle = s.color;
      g.beginPath();
      g.arc(x(last.t), y(last[s.key]), 3, 0, 2 * Math.PI);
      g.fill();
    }
  }
  g.textAlign = 'left';
  let legendX = left + 6;
  for (const s of series) {
    g.fillStyle = s.color;
    g.fillRect(legendX, top + 4, 10, 3);
    g.fillStyle = '#1d2330';
    g.textBaseline = 'middle';
    g.fillText(s.label, legendX + 14, top + 6);
    legendX += 22 + g.measureText(s.label).width;
  }
}

function niceCeiling(v) {
  if (!(v > 0)) {
    return 1;
  }
  const step = Math.pow(10, Math.floor(Math.log10(v)));
  for (const m of [1, 2, 2.5, 5, 10]) {
    if (v <= m * step) {
      return m * step;
    }
  }
  return 10 * step;
}

function formatNumber(v) {
  return v >= 100 || Number.isInteger(v) ? String(Math.round(v)) : v.toFixed(1);
}

ui.login.addEventListener('submit', event => {
  event.preventDefault();
  const token = ui.token.value.trim();
  if (!token) {
    return;
  }
  stop();
  sessionStorage.setItem(TOKEN_KEY, token);
  ui.token.value = '';
  start();
});

ui.disconnect.addEventListener('click', () => {
  stop();
  forgetToken('idle', 'Disconnected.');
});

start();
