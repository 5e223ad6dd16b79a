/* health.js — the Health view: per selected run, its warnings and, per
 * layer, four panels over the steps: the outputs' histograms, the grads'
 * histograms, dead ReLUs or saturated tanh units (or the grad norm of a
 * linear layer), and the update-to-data ratio against the ~-3 guide with
 * the bad zones shaded (the run's own warning limits). */

var RATIO_LOW = -5, RATIO_HIGH = -1, BAD_FRACTION = 0.5;

function warningsBox(r) {
  if (!r.warnings.length) return null;
  var all = r.warnings.slice().reverse(), showAll = r.showAllWarnings;
  var list = el('ol', null, (showAll ? all : all.slice(0, 5)).map(function (w) {
    return el('li', null, [el('span', { class: 'wstep', text: 'step ' + w.step }), w.text]);
  }));
  var box = el('div', { class: 'warnings', role: 'note' },
               [el('strong', { text: r.warnings.length + ' warning' + (r.warnings.length === 1 ? '' : 's') + ' (newest first)' }), list]);
  if (all.length > 5) {
    var b = el('button', { type: 'button', text: showAll ? 'fewer' : 'all ' + all.length });
    b.addEventListener('click', function () { r.showAllWarnings = !showAll; renderNow(); });
    box.appendChild(b);
  }
  return box;
}

function layerPanels(r, L, useTime) {
  var xs = useTime ? L.step.map(function (k) { var i = r.step.indexOf(k); return i >= 0 ? r.time[i] : NaN; }) : L.step;
  var xl = useTime ? 'seconds' : 'step';
  var one = function (name, y) { return [{ name: name, colour: r.colour, x: xs, y: y }]; };
  var cards = [];
  var act = el('div', { class: 'card' }, [el('h3', { text: 'activations' }), el('p', { class: 'sub', text: (L.act || 'layer') + ' outputs' })]);
  var grad = el('div', { class: 'card' }, [el('h3', { text: 'grads' }), el('p', { class: 'sub', text: 'of the parameters' })]);
  act.draw = function () { act.appendChild(histChart(act, L.scope + ' activations', xs, L.actHist, xl)); };
  grad.draw = function () { grad.appendChild(histChart(grad, L.scope + ' grads', xs, L.gradHist, xl)); };
  cards.push(act, grad);
  var bad = [{ from: BAD_FRACTION, to: 1.05 }];
  if (L.act === 'relu')
    cards.push(chartCard('dead units', 'ReLUs that output 0 for every sample', { series: one('dead', L.dead), yMin: 0, yMax: 1, bands: bad, fmtY: pct, xLabel: xl, height: 150 }));
  else if (L.act === 'tanh' || L.act === 'sigmoid')
    cards.push(chartCard('saturated', L.act === 'tanh' ? '|tanh| > 0.97' : '|2·sigmoid − 1| > 0.97', { series: one('saturated', L.saturated), yMin: 0, yMax: 1, bands: bad, fmtY: pct, xLabel: xl, height: 150 }));
  else
    cards.push(chartCard('grad norm', 'L2 norm of the parameters\u2019 grads', { series: one('grad norm', L.gradNorm), yLog: true, xLabel: xl, height: 150 }));
  cards.push(chartCard('update / data', 'log\u2081\u2080(|update| / |data|)', {
    series: one('ratio', L.ratio), guides: [{ y: -3, text: '≈ −3' }], xLabel: xl, height: 150,
    bands: [{ from: -1e9, to: RATIO_LOW }, { from: RATIO_HIGH, to: 1e9 }] }));
  return cards;
}

function renderHealth(ids, opt) {
  var box = document.getElementById('health');
  clear(box);
  var rs = ids.map(function (id) { return runs[id]; }).filter(Boolean);
  if (!rs.length) {
    box.appendChild(el('p', { class: 'empty', text: 'Tick a run on the left to see the health of its layers.' }));
    return;
  }
  var draws = [];
  rs.forEach(function (r) {
    var sw = el('span', { class: 'swatch' });
    sw.style.background = r.colour;
    var sec = el('section', { class: 'run-health' }, [
      el('h2', null, [sw, el('span', { class: 'name', text: r.id }), el('span', { class: 'sub', text: runSummary(r) })]),
      warningsBox(r)]);
    if (!r.layerOrder.length)
      sec.appendChild(el('p', { class: 'empty', text: r.step.length ? 'This run records no per-layer health.' : 'No step logged yet.' }));
    r.layerOrder.forEach(function (scope) {
      var L = r.layers[scope];
      var row = el('div', { class: 'layer' }, el('div', { class: 'layer-title' }, [
        scope, el('span', { class: 'kind', text: ' · ' + (L.act || '?') + (L.units ? ' · ' + L.units + (L.units === 1 ? ' unit' : ' units') : '') })]));
      layerPanels(r, L, opt.time).forEach(function (c) { row.appendChild(c); draws.push(c); });
      sec.appendChild(row);
    });
    box.appendChild(sec);
  });
  draws.forEach(function (c) { if (c.draw) c.draw(); else drawCard(c); });
}
