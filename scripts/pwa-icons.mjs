// Render the app icons (PNG) from their SVG sources with the system's
// Chromium: node scripts/pwa-icons.mjs. The PNGs are committed.
import { chromium } from 'playwright-core';
import { readFileSync } from 'node:fs';

const dir = new URL('../pwa/static/icons/', import.meta.url);
const jobs = [
  ['icon.svg', 'icon-192.png', 192],
  ['icon.svg', 'icon-512.png', 512],
  ['icon.svg', 'apple-touch-icon.png', 180],
  ['icon-maskable.svg', 'icon-maskable-512.png', 512],
];
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
const page = await browser.newPage();
for (const [src, out, size] of jobs) {
  const svg = readFileSync(new URL(src, dir), 'utf8');
  await page.setViewportSize({ width: size, height: size });
  await page.setContent(`<html><body style="margin:0">${svg.replace('<svg ', `<svg width="${size}" height="${size}" `)}</body></html>`);
  await page.screenshot({ path: new URL(out, dir).pathname, omitBackground: true });
  console.log(out);
}
await browser.close();
