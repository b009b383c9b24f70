import { chromium } from 'playwright';
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium' });
for (const [w, h, tag] of [[1280, 800, 'desktop'], [375, 667, 'phone']]) {
  const page = await browser.newPage({ viewport: { width: w, height: h } });
  await page.goto('http://127.0.0.1:3917/login');
  await page.fill('input[type=email]', 'rep.li@demo.rapport.example');
  await page.fill('input[type=password]', 'rapport-demo');
  await page.click('button[type=submit]');
  await page.waitForURL(u => !u.pathname.startsWith('/login'));
  await page.goto('http://127.0.0.1:3917/customers');
  await page.locator('a[href^="/customers/0"]').first().click();
  await page.waitForSelector('form.composer');
  await page.locator('form.composer [role=radiogroup] button, form.composer [role=radiogroup] label').first().click();
  await page.fill('#composer-note', `Called about the spring order (${tag})`);
  await page.click('form.composer button[type=submit]');
  await page.waitForSelector(`text=Called about the spring order (${tag})`);
  await page.screenshot({ path: `/tmp/shot/${tag}.png`, fullPage: false });
  const item = page.locator(`text=Called about the spring order (${tag})`).first();
  await item.scrollIntoViewIfNeeded();
  await page.screenshot({ path: `/tmp/shot/${tag}-event.png` });
}
await browser.close();
