#!/usr/bin/env node
/* inspector.test.js — drives the mgviz HTML inspector in Debian's headless
 * Chromium through playwright-core: the pages are made by make_pages (built
 * by meson as html_pages), opened from disk, clicked, typed into and
 * screenshotted like a person would.
 *
 *   node tests/browser/inspector.test.js BUILD/tests/html_pages [--mgviz BUILD/tools/mgviz]
 *        [--keep DIR] [--screenshot OUT.png  (the README picture; needs --mgviz)]
 *
 * Exits 77 (a skip for meson) when chromium or node_modules is missing.
 * Prints timings (not asserted) and ends with "N passed, N failed". */
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const zlib = require('zlib');
const { execFileSync } = require('child_process');

const { chromium, CHROMIUM, CHROMIUM_FLAGS, option: optionIn, check, eq, fail, finish } = require('./harness');

const args = process.argv.slice(2);
const makePages = args[0];
const option = (name) => optionIn(args, name);
if (!makePages) {
  console.error('usage: inspector.test.js MAKE_PAGES [--keep DIR] [--screenshot OUT.png]');
  process.exit(2);
}


/* ---- PNG: enough of a decoder to count a screenshot's colours ---- */
function decodePng(buf) {
  let pos = 8, width = 0, height = 0, type = 0;
  const idat = [];
  while (pos < buf.length) {
    const len = buf.readUInt32BE(pos), kind = buf.toString('ascii', pos + 4, pos + 8);
    const body = buf.subarray(pos + 8, pos + 8 + len);
    if (kind === 'IHDR') { width = body.readUInt32BE(0); height = body.readUInt32BE(4); type = body[9]; if (body[8] !== 8) throw new Error('bit depth'); }
    if (kind === 'IDAT') idat.push(body);
    pos += 12 + len;
  }
  const bpp = type === 6 ? 4 : 3, stride = width * bpp;
  const raw = zlib.inflateSync(Buffer.concat(idat)), out = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    const f = raw[y * (stride + 1)], line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let x = 0; x < stride; x++) {
      const a = x >= bpp ? out[y * stride + x - bpp] : 0, b = y ? out[(y - 1) * stride + x] : 0;
      const c = x >= bpp && y ? out[(y - 1) * stride + x - bpp] : 0;
      let p = line[x];
      if (f === 1) p += a; else if (f === 2) p += b; else if (f === 3) p += (a + b) >> 1;
      else if (f === 4) { const q = a + b - c, pa = Math.abs(q - a), pb = Math.abs(q - b), pc = Math.abs(q - c); p += pa <= pb && pa <= pc ? a : pb <= pc ? b : c; }
      out[y * stride + x] = p & 255;
    }
  }
  return { width, height, bpp, pixels: out };
}
function pictureStats(png) {
  const img = decodePng(png), colours = new Set();
  let ink = 0;
  for (let i = 0; i < img.width * img.height; i++) {
    const r = img.pixels[i * img.bpp], g = img.pixels[i * img.bpp + 1], b = img.pixels[i * img.bpp + 2];
    colours.add((r << 16) | (g << 8) | b);
    if (r < 235 || g < 235 || b < 235) ink++;
  }
  return { colours: colours.size, ink: ink / (img.width * img.height) };
}

/* ---- a page's data JSON, and its base64 number arrays ---- */
function pageData(file) {
  const m = /<script type="application\/json" id="mg-data">([\s\S]*?)<\/script>/.exec(fs.readFileSync(file, 'utf8'));
  return JSON.parse(m[1]);
}
function numbersOf(b64) {
  const bytes = Buffer.from(b64, 'base64');
  return new Float64Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
}

/* ---- helpers in the page ---- */
async function field(page, name) { return (await page.textContent('#mg-field-' + name)).trim(); }
async function selected(page) { return page.evaluate(() => window.mgInspector.state().selected); }
async function nextFrame(page) { await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)))); }

async function open(context, file) {
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto('file://' + file);
  await page.waitForFunction(() => window.mgInspector && window.mgInspector.ready);
  page.errors = errors;
  return page;
}

