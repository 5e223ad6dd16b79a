#!/usr/bin/env node
/* serve.test.js — `mgviz train --serve` watched in Debian's headless
 * Chromium (playwright-core), as issue 11 checks it: a finished run is made
 * first, then a run trains with --serve under the same runs root; the page
 * the command prints is opened while it trains, and must show the step
 * counter and the loss curve advancing, the finished run and the running
 * one side by side (overlaid, and each on its own page), the health panels
 * and the saved pictures. Ctrl-C (SIGINT) then stops training and server.
 *
 *   node tests/browser/serve.test.js --mgviz BUILD/tools/mgviz [--keep DIR]
 *        [-- TRAIN OPTIONS  (the live run's, e.g. --dataset fashion-mnist
 *                            --epochs 1; default: moons until stopped)]
 *
 * Every wait is bounded. Exits 77 (a skip for meson) when chromium or
 * node_modules is missing. Prints the delay from a step's record to the
 * page showing it (measured, not asserted) and ends "N passed, N failed". */
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawn, execFileSync } = require('child_process');

const { chromium, CHROMIUM, CHROMIUM_FLAGS, option: optionIn, check, finish, fail } = require('./harness');

const argv = process.argv.slice(2);
const dash = argv.indexOf('--');
const args = dash >= 0 ? argv.slice(0, dash) : argv;
const option = (name) => optionIn(args, name);
const MGVIZ = option('--mgviz');
const keep = option('--keep');
/* the live run: moons on the scalar engine for as long as the test looks,
 * logging every step and saving pictures every 20 */
const liveOptions = dash >= 0 ? argv.slice(dash + 1)
  : ['--steps', '1000000', '--samples', '60', '--hidden', '8,8', '--snapshot-every', '20'];
if (!MGVIZ) {
  console.error('usage: serve.test.js --mgviz MGVIZ [--keep DIR] [-- TRAIN OPTIONS]');
  process.exit(2);
}


const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
/* Polls f() until it is truthy or the guard expires; its last value. */
async function until(f, guardMs) {
  const end = Date.now() + guardMs;
  let v;
  while (!(v = await f()) && Date.now() < end) await sleep(100);
  return v;
}

/* The step a page's bar shows ("step 41 / 1000000"), -1 before one. */
async function counterStep(page) {
  const m = /^step (\d+)/.exec((await page.textContent('#step-counter')).trim());
  return m ? +m[1] : -1;
}
/* The loss chart: its drawn lines and how many points each has. */
async function lossLines(page) {
  return page.$$eval('#scalars .card:first-child svg path.line',
                     (ps) => ps.map((p) => ({ colour: p.getAttribute('stroke'), points: (p.getAttribute('d').match(/[ML]/g) || []).length })));
}
/* The last complete step record of a steps.jsonl. */
function lastStep(file) {
  const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  const lines = text.slice(0, text.lastIndexOf('\n') + 1).split('\n').filter((l) => l.startsWith('{"step":'));
  return lines.length ? JSON.parse(lines[lines.length - 1]).step : -1;
}

async function open(context, url, what) {
  const page = await context.newPage();
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') page.errors.push(m.text()); });
  await page.goto(url);
  await page.waitForSelector('#run-list li', { timeout: 30000 });
  page.what = what;
  return page;
}

async function shot(page, name) {
  if (keep) await page.screenshot({ path: path.join(keep, name), fullPage: true });
}

