/* hist.js — histograms over the steps, as TensorBoard's "distributions":
 * one column per logged step, the value axis up, darker where more of the
 * step's values fell (each column on its own scale, so a narrow early
 * distribution is as visible as a wide late one), and the mean as a line.
 * Each step's histogram has its own [min, max] split into equal bins; the
 * picture places every bin at its values. */

/* Light to dark blue: the share of a step's values in a bin (64 levels,
 * made once: a long run's chart fills hundreds of thousands of cells). */
var SHADES = (function () {
  var a = [247, 251, 255], b = [8, 48, 107], out = [];
  for (var k = 0; k <= 64; k++) {
    var t = Math.sqrt(k / 64);
    out.push('rgb(' + a.map(function (v, i) { return Math.round(v + (b[i] - v) * t); }).join(',') + ')');
  }
  return out;
})();
function shade(t) { return SHADES[Math.round(64 * Math.max(0, Math.min(1, t)))]; }

/* hists: [{min, max, mean, std, count, nonfinite, bins}] or null, one per
 * entry of steps. */
function histChart(box, title, steps, hists, xLabel) {
  var W = Math.max(200, box.clientWidth || 300), H = 150;
  var m = { l: 50, r: 8, t: 8, b: 26 };
  var pw = W - m.l - m.r, ph = H - m.t - m.b;
  var dpr = window.devicePixelRatio || 1;
  var canvas = el('canvas', { width: Math.round(W * dpr), height: Math.round(H * dpr), role: 'img',
                              'aria-label': title + ': histograms over the steps' });
  canvas.style.height = H + 'px';
  var g = canvas.getContext('2d');
  g.scale(dpr, dpr);
  var lo = Infinity, hi = -Infinity, x0 = Infinity, x1 = -Infinity;
  hists.forEach(function (h, i) {
    if (!h || !(h.count > 0) || typeof h.min !== 'number' || typeof h.max !== 'number') return;
    lo = Math.min(lo, h.min);
    hi = Math.max(hi, h.max);
    x0 = Math.min(x0, steps[i]);
    x1 = Math.max(x1, steps[i]);
  });
  g.font = '11px system-ui, sans-serif';
  g.fillStyle = '#777';
  if (!(hi >= lo)) {
    g.textAlign = 'center';
    g.fillText('no data yet', W / 2, H / 2);
    return canvas;
  }
  if (hi === lo) { lo -= 0.5; hi += 0.5; }
  if (x1 === x0) { x1 = x0 + 1; }
  var sy = function (v) { return m.t + (1 - (v - lo) / (hi - lo)) * ph; };
  var sx = function (x) { return m.l + (x - x0) / (x1 - x0) * pw; };
  /* at most one column a pixel: a run of thousands of logged steps draws
   * every k-th (and its last), as TensorBoard samples long runs */
  var n = hists.length, every = Math.max(1, Math.ceil(n / pw));
  var colw = Math.max(1, pw / Math.max(1, Math.ceil(n / every) - 1));
  g.fillStyle = '#fff';
  g.fillRect(m.l, m.t, pw, ph);
  var mean = [];
  hists.forEach(function (h, i) {
    if ((i % every && i !== n - 1) || !h || !(h.count > 0) || !Array.isArray(h.bins)) return;
    var nb = h.bins.length, top = Math.max.apply(null, h.bins) || 1;
    var w = (h.max - h.min) / nb, x = sx(steps[i]) - colw / 2;
    for (var b = 0; b < nb; b++) {
      if (!h.bins[b]) continue;
      var ya = sy(h.min + b * w), yb = sy(h.min + (b + 1) * w);
      g.fillStyle = shade(h.bins[b] / top);
      g.fillRect(x, Math.min(ya, yb) - 0.5, colw + 0.5, Math.max(1.5, Math.abs(ya - yb) + 1));
    }
    if (typeof h.mean === 'number') mean.push([sx(steps[i]), sy(h.mean)]);
  });
  g.strokeStyle = '#ff7043';
  g.lineWidth = 1.2;
  g.beginPath();
  mean.forEach(function (p, i) { if (i) g.lineTo(p[0], p[1]); else g.moveTo(p[0], p[1]); });
  g.stroke();
  /* axes */
  g.strokeStyle = '#9aa3ad';
  g.lineWidth = 1;
  g.strokeRect(m.l + 0.5, m.t + 0.5, pw, ph);
  g.fillStyle = '#444';
  g.textAlign = 'right';
  ticks(lo, hi, 4).forEach(function (t) { g.fillText(fmt(t), m.l - 5, sy(t) + 4); });
  g.textAlign = 'center';
  ticks(x0, x1, Math.max(2, Math.floor(pw / 80))).forEach(function (t) { g.fillText(fmt(t), sx(t), H - 12); });
  g.textAlign = 'right';
  g.fillText(xLabel || 'step', m.l + pw, H - 1);
  /* what is under the pointer */
  canvas.addEventListener('mousemove', function (evt) {
    var r = canvas.getBoundingClientRect();
    var x = x0 + ((evt.clientX - r.left) * (W / r.width) - m.l) / pw * (x1 - x0);
    var i = bisect(steps, x);
    if (i + 1 < steps.length && Math.abs(steps[i + 1] - x) < Math.abs(steps[i] - x)) i++;
    var h = hists[i];
    if (!h) return hideTooltip();
    showTooltip(evt, title + ' at ' + (xLabel || 'step') + ' ' + fmt(steps[i]), [
      [null, 'range', fmt(h.min) + ' … ' + fmt(h.max)],
      [null, 'mean ± std', fmt(h.mean) + ' ± ' + fmt(h.std)],
      [null, 'values', String(h.count) + (h.nonfinite ? ' (+' + h.nonfinite + ' nan/inf)' : '')]
    ]);
  });
  canvas.addEventListener('mouseleave', hideTooltip);
  return canvas;
}

/* One step's histogram as bars (the Graphs view's per-layer strip). */
function histBars(title, h, colour) {
  var W = 230, H = 70, root = svg('svg', { viewBox: '0 0 ' + W + ' ' + H, width: W, height: H, role: 'img', 'aria-label': title });
  if (!h || !Array.isArray(h.bins) || !(h.count > 0)) {
    root.appendChild(svg('text', { x: W / 2, y: H / 2, 'text-anchor': 'middle', class: 'nodata', text: 'no values' }));
    return root;
  }
  var top = Math.max.apply(null, h.bins) || 1, bw = (W - 2) / h.bins.length;
  h.bins.forEach(function (c, b) {
    var bh = c / top * (H - 16);
    root.appendChild(svg('rect', { x: 1 + b * bw, y: H - 14 - bh, width: Math.max(1, bw - 1), height: bh, fill: colour }));
  });
  root.appendChild(svg('text', { class: 'tick', x: 1, y: H - 2, text: fmt(h.min) }));
  root.appendChild(svg('text', { class: 'tick', x: W - 1, y: H - 2, 'text-anchor': 'end', text: fmt(h.max) }));
  return root;
}