async function testExpr(context, dir) {
  const page = await open(context, path.join(dir, 'expr.html'));
  check(await page.$('#mg-view svg g#n3.node') !== null, 'expr: the SVG is inline with node ids');
  await page.click('#n3');
  eq(await field(page, 'id'), '3', 'expr: clicking z shows its id');
  eq(await field(page, 'op'), '+', 'expr: z op');
  eq(await field(page, 'label'), 'z', 'expr: z label');
  eq(await field(page, 'data'), '8', 'expr: z data');
  eq(await field(page, 'grad'), '1', 'expr: z grad after backward');
  eq(await page.$$eval('#mg-inputs button[data-goto]', (b) => b.length), 2, 'expr: z has two inputs');
  eq(await page.$$eval('#mg-used-by button[data-goto]', (b) => b.length), 1, 'expr: z is used by one node');
  check((await page.textContent('#mg-panel')).includes('_prev'), 'expr: the panel says "inputs" is micrograd\'s _prev');
  await page.click('#mg-inputs button[data-goto="0"]');
  eq(await selected(page), 0, 'expr: a parent link moves the selection');
  eq(await field(page, 'label'), 'x', 'expr: parent x label');
  eq(await field(page, 'grad'), '4', 'expr: dz/dx = 4');
  check((await page.getAttribute('#n0', 'class')).includes('selected'), 'expr: the selected box is marked');

  await page.click('#mg-before');
  check((await field(page, 'grad')).startsWith('\u2014'), 'expr: before backward the grad reads "\u2014"');
  const gradText = await page.$$eval('#n0 text', (t) => t.map((e) => e.textContent).find((s) => /^grad/.test(s)));
  eq(gradText, 'grad \u2014', 'expr: before backward the box shows grad \u2014');
  eq(await page.getAttribute('#mg-before', 'aria-pressed'), 'true', 'expr: before button pressed');
  await page.click('#mg-after');
  eq(await field(page, 'grad'), '4', 'expr: after backward again');

  await page.fill('#mg-search', 'y');
  const hits = await page.$$eval('#mg-results button', (b) => b.map((e) => +e.dataset.goto));
  check(hits.includes(1), 'expr: searching "y" lists y (#1)');
  await page.press('#mg-search', 'Enter');
  eq(await selected(page), 1, 'expr: Enter selects the first match');
  check(await page.evaluate(() => !/Infinity|NaN|-0(?![.\d])/.test(document.getElementById('mg-panel').textContent)), 'expr: the panel writes no NaN, Infinity or -0');
  await page.fill('#mg-search', 'log');
  eq(JSON.stringify(await page.$$eval('#mg-results button', (b) => b.map((e) => +e.dataset.goto))), '[6]', 'expr: searching an op finds its nodes');
  await page.fill('#mg-search', '#5');
  await page.press('#mg-search', 'Enter');
  eq(await selected(page), 5, 'expr: searching #5 selects node 5');

  await page.click('#mg-nan');
  eq(await selected(page), 6, 'expr: jump to first NaN selects log(y - 4)');
  eq(await field(page, 'data'), 'nan', 'expr: the NaN reads nan');
  check((await page.getAttribute('#n6', 'class')).includes('nonfinite'), 'expr: the NaN box is marked non-finite');
  check(await page.$('#n6 text.mg-tag') !== null, 'expr: the NaN box carries a text tag, not colour alone');

  await page.click('#mg-fit');
  await page.click('#n0');
  await page.click('#mg-paths');
  const onPath = await page.$$eval('g.node.hl', (g) => g.map((e) => e.id));
  check(onPath.includes('n0') && onPath.includes('n2') && onPath.includes('n3') && onPath.includes('n7'), 'expr: paths from x to the root are highlighted');
  check(!onPath.includes('n1'), 'expr: y is not on a path from x');
  check(await page.$('svg.dim') !== null, 'expr: the rest is dimmed');
  await page.click('#mg-paths');
  await page.click('#mg-flow');
  const flowIds = () => page.$$eval('g.node.hl', (g) => g.map((e) => e.id).filter((id) => /^n\d+$/.test(id)));
  eq((await flowIds()).length, 8, 'expr: after backward a grad flowed through all 8 values');
  await page.click('#mg-before');
  eq((await flowIds()).length, 0, 'expr: before backward no grad has flowed');
  await page.click('#mg-after');
  await page.click('#mg-flow');

  await page.selectOption('#mg-colour', 'grad');
  check((await page.textContent('#mg-legend')).includes('|grad|'), 'expr: colouring by |grad| shows a legend');
  check((await page.$eval('#n0 polygon', (p) => p.style.fill)) !== '', 'expr: boxes are filled by |grad|');
  await page.selectOption('#mg-colour', 'data');
  check((await page.textContent('#mg-legend')).includes('data'), 'expr: colouring by data shows a legend');

  /* keyboard only: Tab into the graph, Enter on a node */
  await page.focus('#mg-view');
  await page.keyboard.press('Tab');
  const focused = await page.evaluate(() => document.activeElement.id);
  check(/^n\d+$/.test(focused), 'expr: Tab reaches a node (' + focused + ')');
  await page.keyboard.press('Enter');
  eq(await selected(page), +focused.slice(1), 'expr: Enter on a focused node selects it');
  check((await page.getAttribute('#mg-zoom-in', 'aria-label')) === 'Zoom in', 'expr: controls carry ARIA labels');

  const w0 = (await page.evaluate(() => window.mgInspector.state().view)).w;
  await page.focus('#mg-view');
  await page.keyboard.press('+');
  const w1 = (await page.evaluate(() => window.mgInspector.state().view)).w;
  check(w1 < w0, 'expr: "+" zooms in');
  await page.mouse.move(400, 300);
  await page.mouse.wheel(0, 400);
  const w2 = (await page.evaluate(() => window.mgInspector.state().view)).w;
  check(w2 > w1, 'expr: the wheel zooms out');
  await page.click('#mg-fit');
  eq((await page.evaluate(() => window.mgInspector.state().view)).w, w0, 'expr: Fit restores the whole graph');
  const before = await page.evaluate(() => window.mgInspector.state());
  const box = await page.$eval('#mg-view', (v) => { const r = v.getBoundingClientRect(); return { x: r.left, y: r.bottom - 20 }; });
  await page.mouse.move(box.x + 300, box.y);
  await page.mouse.down();
  await page.mouse.move(box.x + 200, box.y, { steps: 5 });
  await page.mouse.up();
  const after = await page.evaluate(() => window.mgInspector.state());
  check(after.view.x > before.view.x && after.view.w === before.view.w, 'expr: dragging pans the graph');
  eq(after.selected, before.selected, 'expr: a drag selects nothing');
  await page.click('#mg-fit');

  const shot = pictureStats(await page.screenshot());
  check(shot.colours > 20 && shot.ink > 0.02, 'expr: the screenshot is not blank (' + shot.colours + ' colours, ' + (100 * shot.ink).toFixed(1) + '% ink)');
  eq(page.errors.join('\n'), '', 'expr: no script errors');
  await page.close();
}

/* The numbers a box shows: {label, data, grad} as drawn text. */
async function box(page, id) {
  return page.$$eval('#n' + id + ' text:not(.mg-step)', (ts) => {
    const out = {};
    ts.forEach((t) => { const m = /^(data|grad) (.*)$/.exec(t.textContent); if (m) out[m[1]] = m[2]; });
    return out;
  });
}
/* Clicks the middle of a drawn edge with the mouse, as a person would. */
async function clickEdge(page, id) {
  const at = await page.$eval('#' + id + ' path:not(.mg-hit)', (p) => {
    const q = p.getPointAtLength(p.getTotalLength() / 2).matrixTransform(p.getScreenCTM());
    return { x: q.x, y: q.y };
  });
  await page.mouse.click(at.x, at.y);
}
async function replay(page) { return page.evaluate(() => window.mgInspector.state().replay); }
async function where(page) { return (await page.textContent('#mg-replay-text')).trim(); }

/* Stepping through b = a + a; c = b * b (a = 3): forward, data appears in
 * topological order; backward, grads in reverse, by the keyboard. */
