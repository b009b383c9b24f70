// The README's pictures (`make screenshots`): starts the built server on a
// fresh SQLite database with the demo organisation, signs in as its admin in
// Chromium and photographs the customer list, a customer's page and the
// pipeline board at desktop and phone size into e2e/screenshots/.
const { chromium } = require('@playwright/test');
const { spawn, execFileSync, execSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { waitUntilUp } = require('./wait_until_up');

const root = path.resolve(__dirname, '..');
const binary = process.env.RAPPORT_BIN || path.join(root, 'target', 'debug', 'rapport');
const siteRoot = process.env.LEPTOS_SITE_ROOT || path.join(root, 'target', 'site');
const executablePath = process.env.CHROMIUM_PATH || execSync('which chromium || which chromium-browser').toString().trim();
const out = path.join(__dirname, 'screenshots');
const port = 3191;
const base = `http://127.0.0.1:${port}`;

const sizes = {
  desktop: { viewport: { width: 1280, height: 800 } },
  phone: { viewport: { width: 375, height: 667 }, deviceScaleFactor: 2, hasTouch: true, isMobile: true },
};

// Which page at which size, and what shows it has loaded; the customer is
// the demo's first by name.
const shots = [
  ['customers-desktop', 'desktop', '/customers', '.customer-card'],
  ['customers-phone', 'phone', '/customers', '.customer-card'],
  ['customer-phone', 'phone', 'customer', '.timeline .event'],
  ['pipeline-desktop', 'desktop', '/pipeline', '.deal-card'],
];

(async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rapport-shots-'));
  const env = { ...process.env, DATABASE_URL: `sqlite://${dir}/demo.db?mode=rwc`, RAPPORT_ADDR: `127.0.0.1:${port}`, LEPTOS_SITE_ROOT: siteRoot };
  execFileSync(binary, ['demo-data'], { env, stdio: 'ignore' });
  const server = spawn(binary, ['serve'], { env, stdio: 'ignore' });
  const browser = await chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'] });
  try {
    await waitUntilUp(base);
    for (const [file, size, route, ready] of shots) {
      const page = await browser.newPage(sizes[size]);
      await page.goto(`${base}/login`);
      await page.waitForSelector('body[data-hydrated="true"]');
      await page.getByLabel('E-mail').fill('admin@demo.rapport.example');
      await page.getByLabel('Password').fill('rapport-demo');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL(`${base}/`);
      if (route === 'customer') {
        await page.goto(`${base}/customers`);
        await page.locator('.customer-card a.customer-link').first().click();
      } else {
        await page.goto(`${base}${route}`);
      }
      await page.waitForSelector(ready);
      // The customer's picture shows the follow-up timeline, below the details on a phone.
      // Its top, clear of the sticky header.
      if (route === 'customer') await page.evaluate(() => {
        document.querySelector('.timeline').scrollIntoView({ block: 'start' });
        window.scrollBy(0, -60);
      });
      // Let avatars, counts and fonts settle before the picture.
      await page.waitForTimeout(500);
      await page.screenshot({ path: path.join(out, `${file}.png`) });
      console.log(`wrote e2e/screenshots/${file}.png`);
      await page.close();
    }
  } finally {
    await browser.close();
    server.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  }
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
