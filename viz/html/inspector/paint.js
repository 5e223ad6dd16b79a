/* paint.js — what the picture shows for the current step and phase: the
 * numbers in the boxes, NaN/Inf marks, colours by |grad| or data with their
 * legend, and highlights (paths to the root, grad flow, search matches). */
var nonfinite = [];
function refresh() {
  var x = current();
  nonfinite = [];
  for (var id = 0; id < N; id++) {
    var g = x.grad ? x.grad[id] : null;
    var isBad = bad(x.data[id]) || bad(g);
    if (isBad) nonfinite.push(id);
    var el = nodeEl[id];
    if (!el) continue;
    var t = numText[id];
    /* writes only what changed: each write costs the browser a relayout */
    if (t.data) setText(t.data.el, t.data.prefix + fmt(x.data[id]));
    if (t.grad) setText(t.grad.el, t.grad.prefix + fmt(g));
    el.classList.toggle('nonfinite', isBad);
    tag(el, isBad);
    var label = describe(id, x) + (isBad ? ' — not finite' : '');
    if (el.getAttribute('aria-label') !== label) el.setAttribute('aria-label', label);
  }
  foldEl.forEach(function (el, sid) {
    var any = foldMembers(sid).some(function (id) { return bad(x.data[id]) || (x.grad && bad(x.grad[id])); });
    el.classList.toggle('nonfinite', any);
    tag(el, any);
  });
  paintColours(x);
  markHighlights(x);
  paintReplay(x);
  var nan = $('mg-nan');
  nan.disabled = nonfinite.length === 0;
  nan.textContent = nonfinite.length ? 'Jump to first NaN (' + nonfinite.length + ')' : 'No NaN/Inf';
  if (S.sel >= 0) showPanel(S.sel);
  else if (S.edge) showEdgePanel(S.edge.from, S.edge.to);
  if (S.fold >= 0) openFold(S.fold, S.sel);
}

function setText(el, s) { if (el.textContent !== s) el.textContent = s; }
function tag(el, on) {
  var t = el.querySelector('text.mg-tag');
  if (!on) { if (t) t.remove(); return; }
  if (t) return;
  var b = el.getBBox();
  t = document.createElementNS(SVGNS, 'text');
  t.setAttribute('class', 'mg-tag');
  t.setAttribute('x', b.x);
  t.setAttribute('y', b.y - 3);
  t.textContent = '\u26a0 NaN/Inf';
  el.appendChild(t);
}

/* light ramps, so black label text stays readable on every fill */
var RAMPS = {
  grad: ['#ffffff', '#fff3b0', '#ffd166', '#f4a259', '#e76f51'],
  data: ['#6fa8dc', '#b4d3f0', '#ffffff', '#f7c0a8', '#e8836b']
};
function rampColour(ramp, t) {
  t = Math.max(0, Math.min(1, t)) * (ramp.length - 1);
  var i = Math.min(ramp.length - 2, Math.floor(t)), f = t - i;
  var a = hex(ramp[i]), b = hex(ramp[i + 1]);
  return 'rgb(' + [0, 1, 2].map(function (k) { return Math.round(a[k] + (b[k] - a[k]) * f); }).join(',') + ')';
}
function hex(h) { return [1, 3, 5].map(function (k) { return parseInt(h.substr(k, 2), 16); }); }

function paintColours(x) {
  var legend = $('mg-legend');
  legend.textContent = '';
  var fill = null, scale = null;
  if (S.colour === 'grad' && x.grad) {
    var lo = Infinity, hi = 0;
    for (var i = 0; i < N; i++) {
      var a = Math.abs(x.grad[i]);
      if (a > 0 && Number.isFinite(a)) { lo = Math.min(lo, a); hi = Math.max(hi, a); }
    }
    if (hi > 0) {
      /* log scale over at least one decade, centred on the grads: equal
       * grads take the middle colour, not the most saturated one */
      var l0 = Math.log10(lo), l1 = Math.log10(hi), mid = (l0 + l1) / 2;
      if (l1 - l0 < 1) { l0 = mid - 0.5; l1 = mid + 0.5; }
      fill = function (id) {
        if (x.grad[id] === null) return null;
        var a = Math.abs(x.grad[id]);
        if (!Number.isFinite(a)) return null;
        return a === 0 ? '#f0f0f0' : rampColour(RAMPS.grad, (Math.log10(a) - l0) / (l1 - l0));
      };
      scale = ['|grad| (log scale)', fmt(Math.pow(10, l0)), fmt(Math.pow(10, l1)), RAMPS.grad, '#f0f0f0', 'grad 0',
               lo === hi ? 'every nonzero |grad| is ' + fmt(lo) : 'nonzero |grad| from ' + fmt(lo) + ' to ' + fmt(hi)];
    }
  } else if (S.colour === 'data') {
    var m = 0;
    for (var j = 0; j < N; j++) if (Number.isFinite(x.data[j])) m = Math.max(m, Math.abs(x.data[j]));
    fill = function (id) {
      var v = x.data[id];
      if (!Number.isFinite(v)) return null;
      return rampColour(RAMPS.data, m ? 0.5 + v / (2 * m) : 0.5);
    };
    scale = ['data', fmt(-m), fmt(m), RAMPS.data, null, '', m ? '' : 'every data is 0'];
  } else if (S.colour === 'grad') {
    legend.textContent = 'No grads in this state: nothing to colour by |grad|.';
  }
  for (var id = 0; id < N; id++) {
    var s = shapeEl[id];
    if (!s) continue;
    var c = fill ? fill(id) : null;
    s.style.fill = c || '';
  }
  /* a folded box takes the colour of its member largest in magnitude */
  foldEl.forEach(function (el, sid) {
    var shape = el.querySelector('polygon, ellipse, path'), best = -1, top = -1;
    if (!shape) return;
    if (fill) foldMembers(sid).forEach(function (id) {
      var v = Math.abs(S.colour === 'grad' ? x.grad[id] : x.data[id]);
      if (Number.isFinite(v) && v > top) { top = v; best = id; }
    });
    shape.style.fill = best >= 0 ? fill(best) || '' : '';
  });
  if (scale) drawLegend(legend, scale);
  if (scale && foldEl.size) legend.appendChild(text('span', '(folded boxes: their largest member)'));
  else if (S.colour === 'kind') kindSwatches(legend);
  addBadSwatch(legend);
}