async function testReplay(context, dir) {
  const page = await open(context, path.join(dir, 'reuse.html'));
  const a = 3, b = a + a, c = b * b, cGrad = 1, bGrad = 2 * b * cGrad, aGrad = 2 * bGrad;
  const kinds = await page.$$eval('#mg-legend .swatch', (s) => s.map((e) => e.nextSibling.textContent));
  check(kinds.includes('input') && kinds.includes('computed') && kinds.includes('root'), 'replay: the legend shows kind swatches (' + kinds.join(', ') + ')');

  await page.click('#mg-replay-forward');
  eq(JSON.stringify(await replay(page)), JSON.stringify({ dir: 'forward', pos: 0, steps: 3, playing: false }), 'replay: forward starts at position 0 of 3');
  eq((await box(page, 0)).data, '\u2014', 'replay: before the first forward step a has no data yet');
  await page.click('#mg-replay-next');
  eq((await box(page, 0)).data, String(a), 'replay: forward step 1 computes a');
  eq((await box(page, 1)).data, '\u2014', 'replay: ... and not yet b');
  check((await page.getAttribute('#n1', 'class')).includes('waiting'), 'replay: b is drawn as waiting');
  await page.click('#mg-replay-next');
  eq((await box(page, 1)).data, String(b), 'replay: forward step 2 computes b');
  eq(await where(page), 'forward step 2 of 3: b = a + a = 3 + 3 = 6.', 'replay: the line says what step 2 did');
  check((await page.getAttribute('#n1', 'class')).includes('now') && (await page.getAttribute('#e0_1', 'class')).includes('now'),
    'replay: the current node and its incoming edge are highlighted');
  await page.click('#mg-replay-next');
  eq((await box(page, 2)).data, String(c), 'replay: forward step 3 computes the root c');
  check((await where(page)).includes('Done'), 'replay: the last step says it is done');

  /* backward, by the keyboard only, with a selected in the panel */
  await page.evaluate(() => window.mgInspector.select(0));
  await page.click('#mg-replay-backward');
  await page.focus('#mg-view');
  eq((await box(page, 2)).grad, '\u2014', 'replay: backward starts with no grads');
  await page.keyboard.press('.');
  eq((await replay(page)).pos, 1, 'replay: "." steps forward');
  eq((await box(page, 2)).grad, String(cGrad), 'replay: backward step 1 seeds the root c.grad = 1');
  eq((await box(page, 1)).grad, String(bGrad), 'replay: ... and c = b * b sends b 6 twice: b.grad = 12');
  eq(await where(page), 'backward step 1 of 3: c is the root, so c.grad = 1. c = b * b sends local \u00d7 c.grad to each input: ' +
    `${b} \u00d7 1 = ${b} to b, ${b} \u00d7 1 = ${b} to b. Now b.grad = ${b} + ${b} = ${bGrad}.`, 'replay: the line says what step 1 did, with its numbers');
  eq(await page.textContent('#n1 text.mg-step'), `grad ${b} + ${b} = ${bGrad}`, 'replay: b\'s box shows its running sum');
  eq((await box(page, 0)).grad, '\u2014', 'replay: a has received nothing yet');
  eq(await field(page, 'sum'), 'a.grad: nothing sent to it yet', 'replay: the panel says nothing was sent to a yet');
  await page.keyboard.press('.');
  eq((await box(page, 0)).grad, String(aGrad), 'replay: step 2 (b = a + a) gives a its grad 24');
  eq(await page.textContent('#n0 text.mg-step'), `grad ${bGrad} + ${bGrad} = ${aGrad}`, 'replay: a\'s grad visibly accumulates: 12 + 12 = 24');
  eq(await field(page, 'sum'), `a.grad = ${bGrad} [from b = a + a] + ${bGrad} [from b = a + a] = ${aGrad}`, 'replay: the panel shows a.grad as the sum of its contributions');
  check((await page.getAttribute('#n1', 'class')).includes('now') && (await page.getAttribute('#e0_1', 'class')).includes('now') &&
    (await page.getAttribute('#n0', 'class')).includes('recv'), 'replay: b and its incoming edge are current, a receives');
  await page.keyboard.press('.');
  check((await where(page)).startsWith('backward step 3 of 3: a is an input, a leaf: it sends nothing'), 'replay: the leaf\'s step says it sends nothing');
  await page.keyboard.press(',');
  await page.keyboard.press(',');
  eq((await replay(page)).pos, 1, 'replay: "," steps back');
  eq((await box(page, 0)).grad, '\u2014', 'replay: stepping back takes a\'s grad away again');
  await page.keyboard.press('r');
  eq((await replay(page)).pos, 0, 'replay: "r" resets');
  await page.keyboard.press('p');
  await page.waitForFunction(() => window.mgInspector.state().replay.pos >= 2, null, { timeout: 10000 });
  check((await replay(page)).playing, 'replay: "p" plays');
  await page.keyboard.press('p');
  const paused = (await replay(page)).pos;
  await page.waitForTimeout(1200);
  eq((await replay(page)).pos, paused, 'replay: "p" again pauses');
  await page.click('#mg-after');
  eq(await replay(page), null, 'replay: After backward leaves the replay');
  eq((await box(page, 0)).grad, String(aGrad), 'replay: ... and shows the grads after backward');

  /* edges: clicked, and reached from a node's panel by the keyboard */
  await page.click('#mg-fit');
  await clickEdge(page, 'e0_1');
  eq(JSON.stringify((await page.evaluate(() => window.mgInspector.state())).edge), '{"from":0,"to":1}', 'edges: clicking a -> b selects that edge');
  check((await page.getAttribute('#e0_1', 'class')).includes('selected'), 'edges: the clicked edge is marked');
  for (const k of [0, 1]) {
    eq(await page.textContent(`#mg-edge-${k}-local`), '1', `edges: a -> b, operand ${k + 1}: local derivative 1`);
    eq(await page.textContent(`#mg-edge-${k}-upstream`), String(bGrad), `edges: a -> b, operand ${k + 1}: upstream b.grad = 12`);
    eq(await page.textContent(`#mg-edge-${k}-contribution`), String(bGrad), `edges: a -> b, operand ${k + 1}: contribution 12`);
  }
  eq(await page.textContent('#mg-edge-sum'), `a.grad = ${bGrad} [from b = a + a] + ${bGrad} [from b = a + a] = ${aGrad}`, 'edges: the panel shows where the contributions go');
  await clickEdge(page, 'e1_2');
  eq(await page.textContent('#mg-edge-0-local'), String(b), 'edges: b -> c = b * b: local derivative b = 6');
  eq(await page.textContent('#mg-edge-0-contribution'), String(b * cGrad), 'edges: b -> c: contribution 6 \u00d7 1 = 6');
  await page.evaluate(() => window.mgInspector.select(1));
  await page.focus('#mg-inputs button.edge');
  await page.keyboard.press('Enter');
  eq(JSON.stringify((await page.evaluate(() => window.mgInspector.state())).edge), '{"from":0,"to":1}', 'edges: Enter on an input\'s edge button selects the edge');
  eq(page.errors.join('\n'), '', 'replay: no script errors');
  await page.close();

  /* a grad that accumulates over two steps: x in z = x*y + x (x = 2, y = 3) */
  const p2 = await open(context, path.join(dir, 'expr.html'));
  await p2.click('#mg-replay-backward');
  for (let i = 0; i < 5; i++) await p2.click('#mg-replay-next');
  eq((await box(p2, 0)).grad, '1', 'replay: expr step 5 (z = a + x) sends x 1');
  await p2.click('#mg-replay-next');
  eq((await box(p2, 0)).grad, '4', 'replay: expr step 6 (a = x * y) adds y = 3: x.grad = 4');
  eq(await p2.textContent('#n0 text.mg-step'), 'grad 1 + 3 = 4', 'replay: x\'s box shows 1 + 3 = 4');
  eq(p2.errors.join('\n'), '', 'replay: no script errors on expr');
  await p2.close();
}

