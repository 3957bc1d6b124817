// FelixClient in Node against a real gateway: listening, updates, deletions, the listen sets, tokens.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { FelixClient, FelixError } from '../dist/node.js';
import { Gateway, until } from './gateway.mjs';

let gw;
before(async () => {
  gw = await Gateway.start();
});
after(async () => {
  await gw?.stop();
});

function client(options = {}) {
  return new FelixClient({ url: gw.wsUrl, token: gw.token, userAgent: 'felix-gateway-client tests', ...options });
}

test('delivers the current data on connect, then every write and deletion, with the ACKs', async () => {
  await gw.put('guild', '100000000000000001', { prefix: '!' });
  const c = client();
  const guilds = [];
  const users = [];
  const acks = [];
  const states = [];
  c.on('guild', (id, data, seq) => guilds.push({ id, data, seq }));
  c.on('user', (id, data, seq) => users.push({ id, data, seq }));
  c.on('status', (ack, roundTripMs) => acks.push({ ack, roundTripMs }));
  c.on('state', state => states.push(state));
  c.listen({ guilds: ['100000000000000001'], users: ['200000000000000001'] });
  try {
    await c.connect();
    assert.equal(c.state, 'open');
    assert.deepEqual(states, ['connecting', 'open']);
    await until(() => guilds.length === 1, 'the snapshot of the existing guild');
    // The gateway adds the entry's id to what was written.
    assert.deepEqual(guilds[0].data, { id: '100000000000000001', prefix: '!' });
    assert.equal(c.guild('100000000000000001'), guilds[0].data);
    assert.equal(c.user('200000000000000001'), undefined);

    await gw.put('guild', '100000000000000001', { prefix: '?' });
    await gw.put('user', '200000000000000001', { lang: 'fr' });
    await until(() => guilds.length === 2 && users.length === 1, 'the live updates');
    assert.equal(guilds[1].data.prefix, '?');
    assert.ok(guilds[1].seq > guilds[0].seq);
    assert.equal(users[0].id, '200000000000000001');
    assert.equal(users[0].data.lang, 'fr');
    assert.equal(c.user('200000000000000001').lang, 'fr');
    assert.equal(c.lastSeq, users[0].seq);

    await gw.delete('guild', '100000000000000001');
    await until(() => guilds.length === 3, 'the deletion');
    assert.equal(guilds[2].data, null);
    assert.equal(c.guild('100000000000000001'), undefined);

    await until(() => acks.length >= 2, 'heartbeat ACKs');
    const { ack, roundTripMs } = acks[0];
    assert.equal(typeof ack.receivedAt, 'number');
    assert.ok(Array.isArray(ack.shards));
    assert.equal(typeof ack.guildsCount, 'number');
    assert.equal(typeof ack.memoryUsage, 'number');
    assert.equal(typeof ack.uptime, 'number');
    assert.ok(roundTripMs >= 0);
    assert.equal(c.roundTripMs >= 0, true);
  } finally {
    c.close();
  }
  assert.equal(c.state, 'closed');
});

test('listen replaces the sets: a newly listened entry arrives with its data, a dropped one no more', async () => {
  await gw.put('guild', '100000000000000011', { n: 1 });
  await gw.put('guild', '100000000000000012', { n: 1 });
  const c = client();
  const seen = [];
  c.on('guild', (id, data) => seen.push([id, data.n]));
  c.listen({ guilds: ['100000000000000011'] });
  try {
    await c.connect();
    await until(() => seen.length === 1, 'the first guild');
    c.listen({ guilds: ['100000000000000012'] });
    await until(() => seen.length === 2, 'the newly listened guild');
    assert.deepEqual(seen[1], ['100000000000000012', 1]);
    assert.equal(c.guild('100000000000000011'), undefined);

    // Committed in this order, so an update of the dropped guild would arrive before the other one.
    await gw.put('guild', '100000000000000011', { n: 2 });
    await gw.put('guild', '100000000000000012', { n: 2 });
    await until(() => seen.length === 3, 'the update of the listened guild');
    assert.deepEqual(seen, [['100000000000000011', 1], ['100000000000000012', 1], ['100000000000000012', 2]]);
  } finally {
    c.close();
  }
});

