import { expect, Page, test } from '@playwright/test';
import { admin, api, expectNoHorizontalScroll, open, quickCall, signIn, teamMember } from './helpers';

// One journey per screen size, in order: each step builds on the last.
test.describe.configure({ mode: 'serial' });

test('first run: a new install asks for the organisation and signs the admin in', async ({ page }) => {
  await open(page, '/');
  await expect(page).toHaveURL(/\/setup$/);
  await expect(page.getByRole('heading', { name: 'Welcome to Rapport' })).toBeVisible();

  // The shared validation rules answer before anything is sent.
  await page.getByRole('button', { name: 'Create organisation' }).click();
  await expect(page.getByText('Please correct the highlighted fields.')).toBeVisible();
  await page.getByLabel('E-mail').fill('not-an-email');
  await page.getByRole('button', { name: 'Create organisation' }).click();
  await expect(page.getByText('Not a valid e-mail address.')).toBeVisible();

  await page.getByLabel('Organisation name').fill(admin.org);
  await page.getByLabel('Your name').fill(admin.name);
  await page.getByLabel('E-mail').fill(admin.email);
  await page.getByLabel('Password').fill(admin.password);
  await page.getByRole('button', { name: 'Create organisation' }).click();

  await expect(page.getByRole('heading', { name: `Welcome back, ${admin.name}` })).toBeVisible();
  await expect(page.getByText('No customers yet').first()).toBeVisible();
  await expectNoHorizontalScroll(page);
});

test('sign out, a wrong password is refused, the right one signs in', async ({ page }) => {
  await signIn(page);
  await page.getByRole('link', { name: 'Settings' }).click();
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/login/);

  await page.getByLabel('E-mail').fill(admin.email);
  await page.getByLabel('Password').fill('wrong password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByText('E-mail or password is wrong.')).toBeVisible();

  await page.getByLabel('Password').fill(admin.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { name: /Welcome back/ })).toBeVisible();
});

test('create a customer, with inline validation', async ({ page }) => {
  await signIn(page);
  await open(page, '/customers/new');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByText('Required.')).toBeVisible();

  await page.getByLabel('Name').fill('Jade Dragon Tea');
  await page.getByLabel('Phones').fill('+86 21 5555 0101');
  await page.getByLabel('E-mails').fill('orders@jade');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByText('Not a valid e-mail address.')).toBeVisible();
  // What was typed is still there.
  await expect(page.getByLabel('Name')).toHaveValue('Jade Dragon Tea');

  await page.getByLabel('E-mails').fill('orders@jade.example');
  await page.getByLabel('Tags').fill('vip, tea');
  await page.getByRole('button', { name: 'Save' }).click();

  await expect(page.getByRole('heading', { name: 'Jade Dragon Tea' })).toBeVisible();
  await expect(page.locator('a[href="tel:+862155550101"]').first()).toBeVisible();
  await expect(page.locator('a[href="mailto:orders@jade.example"]')).toBeVisible();
  await expectNoHorizontalScroll(page);
});

test('find the customer by search', async ({ page }) => {
  await signIn(page);
  await open(page, '/customers');
  const search = page.getByRole('searchbox', { name: 'Search' });
  await search.fill('dragon');
  await expect(page.getByRole('link', { name: /Jade Dragon Tea/ })).toBeVisible();
  await expect(page).toHaveURL(/q=dragon/);

  await search.fill('2155550101');
  await expect(page.getByRole('link', { name: /Jade Dragon Tea/ })).toBeVisible();

  await search.fill('no such customer');
  await expect(page.getByText('No customers match')).toBeVisible();
  await page.getByRole('button', { name: 'Clear filters' }).click();
  await expect(page.getByRole('link', { name: /Jade Dragon Tea/ })).toBeVisible();

  // Just created, so not among those waiting a month for contact.
  await page.getByRole('button', { name: 'No contact for 30+ days' }).click();
  await expect(page.getByText('No customers match')).toBeVisible();
  await expect(page).toHaveURL(/untouched_days=30/);
  await page.getByRole('button', { name: 'No contact for 30+ days' }).click();
  await expect(page.getByRole('link', { name: /Jade Dragon Tea/ })).toBeVisible();
  await expectNoHorizontalScroll(page);
});

test('edit the customer', async ({ page }) => {
  await signIn(page);
  await open(page, '/customers?q=jade');
  await page.getByRole('link', { name: /Jade Dragon Tea/ }).click();
  await page.getByRole('link', { name: 'Edit' }).click();
  await expect(page.getByLabel('Name')).toHaveValue('Jade Dragon Tea');

  await page.getByLabel('Status').selectOption('customer');
  await page.getByLabel('Region').fill('East');
  await page.getByRole('button', { name: 'Save' }).click();

  await expect(page.getByRole('heading', { name: 'Jade Dragon Tea' })).toBeVisible();
  await expect(page.locator('.badge.status-customer')).toBeVisible();
  await expect(page.locator('.kv', { hasText: 'Region' }).getByText('East')).toBeVisible();
  // The change is on the timeline, before → after.
  const change = page.locator('.event.kind-customer_updated').first();
  await expect(change.getByText('lead')).toBeVisible();
  await expect(change.getByText('customer', { exact: true })).toBeVisible();

  // The list reflects it: filter by the new status.
  await open(page, '/customers?status=customer');
  await expect(page.getByRole('link', { name: /Jade Dragon Tea/ })).toBeVisible();
});