/* A tensor graph: replay sends contributions shown by their means; an
 * edge's local derivative is a Jacobian, said so, not a number. */
async function testTensor(context, dir) {
  const page = await open(context, path.join(dir, 'tensor.html'));
  await page.click('#mg-replay-backward');
  for (let i = 0; i < 2; i++) await page.click('#mg-replay-next');
  check(/^backward step 2 of \d+: #7 = linear\(#6, [\w.]*W, [\w.]*b\) sends a contribution to each input: mean .*, mean .*, mean /.test(await where(page)),
    'tensor: a linear step sends contributions to its three inputs, shown by their means');
  await page.click('#mg-after');
  await page.click('#mg-fit');
  await clickEdge(page, 'e0_5');
  eq(await page.textContent('#mg-edge-0-local'), 'a Jacobian (a tensor op), not one number', 'tensor: W -> linear: the local derivative is a Jacobian');
  const contribution = await page.textContent('#mg-edge-0-contribution');
  await page.evaluate(() => window.mgInspector.select(0));
  eq(contribution, 'mean ' + await field(page, 'grad'), 'tensor: W is used once: its edge carries its whole grad');
  eq(page.errors.join('\n'), '', 'tensor: no script errors');
  await page.close();
}

/* A character transformer's page: pick a position and see what feeds its
 * prediction. The page's numbers say which nodes and attention cells a
 * backward from that position alone reached; causality must show: in the
 * last block only query row p, in the block below rows 0..p, and never a
 * key after the query. */
async function testAttention(context, dir) {
  const file = path.join(dir, 'attention.html');
  const page = await open(context, file);
  const D = pageData(file), P = D.positions;
  check(!!P, 'attention: the page carries positions');
  const T = P.names.length;
  eq(P.names.join(''), 'the cat sat on the ma', 'attention: the positions are the text\'s characters');
  eq(await page.$$eval('#mg-tokens button', (bs) => bs.length), T, 'attention: one token button per position');
  eq(await page.isVisible('#mg-positions'), true, 'attention: the token section is shown');
  eq(P.attention.length, 2, 'attention: both blocks\' attention weights are drawn');
  eq(P.attention.map((a) => D.graph.nodes[a.id].label).join(' '), 'block1.attn.weights block2.attn.weights',
    'attention: the maps are the blocks\' weights, in order');
  const svgImages = await page.$$eval('#n' + P.attention[1].id + ' image', (is) => is.length);
  check(svgImages >= 1, 'attention: the weights node in the graph carries its per-head picture');
  const p = 5;
  await page.click('#mg-tokens button:nth-child(' + (p + 1) + ')');
  eq(await page.evaluate(() => window.mgInspector.state().position), p, 'attention: clicking a token picks its position');
  eq(await page.getAttribute('#mg-tokens button:nth-child(' + (p + 1) + ')', 'aria-pressed'), 'true', 'attention: the picked token is pressed');
  const labels = await page.$$eval('#mg-attention canvas', (cs) => cs.map((c) => c.getAttribute('aria-label')));
  eq(labels.length, 4, 'attention: one map per head and block (2 x 2)');
  check(labels.slice(0, 2).every((l) => l.endsWith('; ' + (p + 1) + ' query rows feed position ' + p)),
    'attention: in block 1 the rows 0..' + p + ' feed position ' + p + ' (' + labels[0] + ')');
  check(labels.slice(2).every((l) => l.endsWith('; 1 query rows feed position ' + p)),
    'attention: in block 2 only row ' + p + ' feeds it (' + labels[2] + ')');
  /* the bits behind the maps, one per unmasked cell (a masked weight may
   * hold a grad, from the matmul after it, but passes none on): no gradient
   * on a query after p; the canvases outline exactly the cells set */
  let later = 0, set = 0;
  P.attention.forEach((a) => {
    const bits = Buffer.from(a.flow[p], 'base64');
    eq(bits.length, Math.ceil(a.heads * a.q * (a.q + 1) / 2 / 8), 'attention: ' + a.id + ' keeps one bit per unmasked cell');
    let c = 0;
    for (let h = 0; h < a.heads; h++) for (let i = 0; i < a.q; i++) for (let j = 0; j <= i + a.offset && j < a.k; j++, c++) {
      const on = (bits[c >> 3] >> (c & 7)) & 1;
      set += on;
      if (on && i > p) later++;
    }
  });
  eq(later, 0, 'attention: no gradient reaches a query after position ' + p);
  eq(set, 2 * (p + 1) * (p + 2) / 2 + 2 * (p + 1), 'attention: block 1 passes it through every cell of rows 0..' + p + ', block 2 through row ' + p);
  const outlined = await page.$$eval('#mg-attention canvas', (cs) => cs.map((c) => {
    const x = c.getContext('2d'), d = x.getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i] === 0xe8 && d[i + 1] === 0x59 && d[i + 2] === 0x0c) n++;
    return n;
  }));
  check(outlined.every((n) => n > 0), 'attention: every map outlines the cells that feed position ' + p + ' (' + outlined.join(', ') + ' orange pixels)');
  const lit = await page.$$eval('g.node.value.hl', (gs) => gs.length);
  const all = await page.$$eval('g.node.value', (gs) => gs.length);
  check(lit > 0 && lit < all, 'attention: the nodes feeding position ' + p + ' are lit (' + lit + ' of ' + all + ')');
  check(!(await page.$eval('#n' + D.graph.root, (g) => g.classList.contains('hl'))), 'attention: the loss, downstream of the logits, is not lit');
  check((await page.textContent('#mg-status')).includes('feed the prediction at position ' + p), 'attention: the status line says what is lit');
  const shot = pictureStats(await page.screenshot({ path: option('--keep') ? path.join(option('--keep'), 'attention.png') : undefined }));
  check(shot.colours > 20, 'attention: the screenshot is not blank (' + shot.colours + ' colours)');
  await page.click('#mg-flow');
  eq(await page.evaluate(() => window.mgInspector.state().position), -1, 'attention: grad flow replaces the picked position');
  eq(page.errors.join('\n'), '', 'attention: no script errors');
  await page.close();
}

