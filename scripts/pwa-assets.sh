#!/usr/bin/env bash
# Copy nhsuk-frontend's CSS, JS and the icons its CSS names from node_modules
# into pwa/static/vendor/nhsuk. The copies are committed so `go build` works
# on a fresh clone without npm; rerun (make pwa-assets) after an upgrade.
# The NHS font comes from assets.nhs.uk, unreachable from many NHS networks
# and outside our CSP: its @font-face rules are removed so the CSS falls back
# to the system's Arial (or Liberation Sans, its metric twin).
set -euo pipefail
cd "$(dirname "$0")/.."
src=node_modules/nhsuk-frontend/dist/nhsuk
dst=pwa/static/vendor/nhsuk
[ -d "$src" ] || { echo "pwa-assets: $src missing; run npm ci first" >&2; exit 1; }
version=$(node -p 'require("./node_modules/nhsuk-frontend/package.json").version')
rm -rf "$dst"
mkdir -p "$dst/images"
node - "$src" "$dst" "$version" <<'JS'
const fs = require('fs');
const [src, dst, version] = process.argv.slice(2);
let css = fs.readFileSync(`${src}/nhsuk-frontend.min.css`, 'utf8');
css = css.replace(/@font-face\{[^}]*\}/g, '')
  .replace(/url\(\/assets\/images\//g, 'url(/vendor/nhsuk/images/')
  .replace(/\/\*# sourceMappingURL=[^*]*\*\/\s*$/, '');
if (/https?:\/\//.test(css.replace(/http:\/\/www\.w3\.org\/2000\/svg/g, ''))) throw new Error('a third-party URL is left in the CSS');
const images = [...new Set([...css.matchAll(/\/vendor\/nhsuk\/images\/([\w.-]+)/g)].map(m => m[1]))];
for (const img of images) fs.copyFileSync(`${src}/assets/images/${img}`, `${dst}/images/${img}`);
const charset = css.startsWith('@charset "UTF-8";') ? '@charset "UTF-8";' : '';
fs.writeFileSync(`${dst}/nhsuk-frontend.min.css`, charset + `/* nhsuk-frontend ${version}, MIT licence; web font rules removed (system fonts) by scripts/pwa-assets.sh */\n` + css.slice(charset.length) + '\n');
let js = fs.readFileSync(`${src}/nhsuk-frontend.min.js`, 'utf8').replace(/\/\/# sourceMappingURL=\S+\s*$/, '');
fs.writeFileSync(`${dst}/nhsuk-frontend.min.js`, `/* nhsuk-frontend ${version}, MIT licence */\n` + js + '\n');
console.log(`pwa-assets: nhsuk-frontend ${version} -> ${dst} (${images.length} icons)`);
JS
