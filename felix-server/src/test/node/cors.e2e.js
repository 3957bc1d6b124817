'use strict';
// Calls the REST API from pages of two origins in headless Chromium for CorsBrowserTest: one that
// --cors-origins lists and one it does not. Prints one JSON line: what each page's fetches saw.
// Usage: node cors.e2e.js <listed page origin> <other page origin> <API base URL> <private token>
// (both origins serve a blank page at /; the test serves them on loopback, as the gateway).

const { chromium } = require('playwright-core');

const [listedOrigin, otherOrigin, apiBase, token] = process.argv.slice(2);

(async () => {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync']
  });
  try {
    const page = await browser.newPage();
    page.on('console', m => console.error('console: ' + m.text()));
    const calls = async origin => {
      await page.goto(origin + '/');
      return page.evaluate(async ({ apiBase, token }) => {
        const seen = {};
        const auth = { Authorization: 'Bearer ' + token };
        try {
          const put = await fetch(apiBase + '/api/guilds/4242', {
            method: 'PUT', headers: { ...auth, 'Content-Type': 'application/json' },
            body: JSON.stringify({ from: location.origin })
          });
          seen.put = put.status;
          seen.etag = put.headers.get('ETag');
          const stale = await fetch(apiBase + '/api/guilds/4242', {
            method: 'PATCH', headers: { ...auth, 'Content-Type': 'application/merge-patch+json', 'If-Match': '"0"' },
            body: '{}'
          });
          seen.stale = stale.status;
          const get = await fetch(apiBase + '/api/guilds/4242', { headers: auth });
          seen.get = get.status;
          seen.body = await get.json();
        } catch (e) {
          seen.error = String(e);
        }
        return seen;
      }, { apiBase, token });
    };
    const listed = await calls(listedOrigin);
    const other = await calls(otherOrigin);
    process.stdout.write(JSON.stringify({ listed, other }) + '\n');
  } finally {
    await browser.close();
  }
})().catch(e => {
  console.error(e);
  process.exit(1);
});