/* A real GPT run's snapshot page (mgviz train --dataset fortunes --model gpt
 * --inspector, on sayings written here): the token picker reads the sample's
 * characters, every block's attention is drawn (blocks 1..N-1 folded into one
 * group in the graph), picking a token outlines what feeds it. */
async function testGptRun(context, dir, mgviz) {
  const data = path.join(dir, 'fortunes'), run = path.join(dir, 'gpt-run');
  fs.mkdirSync(data, { recursive: true });
  const syll = ['ka', 'lo', 'mi', 'ne', 'su', 'ta', 'ri', 'po'];
  let text = '';
  for (let i = 0; i < 120; i++) text += syll[i % 8] + ' is as ' + syll[(i >> 3) % 8] + ' does.\n\t-- ' + (i % 2 ? 'Anon' : 'Proverb') + '\n%\n';
  fs.writeFileSync(path.join(data, 'sayings'), text);
  execFileSync(mgviz, ['train', '--dataset', 'fortunes', '--model', 'gpt', '--data-dir', data, '--context', '12',
    '--embd', '16', '--layers', '3', '--heads', '2', '--batch', '4', '--steps', '3', '--snapshot-every', '2',
    '--inspector', '--no-progress', '--quiet', '--out', run], { encoding: 'utf8' });
  const file = path.join(run, 'inspector.html');
  const page = await open(context, file);
  const D = pageData(file), P = D.positions;
  check(!!P, 'gpt run: the snapshot page carries positions');
  const manifest = JSON.parse(fs.readFileSync(path.join(run, 'snapshots', 'step-000002.json'), 'utf8'));
  const glyph = { ' ': '\u2423', '/': '\u23ce', '\t': '\u21e5' }; /* the label shows a newline as / */
  eq(P.names.join(''), [...manifest.sample.label].map((c) => glyph[c] || c).join(''),
    'gpt run: the tokens are the sample\'s characters, blanks as glyphs');
  eq(await page.$$eval('#mg-tokens button', (bs) => bs.length), 12, 'gpt run: one token button per position of the context');
  eq(P.attention.map((a) => D.graph.nodes[a.id].label).join(' '), 'block1.attn.weights block2.attn.weights block3.attn.weights',
    'gpt run: every block\'s attention is drawn, folded ones too');
  const group = await page.$$eval('g.node.fold.group', (gs) => gs.map((g) => g.textContent).filter((t) => t.includes('block1')));
  eq(group.length, 1, 'gpt run: blocks 1..2 fold into one group');
  check(group.length === 1 && group[0].includes('block1, block2') && group[0].includes('linear') && group[0].includes('causal_softmax'),
    'gpt run: the group names its blocks and their ops (' + group[0] + ')');
  check(await page.$eval('#mg-view svg', (s) => s.classList.contains('stale-heatmaps')) &&
    (await page.textContent('#mg-step-text')).includes('heatmaps in the graph are step 0\u2019s'),
    'gpt run: at a later step the graph\'s heatmaps (drawn at step 0) are faded and said to be step 0\'s');
  const frame = await page.evaluate(() => window.mgInspector.state().view);
  check(await page.$eval('#n' + P.attention[2].id, (g, v) => { const b = g.getBBox(); return b.x >= v.x && b.x + b.width <= v.x + v.w; }, frame),
    'gpt run: the page opens on the last block\'s attention weights');
  check(await page.$$eval('g.node.fold', (gs) => gs.every((g) => !/\d tensor\b/.test(g.textContent))), 'gpt run: no box says "N tensor"');
  const p = 6;
  await page.click('#mg-tokens button:nth-child(' + (p + 1) + ')');
  const labels = await page.$$eval('#mg-attention canvas', (cs) => cs.map((c) => c.getAttribute('aria-label')));
  eq(labels.length, 6, 'gpt run: one map per head and block (3 x 2)');
  check(labels.slice(0, 4).every((l) => l.endsWith('; ' + (p + 1) + ' query rows feed position ' + p)),
    'gpt run: below the last block, rows 0..' + p + ' feed position ' + p);
  check(labels.slice(4).every((l) => l.endsWith('; 1 query rows feed position ' + p)), 'gpt run: in the last block only row ' + p + ' does');
  const shot = pictureStats(await page.screenshot({ path: option('--keep') ? path.join(option('--keep'), 'gpt-run.png') : undefined }));
  check(shot.colours > 20, 'gpt run: the screenshot is not blank (' + shot.colours + ' colours)');
  const ln = D.graph.nodes.find((n) => n.label === 'block3.ln1.out');
  eq(ln && ln.op + '(' + ln.parents.map((q) => D.graph.nodes[q].label).join(', ') + ')',
    'layer_norm(block2.x, block3.ln1.gamma, block3.ln1.beta)', 'gpt run: a layer norm is one node over x, gamma and beta');
  await page.evaluate((id) => window.mgInspector.select(id), ln.id);
  eq(await page.textContent('#mg-panel .formula'), 'block3.ln1.out = layer_norm(block2.x, block3.ln1.gamma, block3.ln1.beta)',
    'gpt run: the layer norm\'s panel reads its formula over its three inputs');
  eq(await page.$$eval('#mg-inputs li > button:first-child', (bs) => bs.map((b) => b.dataset.goto).join(' ')), ln.parents.join(' '),
    'gpt run: the layer norm lists its three inputs in operand order, beta the third');
  eq(page.errors.join('\n'), '', 'gpt run: no script errors');
  await page.close();
}