test('a listener that throws becomes an error event, and the client goes on', async () => {
  const c = client();
  const errors = [];
  const seen = [];
  c.on('guild', () => {
    throw new Error('dashboard bug');
  });
  c.on('guild', (id, data) => seen.push(data.n));
  c.on('error', e => errors.push(e));
  c.listen({ guilds: ['100000000000000021'] });
  try {
    await c.connect();
    await gw.put('guild', '100000000000000021', { n: 1 });
    await gw.put('guild', '100000000000000021', { n: 2 });
    await until(() => seen.length === 2, 'both updates');
    assert.equal(errors.length, 2);
    assert.ok(errors[0] instanceof FelixError);
    assert.equal(errors[0].kind, 'listener');
    assert.match(errors[0].message, /dashboard bug/);
    assert.equal(c.state, 'open');
  } finally {
    c.close();
  }
});

test('a refused token makes connect() reject with 403, and it is not tried again', async () => {
  let calls = 0;
  const states = [];
  const c = client({
    token: async () => {
      calls++;
      return 'fxp_not-a-token';
    },
    minReconnectDelayMs: 20,
    maxReconnectDelayMs: 40,
  });
  c.on('state', state => states.push(state));
  await assert.rejects(c.connect(), e => {
    assert.ok(e instanceof FelixError);
    assert.equal(e.kind, 'refused');
    assert.equal(e.status, 403);
    assert.match(e.message, /refused the token \(HTTP 403\)/);
    return true;
  });
  // The function was asked once more (it might have had a new token), gave the same one, and that ended it.
  assert.equal(calls, 2);
  assert.equal(c.state, 'closed');
  assert.equal(states.at(-1), 'closed');
  await new Promise(r => setTimeout(r, 300));
  assert.equal(calls, 2);

  const fixed = client({ token: 'fxp_not-a-token-either' });
  await assert.rejects(fixed.connect(), { kind: 'refused', status: 403 });
  assert.equal(fixed.state, 'closed');
});

test('a public token is refused too', async () => {
  const c = client({ token: await gw.mint('--public') });
  await assert.rejects(c.connect(), { kind: 'refused', status: 403 });
});

test('a token function is called on every connect, and a new token replaces a refused one', async () => {
  const revoked = 'fxp_expired-session';
  const tokens = [revoked, gw.token, gw.token];
  let calls = 0;
  const c = client({ token: () => Promise.resolve(tokens[Math.min(calls++, tokens.length - 1)]), minReconnectDelayMs: 20 });
  const errors = [];
  c.on('error', e => errors.push(e.kind));
  try {
    await c.connect();
    assert.equal(calls, 2);
    assert.deepEqual(errors, ['refused']);
  } finally {
    c.close();
  }
});

test('a token revoked while connected ends the client with a revoked error', async () => {
  const c = client({ token: await gw.mint('--private', 'revoke-me') });
  const errors = [];
  c.on('error', e => errors.push(e));
  try {
    await c.connect();
    await gw.revoke('revoke-me');
    await until(() => c.state === 'closed', 'the client to stop');
  } finally {
    c.close(); // a client left open would keep this test file running after a failure
  }
  assert.equal(errors.length, 1);
  assert.equal(errors[0].kind, 'revoked');
  assert.match(errors[0].message, /revoked/);
});

test('connect() rejects when close() comes first', async () => {
  const c = client({ url: 'ws://127.0.0.1:9', minReconnectDelayMs: 20 });
  const connecting = c.connect();
  c.close();
  await assert.rejects(connecting, { kind: 'closed' });
});
