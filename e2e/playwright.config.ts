import { defineConfig, devices } from '@playwright/test';
import { execSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import * as path from 'node:path';

// Debian's Chromium: no browser is downloaded at build or test time.
const chromium =
  process.env.CHROMIUM_PATH || execSync('which chromium || which chromium-browser').toString().trim();

const root = path.resolve(__dirname, '..');
const binary = process.env.RAPPORT_BIN || path.join(root, 'target', 'debug', 'rapport');
const siteRoot = process.env.LEPTOS_SITE_ROOT || path.join(root, 'target', 'site');
// The config is loaded by the runner and again by every worker: only the
// runner (which sees no run id yet) clears old databases and picks the run's.
const dataDir = path.join(root, 'target', 'e2e-data');
if (!process.env.RAPPORT_E2E_RUN) {
  process.env.RAPPORT_E2E_RUN = String(Date.now());
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });
}
const run = process.env.RAPPORT_E2E_RUN;

// One server (with its own empty database) per screen size, so each project
// walks the whole journey from first-run setup.
const sizes = [
  { name: 'desktop', port: 3100, device: { ...devices['Desktop Chrome'], viewport: { width: 1280, height: 800 } } },
  // 375×667 with touch: the phone size the product is designed for.
  { name: 'phone', port: 3101, device: { ...devices['iPhone SE'], viewport: { width: 375, height: 667 }, browserName: 'chromium' as const, defaultBrowserType: 'chromium' as const } },
];

export default defineConfig({
  testDir: './tests',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 2,
  // The journeys build on each other against one server per size: a retry
  // would start again from first-run setup on a used database, so none.
  retries: 0,
  reporter: process.env.CI ? [['list']] : [['list'], ['html', { open: 'never' }]],
  outputDir: 'test-results',
  use: {
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: chromium,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync'],
    },
  },
  projects: sizes.map((s) => ({
    name: s.name,
    use: { ...s.device, baseURL: `http://127.0.0.1:${s.port}` },
  })),
  webServer: sizes.map((s) => ({
    command: `${binary} serve`,
    url: `http://127.0.0.1:${s.port}/readyz`,
    timeout: 60_000,
    reuseExistingServer: false,
    stdout: 'pipe',
    env: {
      RAPPORT_ADDR: `127.0.0.1:${s.port}`,
      DATABASE_URL: `sqlite://${dataDir}/${s.name}-${run}.db?mode=rwc`,
      LEPTOS_SITE_ROOT: siteRoot,
      RUST_LOG: 'warn',
    },
  })),
});