/* The same run with --graph batch: the page of batch graphs has the token
 * picker too, over the batch's first row, and says so. */
async function testGptBatch(context, dir, mgviz) {
  const data = path.join(dir, 'fortunes'), run = path.join(dir, 'gpt-batch');
  execFileSync(mgviz, ['train', '--dataset', 'fortunes', '--model', 'gpt', '--data-dir', data, '--context', '12',
    '--embd', '16', '--layers', '2', '--heads', '2', '--batch', '4', '--steps', '3', '--snapshot-every', '2',
    '--graph', 'batch', '--inspector', '--no-progress', '--quiet', '--out', run], { encoding: 'utf8' });
  const file = path.join(run, 'inspector.html');
  const page = await open(context, file);
  const D = pageData(file), P = D.positions;
  check(!!P, 'gpt batch: the page of batch graphs carries positions');
  eq(P && P.rows, 4, 'gpt batch: the logits hold the 4 rows of the batch');
  eq(D.graph.nodes[P.logits].shape.join('x'), '4x12x' + D.graph.nodes[P.logits].shape[2], 'gpt batch: the positions are read from the batch logits [4, 12, V]');
  eq(await page.$$eval('#mg-tokens button', (bs) => bs.length), 12, 'gpt batch: one token button per position of row 0');
  check((await page.textContent('#mg-positions h2')).includes('batch row 0 of 4'), 'gpt batch: the token section says which row it shows');
  const p = 4;
  await page.click('#mg-tokens button:nth-child(' + (p + 1) + ')');
  const labels = await page.$$eval('#mg-attention canvas', (cs) => cs.map((c) => c.getAttribute('aria-label')));
  eq(labels.length, 4, 'gpt batch: one map per head and block (2 x 2)');
  check(labels.slice(0, 2).every((l) => l.endsWith('; ' + (p + 1) + ' query rows feed position ' + p)) &&
    labels.slice(2).every((l) => l.endsWith('; 1 query rows feed position ' + p)),
    'gpt batch: rows 0..' + p + ' in block 1, row ' + p + ' in the last block feed position ' + p);
  const lit = await page.$$eval('g.node.value.hl', (gs) => gs.length);
  check(lit > 0, 'gpt batch: the nodes feeding position ' + p + ' are lit (' + lit + ')');
  eq(page.errors.join('\n'), '', 'gpt batch: no script errors');
  await page.close();
}

/* The command line's page: micrograd's README example through mgviz expr. */
async function testCli(context, dir, mgviz) {
  const file = path.join(dir, 'cli.html');
  const program = 'a = Value(-4.0); b = Value(2.0); c = a + b; d = a * b + b**3; c += c + 1; ' +
    'c += 1 + c + (-a); d += d * 2 + (b + a).relu(); d += 3 * d + (b - a).relu(); ' +
    'e = c - d; f = e**2; g = f / 2.0; g += 10.0 / f';
  const out = execFileSync(mgviz, ['expr', program, '-o', file], { encoding: 'utf8' });
  check(out.includes('wrote ' + file), 'cli: mgviz expr -o FILE.html writes the page');
  const page = await open(context, file);
  const root = await page.evaluate(() => JSON.parse(document.getElementById('mg-data').textContent).graph.root);
  await page.click('#n' + root);
  check((await field(page, 'data')).startsWith('24.7040816'), 'cli: the root g reads 24.7041 as in micrograd');
  await page.fill('#mg-search', 'a');
  await page.press('#mg-search', 'Enter');
  eq(await field(page, 'label'), 'a', 'cli: search finds the variable a');
  check((await field(page, 'grad')).startsWith('138.833'), 'cli: dg/da = 138.8338 as in micrograd');
  await page.click('#mg-before');
  check((await field(page, 'grad')).startsWith('\u2014'), 'cli: before backward a has no grad yet');

  /* the page's edge numbers: the contributions into every node the root
   * depends on add up to its grad (the engine's, saved beside them) */
  const D = pageData(file), f = D.steps[0], nodes = D.graph.nodes;
  const grad = numbersOf(f.grad), contrib = numbersOf(f.contrib), sum = new Float64Array(nodes.length);
  const reach = new Uint8Array(nodes.length);
  reach[D.graph.root] = 1;
  for (let id = nodes.length - 1; id >= 0; id--) if (reach[id]) nodes[id].parents.forEach((p) => { reach[p] = 1; });
  let k = 0;
  nodes.forEach((n) => n.parents.forEach((p) => { if (reach[n.id]) sum[p] += contrib[k]; k++; }));
  eq(k, contrib.length, 'cli: one contribution per operand edge (' + k + ')');
  const off = nodes.filter((n) => reach[n.id] && n.id !== D.graph.root && Math.abs(sum[n.id] - grad[n.id]) > 1e-12 * Math.max(1, Math.abs(grad[n.id])));
  eq(off.map((n) => n.id).join(' '), '', 'cli: the contributions into every node add up to its grad');

  /* replayed to the end, backward shows every grad as after backward */
  await page.click('#mg-after');
  const after = await page.$$eval('g.node.value text', (ts) => ts.map((t) => t.textContent));
  await page.click('#mg-replay-backward');
  await page.focus('#mg-replay-pos');
  await page.keyboard.press('End');
  eq((await replay(page)).pos, (await replay(page)).steps, 'cli: End on the replay slider goes to the last step');
  eq(JSON.stringify(await page.$$eval('g.node.value text:not(.mg-step)', (ts) => ts.map((t) => t.textContent))), JSON.stringify(after),
    'cli: the replayed backward ends with the grads of backward');
  eq(page.errors.join('\n'), '', 'cli: no script errors');
  await page.close();

  /* every grad of d = a + b is 1: the |grad| colours are one middle colour */
  const flat = path.join(dir, 'flat.html');
  execFileSync(mgviz, ['expr', 'a = Value(1.0); b = Value(2.0); d = a + b', '-o', flat], { encoding: 'utf8' });
  const p2 = await open(context, flat);
  await p2.selectOption('#mg-colour', 'grad');
  check((await p2.textContent('#mg-legend')).includes('every nonzero |grad| is 1'), 'cli: equal grads: the legend says so');
  const fills = await p2.$$eval('g.node.value > polygon', (ps) => ps.map((e) => e.style.fill));
  const saturated = 'rgb(231, 111, 81)', palest = 'rgb(255, 255, 255)';
  check(fills.length === 3 && new Set(fills).size === 1 && fills[0] !== saturated && fills[0] !== palest,
    'cli: equal grads: one colour, neither end of the ramp (' + fills[0] + ')');
  eq(p2.errors.join('\n'), '', 'cli: no script errors on the flat page');
  await p2.close();
}