test('add a contact to the customer', async ({ page }) => {
  await signIn(page);
  await open(page, '/customers?q=jade');
  await page.getByRole('link', { name: /Jade Dragon Tea/ }).click();
  await page.getByRole('button', { name: 'Add contact' }).click();
  await page.locator('#f-contact_name').fill('Wang Fang');
  await page.locator('#f-contact_phone').fill('138 0013 8000');
  await page.locator('.contact-form').getByRole('button', { name: 'Save' }).click();
  await expect(page.getByText('Wang Fang')).toBeVisible();
  await expect(page.locator('a[href="tel:13800138000"]')).toBeVisible();
});

test('a person is listed with a round avatar, its initial in the middle', async ({ page }) => {
  await signIn(page);
  await open(page, '/customers/new');
  await page.getByLabel('Person').check();
  await page.getByLabel('Name').fill('Olivia Rossi');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('heading', { name: 'Olivia Rossi' })).toBeVisible();

  await open(page, '/customers?q=olivia');
  const avatar = page.getByRole('link', { name: /Olivia Rossi/ }).locator('.avatar');
  await expect(avatar).toHaveText('O');
  // A class shared with another rule once pushed the letter out of its circle.
  const shape = await avatar.evaluate((el) => {
    const box = el.getBoundingClientRect();
    const range = document.createRange();
    range.selectNodeContents(el);
    const letter = range.getBoundingClientRect();
    return {
      dx: Math.abs(letter.left + letter.width / 2 - (box.left + box.width / 2)),
      dy: Math.abs(letter.top + letter.height / 2 - (box.top + box.height / 2)),
      radius: getComputedStyle(el).borderRadius,
    };
  });
  expect(shape.dx).toBeLessThan(3);
  expect(shape.dy).toBeLessThan(3);
  expect(shape.radius).toBe('50%');
});

test('a long name and its owner and last touch are shown whole in the list, on two lines on a phone', async ({ page }) => {
  await signIn(page);
  const name = 'Northern Lights Ceramics and Glass';
  await api(page, 'POST', '/api/v1/customers', { kind: 'company', name });
  await open(page, '/customers?q=northern');
  const shown = page.getByRole('link', { name: new RegExp(name) }).locator('.customer-name');
  await expect(shown).toHaveText(name);
  // One line with an ellipsis cut names that differ only at the end.
  const fit = await shown.evaluate((el) => ({
    whole: el.scrollWidth <= el.clientWidth + 1 && el.scrollHeight <= el.clientHeight + 1,
    lines: Math.round(el.clientHeight / parseFloat(getComputedStyle(el).lineHeight)),
  }));
  expect(fit.whole).toBe(true);
  expect(fit.lines).toBe(page.viewportSize()!.width < 600 ? 2 : 1);
  // The line under it too, even on the narrowest phone (320 px), where the
  // status, owner and last touch take two lines.
  if (page.viewportSize()!.width < 600) await page.setViewportSize({ width: 320, height: 568 });
  const meta = page.getByRole('link', { name: new RegExp(name) }).locator('.customer-meta');
  await expect(meta).toContainText('Ada Admin · now');
  expect(await meta.evaluate((el) => el.scrollWidth <= el.clientWidth + 1 && el.scrollHeight <= el.clientHeight + 1)).toBe(true);
});

test('quick entry logs a call with the next follow-up', async ({ page }) => {
  await signIn(page);
  await quickCall(page, 'jade', 'Jade Dragon Tea', 'Asked for a price list');
  await expectNoHorizontalScroll(page);

  await open(page, '/customers?q=jade');
  await page.getByRole('link', { name: /Jade Dragon Tea/ }).click();
  const entry = page.locator('.event.kind-call', { hasText: 'Asked for a price list' });
  await expect(entry).toBeVisible();
  await expect(entry.getByText('Reached')).toBeVisible();
  await expect(entry.getByText(/Next follow-up/)).toBeVisible();

  // Its author may delete it; the timeline keeps a note of that.
  page.once('dialog', (dialog) => dialog.accept());
  await entry.getByRole('button', { name: 'Delete' }).click();
  await expect(page.locator('.event.kind-activity_deleted')).toBeVisible();
  await expect(page.locator('.event.kind-call', { hasText: 'Asked for a price list' }).getByRole('button', { name: 'Delete' })).toHaveCount(0);
});

test('times are entered and shown in the profile\'s time zone, whatever the device\'s', async ({ browser }) => {
  // The device says New York; the profile says Shanghai (UTC+8, no summer time).
  const context = await browser.newContext({
    baseURL: test.info().project.use.baseURL,
    viewport: test.info().project.use.viewport,
    timezoneId: 'America/New_York',
  });
  const page = await context.newPage();
  await signIn(page);
  await api(page, 'PATCH', '/api/v1/me', { time_zone: 'Asia/Shanghai' });
  try {
    const name = `Zone Tea House ${test.info().project.name}`;
    const customer = await api(page, 'POST', '/api/v1/customers', { kind: 'company', name });
    await quickCall(page, name, name, 'Agreed to call back in the morning');

    // 9:00 in Shanghai is 01:00 UTC (9:00 in New York would be 14:00).
    const open_ = await api(page, 'GET', `/api/v1/reminders?customer=${customer.id}&status=open`);
    expect(open_.items).toHaveLength(1);
    const due = new Date(open_.items[0].due_at);
    expect(due.getUTCHours()).toBe(1);
    const shanghaiDay = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(due);

    // Shown at 9:00, on its Shanghai day, on the timeline and in the week.
    await open(page, `/customers/${customer.id}`);
    await expect(page.locator('.event.kind-call').getByText(/Next follow-up: .*9:00\sAM/)).toBeVisible();
    await open(page, '/agenda');
    await page.getByRole('button', { name: 'Week' }).click();
    const task = page.locator(`.day[data-day="${shanghaiDay}"]`).locator('.task', { hasText: name });
    await expect(task.locator('time')).toHaveText(/^9:00\sAM$/);
    await api(page, 'PATCH', `/api/v1/reminders/${open_.items[0].id}`, { status: 'done' });

    // The settings offer the browser's own zones while typing.
    await open(page, '/settings');
    await expect(page.getByLabel('Time zone')).toHaveValue('Asia/Shanghai');
    await expect(page.locator('#time-zones option[value="Asia/Shanghai"]')).toHaveCount(1);
    await expect(page.getByLabel('Time zone')).toHaveAttribute('list', 'time-zones');
  } finally {
    await api(page, 'PATCH', '/api/v1/me', { time_zone: 'UTC' });
    await context.close();
  }
});

