// End-to-end tests against the built dist/, served twice: at the root of one server and
// below a sub-folder of another, as a course site would host it.
import { defineConfig } from '@playwright/test';

const ROOT_PORT = 8181;
const SUB_PORT = 8182;
const SUB_PATH = '/course/kubeplay/';

export default defineConfig({
  testDir: './tests',
  timeout: 30_000,
  retries: 0,
  workers: 1,
  reporter: [['list']],
  outputDir: './test-results',
  use: {
    browserName: 'chromium',
    launchOptions: {
      executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
        '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
    },
    viewport: { width: 1280, height: 800 },
  },
  projects: [
    { name: 'root', use: { baseURL: `http://127.0.0.1:${ROOT_PORT}/` } },
    { name: 'subfolder', use: { baseURL: `http://127.0.0.1:${SUB_PORT}${SUB_PATH}` } },
  ],
  webServer: [
    { command: `node serve.mjs ../dist ${ROOT_PORT}`, port: ROOT_PORT, reuseExistingServer: false },
    { command: `node serve.mjs ../dist ${SUB_PORT} ${SUB_PATH}`, port: SUB_PORT, reuseExistingServer: false },
  ],
});