function drawLegend(legend, s) {
  legend.appendChild(text('span', s[0] + ':'));
  legend.appendChild(text('span', s[1]));
  var ramp = document.createElement('span');
  ramp.className = 'ramp';
  ramp.style.background = 'linear-gradient(to right,' + s[3].join(',') + ')';
  ramp.setAttribute('role', 'img');
  ramp.setAttribute('aria-label', 'colour scale from ' + s[1] + ' to ' + s[2]);
  legend.appendChild(ramp);
  legend.appendChild(text('span', s[2]));
  if (s[4]) swatch(legend, s[4], s[5]);
  if (s[6]) legend.appendChild(text('span', '(' + s[6] + ')'));
}
function swatch(legend, colour, label, stroke) {
  var z = document.createElement('span');
  z.className = 'swatch';
  z.style.background = colour;
  if (stroke && stroke !== 'black') z.style.borderColor = stroke;
  legend.appendChild(z);
  legend.appendChild(text('span', label));
}
/* the drawing's own colours by kind, read from the SVG: the legend cannot
 * disagree with the picture */
var KINDS = [['input', 'input'], ['param', 'parameter'], ['const', 'constant'],
             ['computed', 'computed'], ['op', 'op'], ['root', 'root'], ['fold', 'folded scope']];
var kindFill = KINDS.map(function (k) {
  var sel = 'g.node.' + k[0] + (k[0] === 'root' ? '' : ':not(.root)');
  var g = svg.querySelector(sel + ' > polygon, ' + sel + ' > ellipse, ' + sel + ' > path');
  return g ? [g.getAttribute('fill'), k[1], g.getAttribute('stroke')] : null;
}).filter(Boolean);
function kindSwatches(legend) {
  legend.appendChild(text('span', 'Colours by kind:'));
  kindFill.forEach(function (k) { swatch(legend, k[0], k[1], k[2]); });
  legend.appendChild(text('span', '\u00b7 each box reads label | data | grad.'));
}
function addBadSwatch(legend) {
  var b = document.createElement('span');
  b.className = 'swatch bad';
  legend.appendChild(b);
  legend.appendChild(text('span', 'dashed = NaN/Inf'));
}

/* ---- highlights: paths to the root, grad flow, a position's sources
 * (positions.js), search matches ---- */
function markHighlights(x) {
  var on = null;
  if (S.pathFrom >= 0) {
    var down = walk([S.pathFrom], function (id) { return children[id]; });
    on = new Uint8Array(N);
    for (var i = 0; i < N; i++) on[i] = down[i] && reachesRoot[i];
  } else if (S.flow) {
    on = new Uint8Array(N);
    if (x.grad) for (var j = 0; j < N; j++) on[j] = x.grad[j] !== undefined && x.grad[j] !== null && x.grad[j] !== 0 ? 1 : 0;
  } else if (S.position >= 0) {
    on = reachOf(S.position);
  }
  svg.classList.toggle('dim', !!on);
  var foldOn = new Map();
  if (on) foldEl.forEach(function (el, sid) {
    foldOn.set(sid, foldMembers(sid).some(function (k) { return !!on[k]; }));
  });
  var endOn = function (end) { return !!end && (end.fold !== undefined ? foldOn.get(end.fold) : !!on[end.id]); };
  svg.querySelectorAll('g.node').forEach(function (g) {
    var id = g.dataset.node !== undefined ? +g.dataset.node : -1;
    var hl = false;
    if (on && id >= 0) hl = !!on[id];
    else if (on && g.dataset.fold !== undefined) hl = foldOn.get(+g.dataset.fold);
    g.classList.toggle('hl', hl);
    g.classList.toggle('match', id >= 0 && g.id.charAt(0) === 'n' && S.matches.has(id));
  });
  edges.forEach(function (e) {
    e.el.classList.toggle('hl', !!on && endOn(e.from) && endOn(e.to));
  });
  var count = on ? on.reduce(function (a, b) { return a + b; }, 0) : 0;
  if (S.pathFrom >= 0) status(count + ' nodes on paths from #' + S.pathFrom + ' to the root #' + ROOT + '.');
  else if (S.flow) status(x.grad ? count + ' nodes carry a nonzero grad.' : 'Before backward: no grad has flowed yet.');
  else if (S.position >= 0) status(count + ' nodes feed the prediction at position ' + S.position + ' (' + tokenText(P.names[S.position]) + ').');
}