test('an entry made offline waits, then reaches the timeline exactly once', async ({ page, context }) => {
  await signIn(page);
  await open(page, '/quick');
  await page.getByRole('searchbox', { name: 'Search' }).fill('jade');
  await page.getByRole('button', { name: 'Jade Dragon Tea' }).click();

  await context.setOffline(true);
  await page.getByRole('radio', { name: 'Visit' }).click();
  await page.getByLabel('What happened?').fill('Dropped off samples (offline)');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByText('Saved on this device; it is sent when the connection returns.')).toBeVisible();
  await expect(page.getByText(/1 · Waiting to send/)).toBeVisible();

  await context.setOffline(false);
  await expect(page.getByText(/Waiting to send/)).toHaveCount(0, { timeout: 30_000 });

  await open(page, '/customers?q=jade');
  await page.getByRole('link', { name: /Jade Dragon Tea/ }).click();
  await expect(page.locator('.event.kind-visit', { hasText: 'Dropped off samples (offline)' })).toHaveCount(1);
});

test('drag a deal to the next stage on the pipeline board', async ({ page }) => {
  await signIn(page);
  const customers = await api(page, 'GET', '/api/v1/customers?q=jade');
  await api(page, 'POST', '/api/v1/deals', { customer_id: customers.items[0].id, title: 'Tea order', amount_minor: 500000 });
  await open(page, '/pipeline');
  const card = page.locator('.deal-card', { hasText: 'Tea order' });
  await expect(card).toBeVisible();
  await expectNoHorizontalScroll(page);

  if (test.info().project.name === 'phone') {
    // A finger on the card's grip, dragged onto the next stage's tab.
    const grip = await card.locator('.grip').boundingBox();
    const tab = await page.getByRole('tab', { name: /Contacted/ }).boundingBox();
    if (!grip || !tab) throw new Error('grip or tab not laid out');
    const cdp = await page.context().newCDPSession(page);
    const from = { x: grip.x + grip.width / 2, y: grip.y + grip.height / 2 };
    const to = { x: tab.x + tab.width / 2, y: tab.y + tab.height / 2 };
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [from] });
    for (let i = 1; i <= 10; i++) {
      const p = { x: from.x + ((to.x - from.x) * i) / 10, y: from.y + ((to.y - from.y) * i) / 10 };
      await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: [p] });
    }
    const saved = page.waitForResponse((r) => r.url().includes('/move') && r.ok());
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
    await saved;
    await expect(page.getByRole('tab', { name: /Contacted\s*1/ })).toBeVisible();
    await page.getByRole('tab', { name: /Contacted/ }).click();
  } else {
    const box = await card.boundingBox();
    const column = await page.locator('section.column[aria-label="Contacted"]').boundingBox();
    if (!box || !column) throw new Error('card or column not laid out');
    await page.mouse.move(box.x + box.width / 2, box.y + 12);
    await page.mouse.down();
    await page.mouse.move(column.x + column.width / 2, column.y + 80, { steps: 12 });
    const saved = page.waitForResponse((r) => r.url().includes('/move') && r.ok());
    await page.mouse.up();
    await saved;
  }
  const contacted = page.locator('section.column[aria-label="Contacted"]');
  await expect(contacted.locator('.deal-card', { hasText: 'Tea order' })).toBeVisible();

  // The server has it: still there after a reload.
  await open(page, '/pipeline');
  if (test.info().project.name === 'phone') await page.getByRole('tab', { name: /Contacted/ }).click();
  await expect(contacted.locator('.deal-card', { hasText: 'Tea order' })).toBeVisible();
});

test('win the deal and see it on the customer timeline', async ({ page }) => {
  await signIn(page);
  await open(page, '/pipeline');
  // A phone shows one stage at a time: the first with deals, not the empty "Lead".
  if (test.info().project.name === 'phone') {
    await expect(page.getByRole('tab', { name: /Contacted/ })).toHaveAttribute('aria-selected', 'true');
  }
  const card = page.locator('.deal-card', { hasText: 'Tea order' });
  // The card moves at once; the server's answer comes after.
  const saved = page.waitForResponse((r) => r.url().includes('/move') && r.ok());
  await card.getByRole('combobox', { name: 'Move to…' }).selectOption({ label: 'Won' });
  await saved;
  if (test.info().project.name === 'phone') {
    await expect(page.getByRole('tab', { name: /Won\s*1/ })).toBeVisible();
  } else {
    await expect(page.locator('section.column[aria-label="Won"] .deal-card', { hasText: 'Tea order' })).toBeVisible();
  }

  await open(page, '/customers?q=jade');
  await page.getByRole('link', { name: /Jade Dragon Tea/ }).click();
  await expect(page.locator('.event.kind-deal_won', { hasText: 'Tea order' })).toBeVisible();
  await expect(page.locator('.event.kind-stage_changed').first()).toBeVisible();
});