async function testMlp(context, dir, times) {
  const t0 = Date.now();
  const page = await open(context, path.join(dir, 'mlp.html'));
  const wall = Date.now() - t0;
  const nav = await page.evaluate(() => {
    const e = performance.getEntriesByType('navigation')[0];
    return { dcl: e.domContentLoadedEventEnd, load: e.loadEventEnd, init: window.mgInspector.initMs, nodes: window.mgInspector.nodes };
  });
  const boxes = await page.$$eval('g.node.value', (g) => g.length);
  check(boxes > 900, 'mlp: about 1,000 value boxes drawn (' + boxes + ')');
  /* a click as a person makes it, timed to the next painted frame */
  const clickMs = await page.evaluate(async () => {
    const el = document.getElementById('n500') || document.querySelector('g.node.value');
    const t = performance.now();
    el.dispatchEvent(new MouseEvent('click', { bubbles: true }));
    await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
    return performance.now() - t;
  });
  check((await field(page, 'id')).length > 0, 'mlp: a click fills the panel');
  times.mlp = { bytes: fs.statSync(path.join(dir, 'mlp.html')).size, nodes: nav.nodes, boxes, domContentLoadedMs: nav.dcl, loadMs: nav.load, scriptInitMs: nav.init, openWallMs: wall, clickToPaintMs: clickMs };
  eq(page.errors.join('\n'), '', 'mlp: no script errors');
  await page.close();
}

async function testFolded(context, dir) {
  const page = await open(context, path.join(dir, 'mlp-folded.html'));
  const folds = await page.$$eval('g.node.fold', (g) => g.map((e) => e.id));
  check(folds.length > 0, 'folded: the graph has folded boxes (' + folds.length + ')');
  await page.focus('#' + folds[0]);
  await page.keyboard.press('Enter');
  check(await page.isVisible('#mg-fold'), 'folded: Enter on a folded box opens it in place');
  check(await page.evaluate(() => document.getElementById('mg-fold').contains(document.activeElement)), 'folded: the keyboard focus moves into the opened box');
  await page.keyboard.press('Escape');
  check(!(await page.isVisible('#mg-fold')), 'folded: Escape closes the box');
  eq(await page.evaluate(() => document.activeElement.id), folds[0], 'folded: the focus returns to the box');
  await page.click('#' + folds[0]);
  check(await page.isVisible('#mg-fold'), 'folded: a click opens the folded box in place');
  const rows = await page.$$eval('#mg-fold .rows button', (b) => b.map((e) => +e.dataset.goto));
  check(rows.length > 0, 'folded: the opened box lists its nodes (' + rows.length + ')');
  await page.click('#mg-fold .rows button[data-goto="' + rows[0] + '"]');
  eq(await selected(page), rows[0], 'folded: a listed node can be selected');
  check((await page.textContent('#mg-panel')).includes('folded box'), 'folded: the panel says where the node is drawn');
  /* a folded node reached by search opens its box */
  await page.click('#mg-fold header button');
  check(!(await page.isVisible('#mg-fold')), 'folded: the box closes');
  await page.fill('#mg-search', '#' + rows[rows.length - 1]);
  await page.press('#mg-search', 'Enter');
  check(await page.isVisible('#mg-fold'), 'folded: selecting a folded node opens its box');
  /* every box opens to as many nodes as its picture says: page and picture
   * read one fold plan (a group says "each N nodes" and "×M") */
  for (const id of folds) {
    const said = await page.$eval('#' + id, (g) => {
      const t = g.textContent, each = /each (\d+) nodes?/.exec(t), times = /\u00d7(\d+)/.exec(t);
      const n = /(\d+) nodes?:/.exec(t);
      return each && times ? +each[1] * +times[1] : n ? +n[1] : -1;
    });
    await page.focus('#' + id);
    await page.keyboard.press('Enter');
    const head = await page.textContent('#mg-fold h2');
    eq(+(/(\d+) nodes$/.exec(head) || [0, -2])[1], said, 'folded: ' + id + ' opens to the count it shows');
    await page.keyboard.press('Escape');
  }
  eq(page.errors.join('\n'), '', 'folded: no script errors');
  await page.close();
}

/* The README's picture: its command's page, x*y + x, two steps into
 * backward, x selected: x's grad accumulating, 1 + 3 = 4. */
async function readmePicture(context, dir, mgviz, out) {
  const file = path.join(dir, 'xy.html');
  execFileSync(mgviz, ['expr', 'x*y + x', 'x=2', 'y=3', '-o', file], { encoding: 'utf8' });
  const page = await open(context, file);
  await page.setViewportSize({ width: 1200, height: 540 });
  await page.click('#mg-replay-backward');
  await page.evaluate(() => window.mgInspector.select(0));
  await page.click('#mg-replay-next');
  await page.click('#mg-replay-next');
  await page.click('#mg-fit');
  await nextFrame(page);
  await page.screenshot({ path: out });
  const shot = pictureStats(fs.readFileSync(out));
  check(shot.colours > 20 && shot.ink > 0.02, 'readme: the picture is not blank (' + shot.colours + ' colours)');
  check((await where(page)).includes('x.grad = 1 + 3 = 4'), 'readme: the picture shows x.grad accumulating');
  await page.close();
}

