import { Browser, expect, Page, test } from '@playwright/test';

export const admin = { org: 'Northwind Test', name: 'Ada Admin', email: 'ada@example.com', password: 'correct horse battery' };

/** Opens a path and waits until the app has hydrated (clicks before that do nothing). */
export async function open(page: Page, path: string) {
  await page.goto(path);
  await expect(page.locator('body[data-hydrated="true"]')).toBeAttached();
}

export async function signIn(page: Page, who: { email: string; password: string } = admin) {
  await open(page, '/login');
  await page.getByLabel('E-mail').fill(who.email);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { name: /Welcome back/ })).toBeVisible();
}

/** Nothing sticks out sideways: the page fits the screen it is on. */
export async function expectNoHorizontalScroll(page: Page) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
}

/** Calls the API as the signed-in page (its cookies, and the CSRF token writes need). */
export async function api(page: Page, method: string, path: string, data?: unknown) {
  const cookies = await page.context().cookies();
  const csrf = cookies.find((c) => c.name === 'rapport_csrf')?.value ?? '';
  const res = await page.request.fetch(path, { method, data, headers: { 'X-CSRF-Token': csrf } });
  expect(res.ok(), `${method} ${path}: ${res.status()}`).toBeTruthy();
  return res.json();
}

/**
 * A new member of `teamId`, added by the admin signed in on `page`, signed
 * in on a browser context of their own (named "Who phone" / "Who desktop").
 */
export async function teamMember(page: Page, browser: Browser, teamId: string, who: string, role: string) {
  const suffix = test.info().project.name;
  const email = `${who}-${suffix}@example.com`;
  const password = 'team password 1';
  await api(page, 'POST', '/api/v1/users', { email, name: `${who} ${suffix}`, role, team_id: teamId, password });
  const context = await browser.newContext({ baseURL: test.info().project.use.baseURL, viewport: page.viewportSize() });
  const member = await context.newPage();
  await signIn(member, { email, password });
  return member;
}

/** Quick entry: a reached call with `customer`, found by `query`, and a follow-up tomorrow at 9:00. */
export async function quickCall(page: Page, query: string, customer: string, text: string) {
  await open(page, '/quick');
  await page.getByRole('searchbox', { name: 'Search' }).fill(query);
  await page.getByRole('button', { name: customer }).click();
  await page.getByRole('radio', { name: 'Call' }).click();
  await page.getByRole('button', { name: 'Reached' }).click();
  await page.getByLabel('What happened?').fill(text);
  await page.getByRole('radio', { name: 'Tomorrow 9:00' }).click();
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByText('Saved to the timeline.')).toBeVisible();
}