test('a card sent to Lost asks for the reason in a dialog; long columns load more', async ({ page }) => {
  await signIn(page);
  const customers = await api(page, 'GET', '/api/v1/customers?q=jade');
  const customer_id = customers.items[0].id;
  await api(page, 'POST', '/api/v1/deals', { customer_id, title: 'Doubtful order', expected_close: '2030-05-20', amount_minor: 120000 });
  await open(page, '/pipeline');
  await expect(page.locator('.forecast')).toContainText('2030');
  const card = page.locator('.deal-card', { hasText: 'Doubtful order' });
  await card.getByRole('combobox', { name: 'Move to…' }).selectOption({ label: 'Lost' });
  const dialog = page.getByRole('dialog');
  await expect(dialog).toBeVisible();
  await expect(dialog.getByLabel('Reason')).toBeFocused();
  await dialog.getByLabel('Reason').selectOption('Price');
  const saved = page.waitForResponse((r) => r.url().includes('/move') && r.ok());
  await dialog.getByRole('button', { name: 'Save' }).click();
  await saved;
  await expect(dialog).toBeHidden();
  if (test.info().project.name === 'phone') await page.getByRole('tab', { name: /Lost/ }).click();
  await expect(page.locator('section.column[aria-label="Lost"] .deal-card', { hasText: 'Doubtful order' })).toBeVisible();

  // The month filter narrows the board; 55 deals in one month page in by 50.
  for (let i = 0; i < 55; i++) {
    await api(page, 'POST', '/api/v1/deals', { customer_id, title: `Bulk ${i}`, expected_close: '2031-03-10' });
  }
  await open(page, '/pipeline');
  const month = page.getByRole('textbox', { name: 'Expected close', exact: true });
  await month.fill('2031-03');
  await month.dispatchEvent('change');
  const lead = page.locator('section.column[aria-label="Lead"]');
  await expect(lead.locator('.deal-card')).toHaveCount(50);
  await expect(page.locator('.deal-card', { hasText: 'Tea order' })).toHaveCount(0);
  await lead.getByRole('button', { name: 'Load more' }).click();
  await expect(lead.locator('.deal-card')).toHaveCount(55);
  await expect(lead.getByRole('button', { name: 'Load more' })).toHaveCount(0);
  await expectNoHorizontalScroll(page);
});

test('lose a deal from its page, with a reason, and see its stage history', async ({ page }) => {
  await signIn(page);
  const customers = await api(page, 'GET', '/api/v1/customers?q=jade');
  const created = await api(page, 'POST', '/api/v1/deals', { customer_id: customers.items[0].id, title: 'Spare order', expected_close: '2031-06-15' });
  // The customer's page lists the deal; its title opens the deal's page.
  await open(page, `/customers/${customers.items[0].id}`);
  await page.getByRole('link', { name: 'Spare order' }).click();
  await expect(page).toHaveURL(new RegExp(`/deals/${created.deal.id}$`));
  await expect(page.getByRole('heading', { name: 'Spare order' })).toBeVisible();
  await expect(page.locator('.stage-progress li.current')).toHaveText('Lead');
  // The stages are readable, not squeezed into a thin bar (as once, by the playbook's progress style).
  expect((await page.locator('.stage-progress').boundingBox())!.height).toBeGreaterThan(24);
  await expect(page.getByRole('button', { name: 'Mark lost' })).toBeVisible();
  await expect(page.locator('.badge.deal-open')).toHaveText('Open');
  await expect(page.locator('.kv', { hasText: 'Expected close' }).locator('dd')).toHaveText('Jun 15, 2031');
  // An open deal has no reason to show.
  await expect(page.locator('.kv', { hasText: 'Reason' })).toHaveCount(0);
  await page.getByRole('button', { name: 'Mark lost' }).click();
  await page.getByLabel('Reason').selectOption('Competitor');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.locator('.stage-progress li.current')).toHaveText('Lost');
  // It went from Lead to Lost: only Lead is passed, not the stages it skipped nor Won.
  await expect(page.locator('.stage-progress li.done')).toHaveText(['Lead']);
  // A lost deal is not lost again; it can still be won.
  await expect(page.getByRole('button', { name: 'Mark lost' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Mark won' })).toBeVisible();
  await expect(page.locator('.kv', { hasText: 'Reason' }).getByText('Competitor')).toBeVisible();
  await expect(page.locator('.badge.deal-lost')).toHaveText('Lost');
  await expect(page.locator('.contact', { hasText: 'Lead' })).toBeVisible();
  await expect(page.locator('.event.kind-deal_lost', { hasText: 'Spare order' })).toBeVisible();
  await expectNoHorizontalScroll(page);
});

test('an admin adds, reorders and removes a stage; a stage with deals stays', async ({ page }) => {
  await signIn(page);
  await open(page, '/settings');
  const stages = page.locator('.stage-list li');
  await expect(stages.first().getByRole('textbox', { name: 'Stage name' })).toHaveValue('Lead');
  await page.locator('.stage-add').getByRole('textbox', { name: 'Stage name' }).fill('Trial');
  await page.locator('.stage-add').getByRole('button', { name: 'Add stage' }).click();
  const names = () => stages.locator('input[aria-label="Stage name"]').evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value));
  await expect.poll(names).toContain('Trial');
  const before = await names();
  const at = before.indexOf('Trial');
  await stages.nth(at).getByRole('button', { name: 'Move up' }).click();
  await expect.poll(async () => (await names()).indexOf('Trial')).toBe(at - 1);

  page.once('dialog', (dialog) => dialog.accept());
  await stages.first().getByRole('button', { name: 'Remove' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'still holds deals' })).toBeVisible();
  await expect.poll(names).toContain('Lead');

  page.once('dialog', (dialog) => dialog.accept());
  await stages.nth(at - 1).getByRole('button', { name: 'Remove' }).click();
  await expect.poll(names).not.toContain('Trial');
  await expectNoHorizontalScroll(page);
});