async function testMoons(context, dir, name, times) {
  const file = path.join(dir, name + '.html');
  const say = (what) => name + ': ' + what;
  const bytes = fs.statSync(file).size;
  check(bytes < 20 * 1024 * 1024, say('100 snapshots fit in under 20 MB (' + (bytes / 1048576).toFixed(2) + ' MB)'));
  const t0 = Date.now();
  const page = await open(context, file);
  const openMs = Date.now() - t0;
  check(await page.isVisible('#mg-step'), say('the step slider is shown'));
  eq(await page.getAttribute('#mg-step', 'max'), '99', say('the slider spans 100 steps'));
  eq(await page.getAttribute('#mg-step', 'aria-label'), 'Training step', say('the slider has an ARIA label'));
  check((await page.getAttribute('#mg-boundary', 'src')).startsWith('data:image/png;base64,'), say('the decision boundary is embedded'));
  check(await page.$('#mg-loss path.curve') !== null, say('the loss curve is drawn'));

  /* a parameter's data changes as the slider moves */
  await page.evaluate(() => window.mgInspector.select(0));
  const last = await field(page, 'data');
  await page.focus('#mg-step');
  await page.keyboard.press('Home');
  await nextFrame(page);
  check((await page.textContent('#mg-step-text')).startsWith('Step 0 '), say('Home moves to step 0'));
  const first = await field(page, 'data');
  check(first !== last, say('the panel shows the step\'s numbers (' + first + ' then ' + last + ')'));
  const img0 = await page.getAttribute('#mg-boundary', 'src');
  await page.keyboard.press('End');
  await nextFrame(page);
  check((await page.textContent('#mg-step-text')).startsWith('Step 99 '), say('End moves to step 99'));
  check(img0 !== await page.getAttribute('#mg-boundary', 'src'), say('the boundary picture follows the step'));
  /* responsiveness: every step once, each timed to the next frame */
  const stepMs = await page.evaluate(async () => {
    const s = document.getElementById('mg-step'), ms = [];
    for (let i = 0; i < 100; i++) {
      const t = performance.now();
      s.value = i;
      s.dispatchEvent(new Event('input', { bubbles: true }));
      await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
      ms.push(performance.now() - t);
    }
    ms.sort((a, b) => a - b);
    return { median: ms[50], max: ms[99] };
  });
  eq(await page.evaluate(() => window.mgInspector.state().step), 99, say('the slider reached the last step'));
  await page.click('#mg-before');
  check((await field(page, 'grad')).startsWith('\u2014'), say('before backward the grads read as not computed'));
  await page.click('#mg-after');
  times[name] = { bytes, openWallMs: openMs, scriptInitMs: await page.evaluate(() => window.mgInspector.initMs), nodes: await page.evaluate(() => window.mgInspector.nodes), stepToPaintMs: stepMs };
  /* replay: where the step saved every node; else it says why not */
  await page.click('#mg-replay-backward');
  const nsteps = await page.evaluate(() => window.mgInspector.state().replay.steps);
  const replayMs = await page.evaluate(async () => {
    const next = document.getElementById('mg-replay-next'), ms = [];
    for (let i = 0; i < 10; i++) {
      const t = performance.now();
      next.click();
      await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
      ms.push(performance.now() - t);
    }
    ms.sort((a, b) => a - b);
    return { median: ms[5], max: ms[9] };
  });
  check((await where(page)).startsWith('backward step 10 of ' + nsteps + ':'), say('replay backward steps through the last step\'s graph'));
  times[name].replayStepToPaintMs = replayMs;
  const full = pageData(file).steps.map((f) => !f.partial);
  if (full.includes(false)) {
    await page.focus('#mg-step');
    await page.keyboard.press('Home');
    await nextFrame(page);
    check((await where(page)).includes('only the parameters were saved'), say('replay says why it cannot run where only parameters were saved'));
    check(await page.isDisabled('#mg-replay-next'), say('... and its buttons are disabled there'));
  }
  await page.click('#mg-after');
  const shot = pictureStats(await page.screenshot());
  check(shot.colours > 20 && shot.ink > 0.02, say('the screenshot is not blank (' + shot.colours + ' colours)'));
  eq(page.errors.join('\n'), '', say('no script errors'));
  await page.close();
}

(async () => {
  const dir = option('--keep') || fs.mkdtempSync(path.join(os.tmpdir(), 'mg-inspector-'));
  fs.mkdirSync(dir, { recursive: true });
  const made = execFileSync(makePages, [dir], { encoding: 'utf8' });
  console.log(made.trim());
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'mg-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 800 },
    args: CHROMIUM_FLAGS,
  });
  const requests = [];
  context.on('request', (r) => requests.push(r.url()));
  const times = {};
  try {
    await testExpr(context, dir);
    await testReplay(context, dir);
    await testTensor(context, dir);
    await testAttention(context, dir);
    if (option('--mgviz')) await testCli(context, dir, option('--mgviz'));
    if (option('--mgviz')) await testGptRun(context, dir, option('--mgviz'));
    if (option('--mgviz')) await testGptBatch(context, dir, option('--mgviz'));
    await testMlp(context, dir, times);
    await testFolded(context, dir);
    await testMoons(context, dir, 'moons', times);
    await testMoons(context, dir, 'moons-sample', times);
    if (option('--screenshot') && option('--mgviz')) await readmePicture(context, dir, option('--mgviz'), option('--screenshot'));
  } catch (e) {
    fail(e);
  } finally {
    await context.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
  const foreign = requests.filter((u) => !u.startsWith('file://'));
  eq(foreign.join(' '), '', 'no network request: only the pages\' file:// URLs (' + requests.length + ' requests)');
  console.log('timings ' + JSON.stringify(times, null, 1));
  if (!option('--keep')) fs.rmSync(dir, { recursive: true, force: true });
  finish();
})();
