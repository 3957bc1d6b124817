'use strict';
// Drives the status page in headless Chromium for StatusPageBrowserTest, which reads the lines this
// prints on stdout (CONNECTED, SHARD_SEEN, DROP_SEEN, RECONNECTED) and acts on the gateway between them.
// Usage: node status-page.e2e.js <base URL> <private token> <screenshot path> <private token at its connection limit>

const { chromium } = require('playwright-core');

const [baseUrl, token, screenshot, busyToken] = process.argv.slice(2);
const STEP_TIMEOUT_MS = 30000;

function step(name) {
  process.stdout.write(name + '\n');
}

(async () => {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync']
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    const problems = [];
    page.on('pageerror', e => problems.push('page error: ' + e.message));
    const loaded = [];
    page.on('request', r => {
      loaded.push(r.url());
      if (!r.url().startsWith(baseUrl + '/') && !r.url().startsWith('data:')) {
        problems.push('request outside the gateway: ' + r.url());
      }
    });
    const sockets = [];
    page.on('websocket', ws => sockets.push(ws.url()));

    await page.goto(baseUrl + '/');
    await page.waitForSelector('#login:not([hidden])');

    await page.fill('#token', 'fxp_not-a-real-token');
    await page.click('#connect');
    await page.waitForSelector('#message[data-state="refused"]', { timeout: STEP_TIMEOUT_MS });
    const refused = await page.textContent('#message');
    if (!/refused this token/.test(refused)) {
      throw new Error('refusal message unclear: ' + refused);
    }

    await page.fill('#token', busyToken);
    await page.click('#connect');
    await page.waitForSelector('#message[data-state="busy"]', { timeout: STEP_TIMEOUT_MS });
    if (!/most connections/.test(await page.textContent('#message'))) {
      throw new Error('connection limit message unclear: ' + await page.textContent('#message'));
    }
    if (await page.evaluate(() => sessionStorage.getItem('felix.token')) !== busyToken) {
      throw new Error('a good token at its connection limit must be kept for the retry');
    }

    await page.fill('#token', token);
    await page.click('#connect');
    await page.waitForSelector('#message[data-state="connected"]', { timeout: STEP_TIMEOUT_MS });
    const stored = await page.evaluate(() => ({
      session: sessionStorage.getItem('felix.token'), local: localStorage.length
    }));
    if (stored.session !== token || stored.local !== 0) {
      throw new Error('token must be kept in sessionStorage only: ' + JSON.stringify(stored));
    }
    step('CONNECTED');

    await page.waitForSelector('#shards tbody tr[data-shard-id="0"]', { timeout: STEP_TIMEOUT_MS });
    const cells = await page.$$eval('#shards tbody tr[data-shard-id="0"] td', tds => tds.map(td => td.textContent));
    if (cells[1] !== 'ready' || cells[2] !== '42 ms') {
      throw new Error('unexpected shard row: ' + JSON.stringify(cells));
    }
    await page.waitForFunction(() => document.getElementById('guilds').textContent === '1,234',
      null, { timeout: STEP_TIMEOUT_MS });
    // A few heartbeats, so that the charts have lines: look for the memory line's green near "now".
    await page.waitForFunction(() => {
      const canvas = document.getElementById('memory-chart');
      const x0 = Math.floor(canvas.width * 0.8);
      const d = canvas.getContext('2d').getImageData(x0, 0, canvas.width - x0, canvas.height).data;
      let green = 0;
      for (let i = 0; i < d.length; i += 4) {
        if (d[i + 3] > 0 && d[i + 1] > 100 && d[i] < 80 && d[i + 2] < 110) {
          green++;
        }
      }
      return green >= 6;
    }, null, { timeout: STEP_TIMEOUT_MS, polling: 500 });
    const uptime = await page.textContent('#uptime');
    if (!/\d+s$/.test(uptime)) {
      throw new Error('unexpected uptime: ' + uptime);
    }
    // A few more heartbeats, so that the screenshot shows lines rather than dots.
    await page.waitForTimeout(3000);
    await page.screenshot({ path: screenshot, fullPage: true });
    step('SHARD_SEEN');

    await page.waitForSelector('#message[data-state="lost"], #message[data-state="unreachable"]',
      { timeout: STEP_TIMEOUT_MS });
    step('DROP_SEEN ' + (await page.textContent('#message')));

    await page.waitForSelector('#message[data-state="connected"]', { timeout: 60000 });
    step('RECONNECTED');

    if (!loaded.includes(baseUrl + '/felix-gateway-client/browser.js')) {
      throw new Error('the page did not load the client package from the gateway: ' + loaded.join(', '));
    }
    if (!sockets.every(url => url.startsWith('ws://'))) {
      throw new Error('unexpected socket URLs: ' + sockets.join(', '));
    }
    if (problems.length) {
      throw new Error(problems.join('\n'));
    }
  } finally {
    await browser.close();
  }
})().catch(e => {
  process.stderr.write(String(e && e.stack || e) + '\n');
  process.exit(1);
});