test('a reminder due in a few seconds arrives live, then is completed from the agenda', async ({ page }) => {
  await signIn(page);
  await open(page, '/agenda');
  await expect(page.getByRole('heading', { name: 'Agenda' })).toBeVisible();
  const title = `Call the tea buyer ${test.info().project.name}`;
  const due = new Date(Date.now() + 3000).toISOString();
  await api(page, 'POST', '/api/v1/reminders', { title, due });
  // Pushed over server-sent events: a toast and the unread badge, no reload.
  await expect(page.getByRole('status').filter({ hasText: title })).toBeVisible({ timeout: 15000 });
  await expect(page.getByTestId('unread')).toBeVisible();
  // The bell's list has it; Escape closes the list, and so does a tap beside it.
  const bell = page.getByRole('button', { name: 'Notifications' });
  const panel = page.getByRole('dialog', { name: 'Notifications' });
  await bell.click();
  await expect(panel.getByRole('link', { name: title })).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(panel).toHaveCount(0);
  await expect(bell).toBeFocused();
  await bell.click();
  await expect(panel).toBeVisible();
  // Beside the list: the page's edge on a phone, the middle of the page on a desktop.
  const width = page.viewportSize()?.width ?? 0;
  await page.mouse.click(width < 600 ? 4 : width / 2, 400);
  await expect(panel).toHaveCount(0);
  const row = page.locator('.reminder', { hasText: title });
  await expect(row).toBeVisible();
  await expect(row.locator('.badge.overdue')).toBeVisible();
  // Today's time alone, as on the dashboard (the full date is its tooltip).
  await expect(row.locator('time')).not.toHaveText(/\d{4}/);
  const saved = page.waitForResponse((r) => r.url().includes('/api/v1/reminders/') && r.request().method() === 'PATCH' && r.ok());
  await row.getByRole('button', { name: 'Done' }).click();
  await saved;
  await expect(row).toHaveCount(0);
  await expectNoHorizontalScroll(page);
});

test('an admin writes a playbook, a rep-facing run shows its progress on the customer page and stops', async ({ page }) => {
  await signIn(page);
  const name = `Tea welcome ${test.info().project.name}`;
  await open(page, '/settings');
  const editor = page.locator('.playbook-settings');
  await editor.getByRole('button', { name: 'New playbook' }).click();
  // Nothing is sent while a step has no title.
  await editor.locator('input[name="playbook_name"]').fill(name);
  await editor.getByRole('button', { name: 'Save' }).click();
  await expect(editor.locator('.field-error', { hasText: 'required' }).first()).toBeVisible();
  await editor.getByRole('textbox', { name: 'What to do' }).first().fill('Welcome call');
  await editor.getByRole('button', { name: 'Add step' }).click();
  const second = editor.locator('.step-row').nth(1);
  await second.getByRole('spinbutton', { name: 'Day' }).fill('3');
  await second.getByRole('combobox', { name: 'Channel' }).selectOption('visit');
  await second.getByRole('textbox', { name: 'What to do' }).fill('Bring samples');
  await editor.getByRole('button', { name: 'Save' }).click();
  await expect(editor.locator('.contact', { hasText: name })).toBeVisible();
  await expectNoHorizontalScroll(page);

  const customers = await api(page, 'GET', '/api/v1/customers?q=jade');
  await open(page, `/customers/${customers.items[0].id}`);
  const card = page.locator('.playbooks');
  await card.getByRole('combobox', { name: 'Choose a playbook' }).selectOption({ label: `${name} (2)` });
  await card.getByRole('button', { name: 'Apply' }).click();
  const run = card.locator('.run', { hasText: name });
  await expect(run.locator('.badge', { hasText: 'Running' })).toBeVisible();
  await expect(run.locator('.run-step')).toHaveCount(2);
  await expect(run).toContainText('0 / 2 steps done');
  // Its steps are reminders on the timeline.
  await expect(page.locator('.event', { hasText: 'Playbook started' }).first()).toBeVisible();
  await expectNoHorizontalScroll(page);

  page.once('dialog', (dialog) => dialog.accept());
  await run.getByRole('button', { name: 'Stop' }).click();
  await expect(run.locator('.badge', { hasText: 'Stopped' })).toBeVisible();
  await expect(run.locator('.run-step.cancelled')).toHaveCount(2);
});

