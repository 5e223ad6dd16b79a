/* steps.js — training runs: the step slider, the loss curve with the
 * current step marked, and the decision-boundary picture. */
var hasTraining = steps.length > 1 || steps.some(function (f) { return f.boundary || Number.isFinite(num(f, 'loss')); });
/* a number of the page's JSON: null with a "<key>_str" companion is NaN or
 * an infinity (the graph JSON's rule); null alone is not known (NaN) */
function num(o, key, i) {
  var v = i === undefined ? o[key] : o[key][i], s = o[key + '_str'];
  if (typeof v === 'number') return v;
  if (s && i !== undefined) s = s[i];
  return s === 'inf' ? Infinity : s === '-inf' ? -Infinity : NaN;
}
var slider = $('mg-step');
var pendingStep = -1;
var hasHeatmaps = !!svg.querySelector('g.node image');
function setStep(i) {
  S.step = Math.max(0, Math.min(steps.length - 1, i));
  slider.value = S.step;
  var f = steps[S.step], loss = num(f, 'loss'), acc = num(f, 'accuracy');
  var t = 'Step ' + f.step + ' (' + (S.step + 1) + ' of ' + steps.length + ')' +
    (Number.isFinite(loss) ? ' \u00b7 loss ' + fmt(loss) : '') +
    (Number.isFinite(acc) ? ' \u00b7 accuracy ' + (100 * acc).toFixed(1) + '%' : '') +
    (f.partial ? ' \u00b7 only the parameters were saved at this step (page size); the others show \u2026' : '') +
    (S.step > 0 && hasHeatmaps ? ' \u00b7 the heatmaps in the graph are step ' + steps[0].step + '\u2019s (its layout), faded here' : '');
  $('mg-step-text').textContent = t;
  slider.setAttribute('aria-valuetext', t);
  var img = $('mg-boundary');
  if (f.boundary) { img.src = f.boundary; img.alt = 'Decision boundary at step ' + f.step; }
  $('mg-boundary-fig').hidden = !f.boundary;
  /* the picture was drawn once, at the first step: its heatmaps are that
   * step's numbers (and a sequence model's, that step's tokens) */
  svg.classList.toggle('stale-heatmaps', S.step > 0);
  drawLossMarker(f.step, loss);
  syncReplay(); /* a step without every node cannot be replayed */
  refresh();
}
slider.addEventListener('input', function () {
  if (pendingStep < 0) requestAnimationFrame(function () { var s = pendingStep; pendingStep = -1; setStep(s); });
  pendingStep = +slider.value;
});

var chart = null;
function drawLoss() {
  var c = $('mg-loss');
  var xs, ys;
  if (D.curve && D.curve.step.length) { xs = D.curve.step; ys = D.curve.loss.map(function (v, i) { return num(D.curve, 'loss', i); }); }
  else { xs = steps.map(function (f) { return f.step; }); ys = steps.map(function (f) { return num(f, 'loss'); }); }
  var pts = [];
  for (var i = 0; i < xs.length; i++) if (Number.isFinite(ys[i])) pts.push([xs[i], ys[i]]);
  if (!pts.length) { $('mg-loss-fig').hidden = true; return; }
  var x0 = Math.min.apply(null, pts.map(function (p) { return p[0]; })), x1 = Math.max.apply(null, pts.map(function (p) { return p[0]; }));
  var y0 = Math.min.apply(null, pts.map(function (p) { return p[1]; })), y1 = Math.max.apply(null, pts.map(function (p) { return p[1]; }));
  var logY = y0 > 0 && y1 / y0 > 50;
  var fy = function (y) { return logY ? Math.log10(y) : y; };
  var ly0 = fy(y0), ly1 = fy(y1);
  chart = {
    x: function (s) { return 36 + 274 * (x1 > x0 ? (s - x0) / (x1 - x0) : 0.5); },
    y: function (y) { return 140 - 128 * (ly1 > ly0 ? (fy(y) - ly0) / (ly1 - ly0) : 0.5); }
  };
  var d = pts.map(function (p, k) { return (k ? 'L' : 'M') + chart.x(p[0]).toFixed(1) + ' ' + chart.y(p[1]).toFixed(1); }).join('');
  c.innerHTML = '';
  line(c, 'axis', 'M36 8V140H312');
  line(c, 'curve', d);
  label(c, 2, 14, fmt(y1));
  label(c, 2, 140, fmt(y0));
  label(c, 36, 154, String(x0));
  label(c, 290, 154, String(x1));
  if (logY) label(c, 250, 14, 'log scale');
  c.setAttribute('aria-label', 'Loss curve over steps ' + x0 + ' to ' + x1 + ', from ' + fmt(pts[0][1]) + ' to ' + fmt(pts[pts.length - 1][1]));
  c.addEventListener('click', function (e) {
    var r = c.getBoundingClientRect(), px = (e.clientX - r.left) * 320 / r.width, best = 0;
    steps.forEach(function (f, k) { if (Math.abs(chart.x(f.step) - px) < Math.abs(chart.x(steps[best].step) - px)) best = k; });
    setStep(best);
  });
}
function line(c, cls, d) {
  var p = document.createElementNS(SVGNS, 'path');
  p.setAttribute('class', cls);
  p.setAttribute('d', d);
  c.appendChild(p);
  return p;
}
function label(c, x, y, s) {
  var t = document.createElementNS(SVGNS, 'text');
  t.setAttribute('x', x); t.setAttribute('y', y);
  t.textContent = s;
  c.appendChild(t);
}
function drawLossMarker(step, loss) {
  if (!chart) return;
  var c = $('mg-loss');
  c.querySelectorAll('.now, .dot').forEach(function (e) { e.remove(); });
  var px = chart.x(step);
  line(c, 'now', 'M' + px.toFixed(1) + ' 8V140');
  if (Number.isFinite(loss)) {
    var dot = document.createElementNS(SVGNS, 'circle');
    dot.setAttribute('class', 'dot');
    dot.setAttribute('cx', px); dot.setAttribute('cy', chart.y(loss)); dot.setAttribute('r', 4);
    c.appendChild(dot);
  }
}
