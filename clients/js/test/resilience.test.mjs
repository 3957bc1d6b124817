// FelixClient across failures of a real gateway: killed and restarted while writes happen, frozen
// (a silent socket), and down for a while (the backoff).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { FelixClient } from '../dist/node.js';
import { Gateway, until } from './gateway.mjs';

let gw;
before(async () => {
  gw = await Gateway.start();
});
after(async () => {
  await gw?.stop();
});

const GUILDS = ['300000000000000001', '300000000000000002', '300000000000000003', '300000000000000004'];

/** A PUT retried until the gateway takes it: a write in flight when the gateway died may or may not have committed. */
async function putUntilTaken(id, data) {
  for (;;) {
    try {
      await gw.put('guild', id, data);
      return;
    } catch {
      await new Promise(r => setTimeout(r, 50));
    }
  }
}

test('a gateway killed and restarted twice while writes happen: nothing missed, no entry goes back', { timeout: 180000 }, async () => {
  const c = new FelixClient({ url: gw.wsUrl, token: gw.token, minReconnectDelayMs: 50, maxReconnectDelayMs: 400 });
  const received = new Map(GUILDS.map(id => [id, []]));
  const opens = [];
  c.on('guild', (id, data, seq) => received.get(id).push({ n: data.n, seq }));
  c.on('state', state => state === 'open' && opens.push(Date.now()));
  c.listen({ guilds: GUILDS });
  const last = new Map();
  try {
    await c.connect();
    const writes = 240;
    for (let i = 1; i <= writes; i++) {
      const id = GUILDS[i % GUILDS.length];
      await putUntilTaken(id, { n: i });
      last.set(id, i);
      if (i === 80 || i === 160) {
        // Killed with writes just acknowledged and not all delivered; restarted while the next ones wait.
        const restarted = gw.restart();
        await putUntilTaken(GUILDS[(i + 1) % GUILDS.length], { n: i + 1 });
        last.set(GUILDS[(i + 1) % GUILDS.length], ++i);
        await restarted;
      }
    }
    await until(() => GUILDS.every(id => c.guild(id)?.n === last.get(id)), 'the last write of every guild', 60000);
    assert.ok(opens.length >= 3, 'reconnected after each restart: ' + opens.length + ' opens');
    for (const id of GUILDS) {
      const seen = received.get(id);
      for (let k = 1; k < seen.length; k++) {
        assert.ok(seen[k].seq > seen[k - 1].seq, id + ': seq went from ' + seen[k - 1].seq + ' to ' + seen[k].seq);
        assert.ok(seen[k].n >= seen[k - 1].n, id + ': data went back from ' + seen[k - 1].n + ' to ' + seen[k].n);
      }
      assert.equal(seen.at(-1).n, last.get(id));
    }
  } finally {
    c.close();
  }
});

test('an entry listened to while disconnected arrives on the reconnect, though it changed before the seq resumed from', { timeout: 120000 }, async () => {
  const [listened, added] = ['300000000000000011', '300000000000000012'];
  const c = new FelixClient({ url: gw.wsUrl, token: gw.token, minReconnectDelayMs: 50, maxReconnectDelayMs: 400 });
  c.listen({ guilds: [listened] });
  try {
    await c.connect();
    await gw.put('guild', added, { n: 1 });
    await gw.put('guild', listened, { n: 1 });
    await until(() => c.guild(listened)?.n === 1, 'the listened guild');
    await gw.kill();
    c.listen({ guilds: [listened, added] });
    await gw.restart();
    await until(() => c.guild(added)?.n === 1, 'the guild added while disconnected');
    assert.ok(c.lastSeq > 0);
  } finally {
    c.close();
  }
});

test('reconnects with jittered exponential backoff while the gateway is down, and afresh after it is back', { timeout: 120000 }, async () => {
  const min = 100;
  const max = 800;
  const c = new FelixClient({ url: gw.wsUrl, token: gw.token, minReconnectDelayMs: min, maxReconnectDelayMs: max });
  const retries = [];
  c.on('state', (state, detail) => state === 'reconnecting' && retries.push(detail));
  try {
    await c.connect();
    await gw.kill();
    await until(() => retries.length >= 6, 'six retries');
    const restarting = gw.restart();
    retries.slice(0, 6).forEach((detail, k) => {
      const base = Math.min(max, min * 2 ** k);
      assert.equal(detail.attempt, k + 1);
      assert.ok(detail.delayMs >= base / 2 && detail.delayMs <= base,
        'retry ' + (k + 1) + ' waits ' + detail.delayMs + ' ms, not within [' + base / 2 + ', ' + base + ']');
    });
    assert.equal(retries[0].code, 1006, 'the killed gateway sent no close frame');
    assert.equal(retries[1].error.kind, 'connection');
    await restarting;
    await until(() => c.state === 'open', 'the reconnect');
    // The reconnected socket carries ACKs, which resets the backoff: the next drop starts at attempt 1.
    await until(() => c.roundTripMs !== undefined, 'an ACK');
    const before = retries.length;
    await new Promise(r => c.on('status', r));
    await gw.restart();
    await until(() => retries.length > before, 'the retry after the second drop');
    assert.equal(retries[before].attempt, 1);
    await until(() => c.state === 'open', 'the second reconnect');
  } finally {
    c.close();
  }
});

test('a silent gateway (no heartbeat ACK) is dropped and reconnected', { timeout: 120000 }, async () => {
  const c = new FelixClient({ url: gw.wsUrl, token: gw.token, heartbeatIntervalMs: 200, silenceTimeoutMs: 1500,
    minReconnectDelayMs: 100, maxReconnectDelayMs: 400 });
  const errors = [];
  c.on('error', e => errors.push(e));
  c.listen({ guilds: [GUILDS[0]] });
  try {
    await c.connect();
    gw.pause();
    try {
      await until(() => c.state === 'reconnecting', 'the silent socket dropped');
      assert.equal(errors[0].kind, 'connection');
      assert.match(errors[0].message, /no heartbeat ACK for 1500 ms/);
    } finally {
      gw.resume();
    }
    await until(() => c.state === 'open', 'the reconnect');
    await putUntilTaken(GUILDS[0], { n: 'after the freeze' });
    await until(() => c.guild(GUILDS[0])?.n === 'after the freeze', 'an update on the new connection');
  } finally {
    c.close();
  }
});