test('the week view moves a reminder to another day by drag or menu; the month view and my day show it', async ({ page }) => {
  await signIn(page);
  await expect(page.getByRole('heading', { name: 'My day' })).toBeVisible();
  const title = `Send the price list ${test.info().project.name}`;
  const tomorrow = new Date();
  tomorrow.setDate(tomorrow.getDate() + 1);
  tomorrow.setHours(10, 30, 0, 0);
  const reminder = await api(page, 'POST', '/api/v1/reminders', { title, due: tomorrow.toISOString() });
  const later = new Date(tomorrow);
  later.setDate(later.getDate() + 2);
  const day = (d: Date) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;

  await open(page, '/agenda');
  await page.getByRole('button', { name: 'Week' }).click();
  const task = page.locator('.task', { hasText: title });
  await expect(page.locator(`.day[data-day="${day(tomorrow)}"]`).locator('.task', { hasText: title })).toBeVisible();
  await expectNoHorizontalScroll(page);
  const saved = page.waitForResponse((r) => r.url().includes(`/api/v1/reminders/${reminder.id}`) && r.request().method() === 'PATCH' && r.ok());
  if (test.info().project.name === 'phone') {
    // The keyboard and screen-reader way: the task's day menu.
    await task.getByRole('combobox', { name: 'Move to day' }).selectOption(day(later));
  } else {
    const box = await task.boundingBox();
    const target = await page.locator(`.day[data-day="${day(later)}"]`).boundingBox();
    if (!box || !target) throw new Error('task or day not laid out');
    await page.mouse.move(box.x + 12, box.y + 12);
    await page.mouse.down();
    await page.mouse.move(target.x + target.width / 2, target.y + 60, { steps: 12 });
    await page.mouse.up();
  }
  await saved;
  await expect(page.locator(`.day[data-day="${day(later)}"]`).locator('.task', { hasText: title })).toBeVisible();
  // The view is in the address: a reload stays on the week.
  await expect(page).toHaveURL(/\/agenda\?view=week$/);
  await page.reload();
  await expect(page.getByRole('button', { name: 'Week' })).toHaveAttribute('aria-pressed', 'true');
  await expect(page.locator(`.day[data-day="${day(later)}"]`).locator('.task', { hasText: title })).toBeVisible();
  // Same time of day, two days later — and the server has it.
  const moved = await api(page, 'GET', `/api/v1/reminders/${reminder.id}`);
  expect(new Date(moved.due_at).getTime()).toBe(later.getTime());

  await page.getByRole('button', { name: 'Month' }).click();
  if (later.getMonth() !== new Date().getMonth()) await page.getByRole('button', { name: 'Next month' }).click();
  const cell = page.locator(`.month-day[data-day="${day(later)}"]`);
  // The title where there is room for it, the count on a phone.
  if (test.info().project.name === 'phone') await expect(cell.locator('.month-count')).toBeVisible();
  else await expect(cell.locator('.month-item', { hasText: title })).toBeVisible();
  await cell.click();
  await expect(page.locator('.reminder', { hasText: title })).toBeVisible();
  await expectNoHorizontalScroll(page);
  await api(page, 'PATCH', `/api/v1/reminders/${reminder.id}`, { status: 'done' });
});

test('a manager deactivates a rep with handover: the receiver finds the customers, the rep is sent to sign-in', async ({ page, browser }) => {
  await signIn(page);
  const suffix = test.info().project.name;
  const team = await api(page, 'POST', '/api/v1/teams', { name: `East ${suffix}` });
  const person = (who: string, role: string) => teamMember(page, browser, team.id, who, role);
  const manager = await person('Mona', 'manager');
  const leaving = await person('Rick', 'rep');
  const receiver = await person('Rosa', 'rep');
  const customer = `Handover Tea House ${suffix}`;
  await api(leaving, 'POST', '/api/v1/customers', { kind: 'company', name: customer });
  await open(leaving, '/customers');
  await expect(leaving.getByText(customer)).toBeVisible();

  await open(manager, '/settings');
  await expect(manager.getByText(/Role: Manager/)).toBeVisible();
  const row = manager.locator('.person', { hasText: `Rick ${suffix}` });
  await row.getByRole('button', { name: 'Deactivate', exact: true }).click();
  await row.getByRole('combobox', { name: 'Hand over to' }).selectOption({ label: `Rosa ${suffix}` });
  manager.once('dialog', (dialog) => dialog.accept());
  await row.getByRole('button', { name: 'Deactivate and hand over' }).click();
  await expect(manager.getByRole('status').filter({ hasText: 'Handed over: 1' })).toBeVisible();
  await expectNoHorizontalScroll(manager);

  // The receiver finds the customer, with the owner change on its timeline.
  await open(receiver, '/customers');
  await receiver.getByText(customer).click();
  await expect(receiver.locator('.event', { hasText: 'Handed over' })).toBeVisible();
  // The team dashboard is the manager's: a rep who types its address is told why, with nothing to retry.
  await open(receiver, '/team');
  await expect(receiver.getByRole('alert')).toHaveText(/Your role cannot open this/);
  await expect(receiver.getByRole('button', { name: 'Try again' })).toHaveCount(0);

  // The rep's open page goes to sign-in with the next thing they do.
  await leaving.getByRole('link', { name: 'Dashboard' }).first().click();
  await expect(leaving).toHaveURL(/\/login/);
  for (const p of [manager, leaving, receiver]) await p.context().close();
});

