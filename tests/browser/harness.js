/* harness.js — what the browser tests share: playwright-core with Debian's
 * Chromium (exiting 77, a skip for meson, when either is missing), the flags
 * every launch uses, reading --options, and the tally of checks that ends
 * "N passed, N failed" with the exit status. */
'use strict';
const fs = require('fs');
const path = require('path');

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
let chromium;
try {
  ({ chromium } = require(path.join(__dirname, 'node_modules', 'playwright-core')));
} catch (e) {
  console.log('SKIP: playwright-core is not installed (npm ci --prefix tests/browser)');
  process.exit(77);
}
if (!fs.existsSync(CHROMIUM)) {
  console.log('SKIP: ' + CHROMIUM + ' is missing (apt-get install -y chromium)');
  process.exit(77);
}

/* No network, no first-run or update chatter: a page sees only its own files. */
const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run'];

/* The value after `name` in args, or null. */
const option = (args, name) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : null; };

const tally = { passed: 0, failed: 0 };
function check(cond, what) {
  if (cond) { tally.passed++; console.log('ok   ' + what); }
  else { tally.failed++; console.log('FAIL ' + what); }
}
function eq(a, b, what) { check(a === b, what + ' (got ' + JSON.stringify(a) + ', want ' + JSON.stringify(b) + ')'); }
/* An exception that ended a test early counts as a failure. */
function fail(e) { tally.failed++; console.log('FAIL ' + (e && e.stack || e)); }
/* Prints the tally and exits 1 when anything failed. */
function finish() {
  console.log(tally.passed + ' passed, ' + tally.failed + ' failed');
  process.exit(tally.failed ? 1 : 0);
}

module.exports = { chromium, CHROMIUM, CHROMIUM_FLAGS, option, check, eq, fail, finish };
