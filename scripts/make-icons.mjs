#!/usr/bin/env node
// Renders icon.png (128×128) and logo.png (250×100) at the repository root from the HTML/CSS in
// scripts/icons/, in headless Chromium (Debian package `chromium`) driven by playwright-core,
// with a transparent background. Usage: node scripts/make-icons.mjs
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const repo = join(import.meta.dirname, '..');
const executablePath = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find(existsSync);
if (!executablePath) {
  console.error('make-icons: chromium is not installed (apt-get install chromium)');
  process.exit(1);
}

const images = [
  { name: 'icon', width: 128, height: 128 },
  { name: 'logo', width: 250, height: 100 },
];

const browser = await chromium.launch({ executablePath, args: ['--no-sandbox'] });
try {
  for (const { name, width, height } of images) {
    const page = await browser.newPage({ viewport: { width, height }, deviceScaleFactor: 1 });
    await page.goto(pathToFileURL(join(repo, 'scripts', 'icons', `${name}.html`)).href);
    await page.evaluate(() => document.fonts.ready);
    await page.screenshot({ path: join(repo, `${name}.png`), omitBackground: true });
    await page.close();
    console.log(`make-icons: wrote ${name}.png (${width}x${height})`);
  }
} finally {
  await browser.close();
}