test('a manager opens a rep\'s customers and deals from the team dashboard', async ({ page, browser }) => {
  await signIn(page);
  const suffix = test.info().project.name;
  const team = await api(page, 'POST', '/api/v1/teams', { name: `West ${suffix}` });
  const person = (who: string, role: string) => teamMember(page, browser, team.id, who, role);
  const manager = await person('Mila', 'manager');
  // Two reps of the team, each with a customer and a deal of their own.
  for (const who of ['Theo', 'Vera']) {
    const rep = await person(who, 'rep');
    const customer = await api(rep, 'POST', '/api/v1/customers', { kind: 'company', name: `${who} Tea ${suffix}` });
    await api(rep, 'POST', '/api/v1/deals', { customer_id: customer.id, title: `${who} deal ${suffix}`, amount_minor: 250000 });
    await rep.context().close();
  }

  // The open deals figure opens the board with that rep's deals only.
  await open(manager, '/team');
  const row = manager.locator('tr', { hasText: `Theo ${suffix}` });
  await row.getByRole('link', { name: /^1 · / }).click();
  await expect(manager).toHaveURL(/\/pipeline\?owner=/);
  await expect(manager.locator('.deal-card', { hasText: `Theo deal ${suffix}` })).toBeVisible();
  await expect(manager.locator('.deal-card', { hasText: `Vera deal ${suffix}` })).toHaveCount(0);
  // The board says whose deals these are.
  await expect(manager.getByRole('button', { name: `Owner: Theo ${suffix} ✕` })).toBeVisible();
  await expectNoHorizontalScroll(manager);
  // Clearing the filter shows the team's deals again, and a reload keeps them.
  await manager.getByRole('button', { name: 'Clear filters' }).click();
  await expect(manager.locator('.deal-card', { hasText: `Vera deal ${suffix}` })).toBeVisible();
  await expect(manager.locator('.deal-card', { hasText: `Theo deal ${suffix}` })).toBeVisible();
  await expect(manager).toHaveURL(/\/pipeline$/);
  await manager.reload();
  await expect(manager.locator('.deal-card', { hasText: `Vera deal ${suffix}` })).toBeVisible();

  // The customers figure opens that rep's customers.
  await open(manager, '/team');
  await row.getByRole('link', { name: '1', exact: true }).click();
  await expect(manager.getByText(`Theo Tea ${suffix}`)).toBeVisible();
  await expect(manager.getByText(`Vera Tea ${suffix}`)).toHaveCount(0);
  // Its chip names the rep, in sight on a phone too; a tap on it shows the whole team's customers.
  const chip = manager.getByRole('button', { name: `Owner: Theo ${suffix} ✕` });
  await expect(chip).toBeInViewport({ ratio: 1 });
  await chip.click();
  await expect(manager.getByText(`Vera Tea ${suffix}`)).toBeVisible();
  await expect(manager).not.toHaveURL(/owner=/);
  await manager.context().close();
});

test('an expired access token is refreshed once, however many requests notice it together', async ({ page }) => {
  await signIn(page);
  // As after 15 idle minutes: the access cookie is gone, the refresh cookie remains.
  const drop = async () => {
    const cookies = await page.context().cookies();
    await page.context().clearCookies();
    await page.context().addCookies(cookies.filter((c) => c.name !== 'rapport_access'));
  };
  await open(page, '/customers');
  await expect(page.getByRole('heading', { name: 'Customers' })).toBeVisible();
  await drop();
  const refreshes: number[] = [];
  page.on('response', (r) => { if (r.url().endsWith('/api/v1/auth/refresh')) refreshes.push(r.status()); });
  // Moving to the dashboard inside the app asks for several things at once;
  // all of them find the token gone.
  await page.getByRole('link', { name: 'Dashboard' }).first().click();
  await expect(page.getByRole('heading', { name: 'My day' })).toBeVisible();
  await expect(page.locator('.my-day .day-counts')).toBeVisible();
  expect(refreshes.filter((s) => s === 200).length).toBeGreaterThanOrEqual(1);
  expect(refreshes.filter((s) => s !== 200)).toEqual([]);
  // Still signed in afterwards: no refresh was taken for a stolen one.
  await drop();
  await open(page, '/customers');
  await expect(page).not.toHaveURL(/\/login/);
  await expect(page.getByRole('heading', { name: 'Customers' })).toBeVisible();
});

test('an invited person sets a password and starts in their browser\'s time zone, or in UTC where the server does not know it', async ({ page, browser }) => {
  await signIn(page);
  const suffix = test.info().project.name;
  const invite = async (who: string, timezoneId: string) => {
    const created = await api(page, 'POST', '/api/v1/users', { email: `${who}-${suffix}@example.com`, name: `${who} ${suffix}`, role: 'rep' });
    const context = await browser.newContext({ baseURL: test.info().project.use.baseURL, viewport: page.viewportSize(), timezoneId });
    const invited = await context.newPage();
    await open(invited, created.invite_path);
    return { invited, path: created.invite_path as string };
  };
  const accept = async (invited: Page, password: string) => {
    await invited.getByLabel('Password').fill(password);
    await invited.getByRole('button', { name: 'Set password and sign in' }).click();
  };

  const { invited: berlin } = await invite('Ines', 'Europe/Berlin');
  await expect(berlin.getByText('Choose a password to finish setting up your account.')).toBeVisible();
  await accept(berlin, 'short');
  await expect(berlin.getByRole('alert')).toHaveText('Too short (at least 8 characters).');
  await expectNoHorizontalScroll(berlin);
  await accept(berlin, 'ines password 1');
  await expect(berlin.getByRole('heading', { name: /Welcome back/ })).toBeVisible();
  expect((await api(berlin, 'GET', '/api/v1/me')).time_zone).toBe('Europe/Berlin');

  // A zone the browser names but the server does not know (a newer one, say):
  // the server refuses it, and the page accepts the invitation in UTC instead.
  const { invited: elsewhere, path } = await invite('Oren', 'Asia/Tokyo');
  const sent: string[] = [];
  await elsewhere.route('**/api/v1/auth/accept-invite', async (route) => {
    const body = route.request().postDataJSON();
    if (body.time_zone) body.time_zone = 'Mars/Olympus_Mons';
    sent.push(String(body.time_zone ?? 'none'));
    await route.continue({ postData: JSON.stringify(body) });
  });
  await accept(elsewhere, 'oren password 1');
  await expect(elsewhere.getByRole('heading', { name: /Welcome back/ })).toBeVisible();
  expect(sent).toEqual(['Mars/Olympus_Mons', 'none']);
  expect((await api(elsewhere, 'GET', '/api/v1/me')).time_zone).toBe('UTC');

  // The link works once.
  await elsewhere.context().clearCookies();
  await open(elsewhere, path);
  await accept(elsewhere, 'oren password 2');
  await expect(elsewhere.getByRole('alert')).toHaveText(/This invitation link is not valid any more/);
  for (const p of [berlin, elsewhere]) await p.context().close();
});

