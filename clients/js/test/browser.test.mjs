// The browser build in a real headless Chromium (Debian's chromium), against a real gateway: the
// token as a subprotocol, updates, ACKs, and a refused token told apart through the REST API.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Gateway } from './gateway.mjs';

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const DIST = fileURLToPath(new URL('../dist/', import.meta.url));
const missing = existsSync(CHROMIUM) ? null : 'Chromium (' + CHROMIUM + '; apt-get install -y chromium)';
if (missing && process.env.CI === 'true') {
  throw new Error(missing + ' is required on CI');
}

let gw;
let server;
let browser;
let origin;

before(async () => {
  if (missing) {
    return;
  }
  gw = await Gateway.start();
  // The page's own origin: the package's dist/ and, as the status page has, the REST API beside it.
  server = createServer(async (request, response) => {
    if (request.url.startsWith('/api/')) {
      const answer = await fetch(gw.httpBase + request.url, { headers: { Authorization: request.headers.authorization ?? '' } });
      response.writeHead(answer.status, { 'Content-Type': 'application/json' }).end(await answer.text());
    } else if (request.url === '/') {
      response.writeHead(200, { 'Content-Type': 'text/html' }).end('<!DOCTYPE html><title>client test</title>');
    } else if (/^\/dist\/\w+\.js$/.test(request.url)) {
      response.writeHead(200, { 'Content-Type': 'text/javascript' })
        .end(readFileSync(join(DIST, request.url.slice('/dist/'.length))));
    } else {
      response.writeHead(404).end();
    }
  });
  await new Promise(r => server.listen(0, '127.0.0.1', r));
  origin = 'http://127.0.0.1:' + server.address().port;
  const { chromium } = await import('playwright-core');
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await browser?.close();
  server?.close();
  await gw?.stop();
});

test('in Chromium: connects with the subprotocol token, receives updates and ACKs, tells a refused token', { skip: missing ?? false, timeout: 120000 }, async () => {
  const page = await browser.newPage();
  const problems = [];
  page.on('pageerror', e => problems.push(e.message));
  const sockets = [];
  page.on('websocket', ws => sockets.push(ws.url()));
  await page.goto(origin + '/');
  await page.evaluate(async ({ url, token }) => {
    const { FelixClient } = await import('/dist/browser.js');
    const client = new FelixClient({ url, token });
    window.seen = [];
    window.acks = 0;
    client.on('guild', (id, data, seq) => window.seen.push({ id, data, seq }));
    client.on('status', ack => {
      if (Array.isArray(ack.shards)) {
        window.acks++;
      }
    });
    client.listen({ guilds: ['400000000000000001'] });
    await client.connect();
    window.client = client;
  }, { url: gw.wsUrl, token: gw.token });

  await gw.put('guild', '400000000000000001', { theme: 'dark' });
  await page.waitForFunction(() => window.seen.length === 1 && window.acks >= 2, null, { timeout: 30000 });
  const seen = await page.evaluate(() => window.seen[0]);
  assert.equal(seen.id, '400000000000000001');
  assert.equal(seen.data.theme, 'dark');
  assert.equal(typeof seen.seq, 'number');
  await gw.delete('guild', '400000000000000001');
  await page.waitForFunction(() => window.seen.length === 2, null, { timeout: 30000 });
  assert.equal(await page.evaluate(() => window.seen[1].data), null);
  assert.equal(await page.evaluate(() => window.client.guild('400000000000000001')), undefined);

  const refused = await page.evaluate(async ({ url }) => {
    const { FelixClient } = await import('/dist/browser.js');
    const client = new FelixClient({
      url,
      token: 'fxp_not-a-token',
      minReconnectDelayMs: 50,
      // The browser hides the 403; the REST API tells whether the token is good.
      isTokenRefused: async token => (await fetch('/api/status', { headers: { Authorization: 'Bearer ' + token } })).status === 403,
    });
    try {
      await client.connect();
      return 'connected';
    } catch (e) {
      return { kind: e.kind, message: e.message, state: client.state };
    }
  }, { url: gw.wsUrl });
  assert.equal(refused.kind, 'refused');
  assert.equal(refused.state, 'closed');
  assert.match(refused.message, /refused the token/);

  await page.evaluate(() => window.client.close());
  assert.ok(sockets.length >= 2 && sockets.every(u => u.startsWith(gw.wsUrl)), sockets.join(', '));
  assert.deepEqual(problems, []);
});