async function main() {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'mgviz-serve-'));
  if (keep) fs.mkdirSync(keep, { recursive: true });
  /* the finished run */
  execFileSync(MGVIZ, ['train', '--runs', root, '--out', path.join(root, 'finished'), '--steps', '30',
                       '--samples', '40', '--hidden', '8', '--snapshot-every', '10', '--quiet', '--no-progress']);
  /* the running one, with its server */
  const trainer = spawn(MGVIZ, ['train', '--serve', '--port', '0', '--runs', root, '--no-progress', '--quiet'].concat(liveOptions),
                        { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  trainer.stdout.on('data', (d) => { log += d; });
  trainer.stderr.on('data', (d) => { log += d; });
  const exited = new Promise((r) => trainer.on('exit', (code, sig) => r({ code, sig })));
  let browser = null;
  try {
    const url = await until(() => (/watch it live: (http:\/\/127\.0\.0\.1:\d+\/#runs=(\S+))/.exec(log)), 120000);
    check(url, 'train --serve prints the run\'s address');
    if (!url) throw new Error('no address in: ' + log);
    const live = decodeURIComponent(url[2]), base = url[1].replace(/#.*/, '');
    const steps = path.join(root, live, 'steps.jsonl');

    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
    const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });

    /* the page printed: the live run, following it */
    const page = await open(context, url[1], 'live');
    const n1 = await until(async () => { const n = await counterStep(page); return n >= 0 ? n + 1 : 0; }, 60000) - 1;
    check(n1 >= 0, 'the live page shows a step (' + n1 + ')');
    check(!(await page.$eval('#live-dot', (d) => d.hidden)), 'the live dot is on while it trains');
    const p1 = (await lossLines(page))[0];
    check(p1 && p1.points >= 1, 'the loss curve is drawn (' + (p1 ? p1.points : 0) + ' points)');
    const n2 = await until(async () => { const n = await counterStep(page); return n > n1 ? n : 0; }, 60000);
    check(n2 > n1, 'the step counter advances by itself (' + n1 + ' -> ' + n2 + ')');
    const grown = await until(async () => { const l = (await lossLines(page))[0]; return l && l.points > p1.points ? l.points : 0; }, 60000);
    check(grown > p1.points, 'the loss curve grows by itself (' + p1.points + ' -> ' + grown + ' points)');
    await shot(page, 'serve-live.png');

    /* how soon a logged step is on the page (measured, not asserted) */
    const delays = [];
    for (let i = 0; i < 5; i++) {
      const s = lastStep(steps), t0 = Date.now();
      if (s < 0) break;
      await until(async () => (await counterStep(page)) >= s, 10000);
      delays.push(Date.now() - t0);
    }
    console.log('# from the step\'s record on disk to the page\'s counter: ' + delays.join(', ') + ' ms');

    /* the finished run beside the running one: overlaid on one page... */
    const both = await open(context, base + '#runs=finished/' + encodeURIComponent(live) + '&focus=' + encodeURIComponent(live), 'both');
    const lines = await until(async () => { const l = await lossLines(both); return l.length === 2 && l.every((x) => x.points > 1) ? l : null; }, 60000);
    check(lines && lines[0].colour !== lines[1].colour, 'two runs overlay their loss curves in two colours');
    const legend = await both.$$eval('#scalars .card:first-child .legend-row span', (s) => s.map((e) => e.textContent));
    check(legend.includes('finished') && legend.includes(live), 'the legend names both runs (' + legend.join(', ') + ')');
    const states = await both.$$eval('#run-list li', (li) => li.map((e) => e.dataset.run + ':' + e.querySelector('.state').textContent));
    check(states.some((s) => s.startsWith('finished:finished')), 'the list says the finished run finished (' + states.join('; ') + ')');
    check(states.some((s) => s.startsWith(live + ':running')), 'the list says the live run is running');
    await shot(both, 'serve-both.png');

    /* ...and each on its own page, side by side */
    const done = await open(context, base + '#runs=finished&focus=finished', 'finished');
    const doneText = await until(async () => { const t = await done.textContent('#step-counter'); return /^step \d+.*finished/.test(t) ? t : null; }, 30000);
    check(doneText && /^step 29 \/ 30/.test(doneText), 'the finished run\'s page says where it ended (' +
          (doneText || await done.evaluate(() => document.getElementById('step-counter').textContent + ' | ' +
                                                 document.getElementById('conn').textContent + ' | ' + location.href)) + ')');
    await shot(done, 'serve-finished.png');
    check(await done.$eval('#live-dot', (d) => d.hidden), 'no live dot on a finished run');
    const a = await counterStep(page);
    const b = await until(async () => { const n = await counterStep(page); return n > a ? n : 0; }, 60000);
    check(b > a, 'beside it the live page still advances (' + a + ' -> ' + b + ')');

    /* the health panels of both runs: every layer, charts drawn */
    await both.click('#tab-health');
    const health = await until(async () => {
      const h = await both.$$eval('#health .run-health', (secs) => secs.map((s) => ({
        name: s.querySelector('h2 .name').textContent,
        layers: [...s.querySelectorAll('.layer-title')].map((t) => t.firstChild.textContent),
        charts: s.querySelectorAll('.card svg path.line, .card canvas').length })));
      return h.length === 2 && h.every((x) => x.layers.length && x.charts) ? h : null;
    }, 30000);
    check(health, 'health: a section per run with its layers and drawn charts');
    if (health) check(health.some((h) => h.name === live && h.layers.includes('mlp/layer1')), 'health: the live run\'s mlp/layer1 is there');
    await shot(both, 'serve-health.png');

    /* a saved step's pictures */
    await both.click('#tab-graphs');
    const pics = await until(() => both.$$eval('#step-figures img', (im) => im.filter((i) => i.complete && i.naturalWidth > 0).length), 30000);
    check(pics > 0, 'graphs: the saved step\'s pictures load (' + pics + ')');
    await shot(both, 'serve-graphs.png');

    for (const p of [page, both, done])
      check(p.errors.length === 0, p.what + ' page: no script errors' + (p.errors.length ? ' (' + p.errors.join(' | ') + ')' : ''));
    await browser.close();
    browser = null;

    /* Ctrl-C: the run ends "stopped", the server with it, exit 130 */
    trainer.kill('SIGINT');
    const end = await Promise.race([exited, sleep(60000).then(() => null)]);
    check(end && end.code === 130, 'SIGINT stops train --serve with 130 (' + JSON.stringify(end) + ')');
    const tail = fs.readFileSync(steps, 'utf8').trim().split('\n').pop();
    check(/"event":"end"/.test(tail) && /"status":"stopped"/.test(tail), 'the run ends "stopped"');
  } finally {
    if (browser) await browser.close();
    if (trainer.exitCode === null && trainer.signalCode === null) trainer.kill('SIGKILL');
    if (!keep) fs.rmSync(root, { recursive: true, force: true });
  }
}

main().catch(fail).finally(finish);