test('a calendar address is shown once, the settings say while one is in use, and stopping it ends it', async ({ page }) => {
  await signIn(page);
  await open(page, '/settings');
  const card = page.locator('section', { has: page.getByRole('heading', { name: 'Calendar subscription' }) });
  await expect(card.getByText('No address yet.')).toBeVisible();
  await expect(card.getByRole('button', { name: 'Stop the address' })).toHaveCount(0);

  await card.getByRole('button', { name: 'Create a new address' }).click();
  const address = card.getByRole('textbox', { name: 'Calendar subscription' });
  await expect(address).toHaveValue(/\/api\/v1\/calendar\/\S+$/);
  const url = await address.inputValue();
  const feed = await page.request.get(url);
  expect(feed.status()).toBe(200);
  expect(await feed.text()).toContain('BEGIN:VCALENDAR');
  await expect(card.getByText(/^An address is in use, made /)).toBeVisible();
  await expectNoHorizontalScroll(page);

  // Later the address is not shown again (it is not kept), but that one is in use is.
  await open(page, '/settings');
  await expect(card.getByText(/^An address is in use, made /)).toBeVisible();
  await expect(address).toHaveCount(0);
  await card.getByRole('button', { name: 'Stop the address' }).click();
  await expect(card.getByRole('status')).toHaveText('The calendar address no longer works.');
  await expect(card.getByText('No address yet.')).toBeVisible();
  expect((await page.request.get(url)).status()).toBe(404);
});

test('changing the password keeps this device signed in and signs the others out', async ({ page, browser }) => {
  await signIn(page);
  const suffix = test.info().project.name;
  const email = `pat-${suffix}@example.com`;
  const old = 'first password 1';
  await api(page, 'POST', '/api/v1/users', { email, name: `Pat ${suffix}`, role: 'rep', password: old });
  const device = async () => {
    const context = await browser.newContext({ baseURL: test.info().project.use.baseURL, viewport: page.viewportSize() });
    const p = await context.newPage();
    await signIn(p, { email, password: old });
    return p;
  };
  const here = await device();
  const elsewhere = await device();

  await open(here, '/settings');
  const form = here.locator('form', { has: here.getByRole('heading', { name: 'Change password' }) });
  await form.getByLabel('Current password').fill('not my password');
  await form.getByLabel('New password').fill('second password 2');
  await form.getByRole('button', { name: 'Change password' }).click();
  await expect(form.getByText('The current password is wrong.')).toBeVisible();

  await form.getByLabel('Current password').fill(old);
  await form.getByLabel('New password').fill('short');
  await form.getByRole('button', { name: 'Change password' }).click();
  await expect(form.getByText('Too short (at least 8 characters).')).toBeVisible();

  await form.getByLabel('New password').fill('second password 2');
  await form.getByRole('button', { name: 'Change password' }).click();
  await expect(form.getByRole('status')).toHaveText(/Password changed/);
  await expectNoHorizontalScroll(here);

  // This device goes on; the other one is sent to sign in with its next step.
  await here.getByRole('link', { name: 'Customers' }).first().click();
  await expect(here.getByRole('heading', { name: 'Customers' })).toBeVisible();
  await expect(here).not.toHaveURL(/\/login/);
  await elsewhere.getByRole('link', { name: 'Customers' }).first().click();
  await expect(elsewhere).toHaveURL(/\/login/);
  await signIn(elsewhere, { email, password: 'second password 2' });
  for (const p of [here, elsewhere]) await p.context().close();
});

// Last: it turns the shared pool on, which would take the lost customers of the journeys before.
test('an admin turns the shared pool on; a lost customer returns to it and a rep claims it', async ({ page, browser }) => {
  await signIn(page);
  const suffix = test.info().project.name;
  await open(page, '/settings');
  const pool = page.locator('section', { has: page.getByRole('heading', { name: 'Shared pool' }) });
  await pool.getByLabel('Returns to the pool after (days)').fill('30');
  await pool.getByRole('button', { name: 'Save' }).click();
  await expect(pool.getByRole('status')).toHaveText('Saved.');
  const name = `Lapsed Tea ${suffix}`;
  await api(page, 'POST', '/api/v1/customers', { kind: 'company', name, status: 'lost' });

  // A rep of no team finds it in the pool (the scheduler moves it there within a pass) and claims it.
  const team = await api(page, 'POST', '/api/v1/teams', { name: `Pool ${suffix}` });
  const rep = await teamMember(page, browser, team.id, 'Rhea', 'rep');
  await open(rep, '/customers');
  await expect(rep.getByText(name)).toHaveCount(0);
  await rep.getByRole('button', { name: 'Shared pool' }).click();
  const card = rep.locator('.customer-card', { hasText: name });
  await expect(card).toContainText('In the shared pool');
  await expectNoHorizontalScroll(rep);
  await card.getByRole('button', { name: 'Claim' }).click();
  await expect(rep.locator('p.form-status[role="status"]')).toHaveText('Claimed: the customer is yours now.');
  await expect(card).toHaveCount(0);
  await rep.getByRole('button', { name: 'Shared pool' }).click();
  await expect(rep.locator('.customer-card', { hasText: name })).toContainText(`Rhea ${suffix}`);
  await rep.context().close();

  await api(page, 'PATCH', '/api/v1/org/settings', { pool_after_days: null });
});
