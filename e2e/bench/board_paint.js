// Figures, not pass/fail (`make bench`): how soon the pipeline board is usable
// in Chromium with 5,000 open deals. Starts the built server on an empty
// SQLite database, creates the deals through the API, then opens /pipeline
// ten times at desktop and phone size and reports, from navigation start:
// the first column with cards painted, and the app hydrated.
const { chromium, devices } = require('@playwright/test');
const { spawn, execSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { waitUntilUp } = require('../wait_until_up');

const root = path.resolve(__dirname, '..', '..');
const binary = process.env.RAPPORT_BIN || path.join(root, 'target', 'debug', 'rapport');
const siteRoot = process.env.LEPTOS_SITE_ROOT || path.join(root, 'target', 'site');
const executablePath = process.env.CHROMIUM_PATH || execSync('which chromium || which chromium-browser').toString().trim();
const DEALS = 5000;
const RUNS = 10;
const port = 3190;
const base = `http://127.0.0.1:${port}`;

async function api(method, url, token, body) {
  const res = await fetch(base + url, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${await res.text()}`);
  return res.status === 204 ? null : res.json();
}

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((s.length * p) / 100))];
};

(async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rapport-paint-'));
  const server = spawn(binary, ['serve'], {
    env: { ...process.env, DATABASE_URL: `sqlite://${dir}/bench.db?mode=rwc`, RAPPORT_ADDR: `127.0.0.1:${port}`, LEPTOS_SITE_ROOT: siteRoot,
      // The setup sends thousands of requests with one token.
      RAPPORT_RATE_LIMIT_PER_MINUTE: '0' },
    stdio: 'ignore',
  });
  try {
    await waitUntilUp(base);
    const email = 'bench@example.com';
    const password = 'bench password 1';
    const session = await api('POST', '/api/v1/setup', null, { org_name: 'Bench', name: 'Bench Admin', email, password });
    const token = session.access_token;
    const customer = await api('POST', '/api/v1/customers', token, { kind: 'company', name: 'Board Bench Co' });
    const began = Date.now();
    let next = 0;
    const worker = async () => {
      while (next < DEALS) {
        const i = next++;
        await api('POST', '/api/v1/deals', token, { customer_id: customer.id, title: `Bench deal ${i}`, amount_minor: 100000 + (i % 97) * 1000 });
      }
    };
    await Promise.all([worker(), worker(), worker(), worker()]);
    const pipelines = await api('GET', '/api/v1/pipelines', token);
    const stages = pipelines[0].stages.filter((s) => s.kind === 'open');
    // Spread the deals over the open stages (they all start in the first).
    const deals = [];
    for (let cursor = null; ; ) {
      const page = await api('GET', `/api/v1/deals?limit=200${cursor ? `&cursor=${cursor}` : ''}`, token);
      deals.push(...page.items);
      if (!page.next_cursor) break;
      cursor = page.next_cursor;
    }
    let k = 0;
    const mover = async () => {
      while (k < deals.length) {
        const d = deals[k];
        const stage = stages[k++ % stages.length];
        if (stage.id !== d.stage_id) await api('POST', `/api/v1/deals/${d.id}/move`, token, { stage_id: stage.id });
      }
    };
    await Promise.all([mover(), mover(), mover(), mover()]);
    console.log(`rapport board paint: ${DEALS} open deals over ${stages.length} stages (set up in ${((Date.now() - began) / 1000).toFixed(0)} s)`);
    const wasm = fs.readdirSync(path.join(siteRoot, 'pkg')).find((f) => f.endsWith('.wasm'));
    const size = wasm ? fs.statSync(path.join(siteRoot, 'pkg', wasm)).size : 0;
    console.log(`  site: ${siteRoot} (wasm ${(size / 1024 / 1024).toFixed(2)} MB)`);

    const browser = await chromium.launch({ executablePath, args: ['--no-sandbox'] });
    for (const [name, device] of [
      ['desktop 1280×800', { viewport: { width: 1280, height: 800 } }],
      ['phone 375×667', { ...devices['iPhone SE'], viewport: { width: 375, height: 667 } }],
    ]) {
      const context = await browser.newContext(device);
      const page = await context.newPage();
      await page.goto(`${base}/login`);
      await page.locator('body[data-hydrated="true"]').waitFor();
      await page.getByLabel('E-mail').fill(email);
      await page.getByLabel('Password').fill(password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL((u) => !u.pathname.startsWith('/login'));
      const painted = [];
      const hydrated = [];
      let cards = 0;
      for (let run = 0; run < RUNS; run++) {
        await page.goto(`${base}/pipeline`);
        await page.locator('.deal-card').first().waitFor();
        painted.push(await page.evaluate(() => performance.now()));
        hydrated.push(await page.evaluate(() => {
          const mark = performance.getEntriesByType('navigation')[0];
          return mark ? mark.domContentLoadedEventEnd : 0;
        }));
        cards = await page.locator('.deal-card').count();
      }
      console.log(
        `  ${name.padEnd(17)} columns with cards p50 ${pct(painted, 50).toFixed(0)} ms  max ${Math.max(...painted).toFixed(0)} ms` +
          `  (DOMContentLoaded p50 ${pct(hydrated, 50).toFixed(0)} ms; ${cards} cards in the DOM)`,
      );
      await context.close();
    }
    await browser.close();
  } finally {
    server.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  }
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
