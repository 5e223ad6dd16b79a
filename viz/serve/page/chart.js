/* chart.js — a line chart in SVG: several series over steps (or seconds),
 * each in its run's colour, an optional faint raw line under a smoothed
 * one, guide lines and shaded bad zones, and a crosshair that lists every
 * series' value at the step under the pointer (as TensorBoard's). */

/* TensorBoard's smoothing: an exponential moving average, debiased so the
 * first points are not pulled to 0; non-finite points are kept as gaps. */
function smooth(ys, w) {
  if (!(w > 0)) return ys;
  var out = new Array(ys.length), last = 0, n = 0;
  for (var i = 0; i < ys.length; i++) {
    if (!isFinite(ys[i])) { out[i] = ys[i]; continue; }
    last = last * w + (1 - w) * ys[i];
    n++;
    out[i] = last / (1 - Math.pow(w, n));
  }
  return out;
}

/* spec: { series: [{name, colour, x, y, raw, dots}], yLog, yMin, yMax,
 *         xMin, xMax (ranges at least this wide), xWhole (x is a step:
 *         whole ticks only), guides: [{y, text}], bands: [{from, to}],
 *         xLabel, height, fmtY } */
function lineChart(box, spec) {
  var W = Math.max(260, box.clientWidth || 440), H = spec.height || 210;
  var m = { l: 54, r: 12, t: 10, b: 30 };
  var pw = W - m.l - m.r, ph = H - m.t - m.b;
  var tf = spec.yLog ? function (v) { return v > 0 ? Math.log10(v) : NaN; } : function (v) { return v; };
  var fy = spec.fmtY || fmt;

  /* the ranges of what is drawn */
  var x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
  spec.series.forEach(function (s) {
    [s.y, s.raw].forEach(function (ys) {
      if (!ys) return;
      for (var i = 0; i < ys.length; i++) {
        var v = tf(ys[i]);
        if (!isFinite(v) || !isFinite(s.x[i])) continue;
        if (s.x[i] < x0) x0 = s.x[i];
        if (s.x[i] > x1) x1 = s.x[i];
        if (v < y0) y0 = v;
        if (v > y1) y1 = v;
      }
    });
  });
  var root = svg('svg', { viewBox: '0 0 ' + W + ' ' + H, width: W, height: H, role: 'img',
                          'aria-label': spec.label || 'chart' });
  if (!(x1 >= x0)) {
    root.appendChild(svg('text', { x: W / 2, y: H / 2, 'text-anchor': 'middle', class: 'nodata', text: spec.empty || 'no data yet' }));
    return root;
  }
  if (spec.xMin !== undefined) x0 = Math.min(x0, spec.xMin);
  if (spec.xMax !== undefined) x1 = Math.max(x1, spec.xMax);
  if (spec.yMin !== undefined) y0 = Math.min(y0, tf(spec.yMin));
  if (spec.yMax !== undefined) y1 = Math.max(y1, tf(spec.yMax));
  (spec.guides || []).forEach(function (g) { y0 = Math.min(y0, g.y - 0.5); y1 = Math.max(y1, g.y + 0.5); });
  if (x1 === x0) { x0 -= 1; x1 += 1; }
  if (y1 === y0) { y0 -= Math.abs(y0) * 0.1 || 1; y1 += Math.abs(y1) * 0.1 || 1; }
  var pad = (y1 - y0) * 0.05;
  if (spec.yMin === undefined || tf(spec.yMin) > y0) y0 -= pad;
  if (spec.yMax === undefined || tf(spec.yMax) < y1) y1 += pad;
  var sx = function (x) { return m.l + (x - x0) / (x1 - x0) * pw; };
  var sy = function (v) { return m.t + (1 - (v - y0) / (y1 - y0)) * ph; };

  /* bad zones, grid, axes */
  (spec.bands || []).forEach(function (b) {
    var a = Math.max(y0, b.from), z = Math.min(y1, b.to);
    if (z > a) root.appendChild(svg('rect', { class: 'band', x: m.l, width: pw, y: sy(z), height: sy(a) - sy(z) }));
  });
  var yt = spec.yLog && y1 - y0 >= 1 ? ticks(Math.ceil(y0), Math.floor(y1), 5).filter(function (t) { return t === Math.round(t); }) : ticks(y0, y1, 5);
  var ax = svg('g', { class: 'axis' });
  yt.forEach(function (t) {
    ax.appendChild(svg('line', { class: 'grid', x1: m.l, x2: m.l + pw, y1: sy(t), y2: sy(t) }));
    ax.appendChild(svg('text', { x: m.l - 6, y: sy(t) + 4, 'text-anchor': 'end', text: spec.yLog ? fmt(Math.pow(10, t)) : fy(t) }));
  });
  ticks(x0, x1, Math.max(2, Math.floor(pw / 90))).filter(function (t) {
    return !spec.xWhole || t === Math.round(t); /* no step 936.5 */
  }).forEach(function (t) {
    ax.appendChild(svg('line', { class: 'grid', x1: sx(t), x2: sx(t), y1: m.t, y2: m.t + ph }));
    ax.appendChild(svg('text', { x: sx(t), y: H - 12, 'text-anchor': 'middle', text: fmt(t) }));
  });
  ax.appendChild(svg('text', { x: m.l + pw, y: H - 1, 'text-anchor': 'end', text: spec.xLabel || 'step' }));
  ax.appendChild(svg('rect', { class: 'frame', x: m.l, y: m.t, width: pw, height: ph }));
  root.appendChild(ax);
  (spec.guides || []).forEach(function (g) {
    root.appendChild(svg('line', { class: 'guide', x1: m.l, x2: m.l + pw, y1: sy(g.y), y2: sy(g.y) }));
    if (g.text) root.appendChild(svg('text', { class: 'guide-text', x: m.l + 4, y: sy(g.y) - 4, text: g.text }));
  });

  /* the lines: gaps at non-finite points; at most ~3 points a pixel */
  function path(xs, ys) {
    var d = '', up = true, stride = Math.max(1, Math.floor(xs.length / (pw * 3)));
    for (var i = 0; i < xs.length; i += (i + stride < xs.length ? stride : Math.max(1, xs.length - 1 - i))) {
      var v = tf(ys[i]);
      if (!isFinite(v) || !isFinite(xs[i])) { up = true; continue; }
      d += (up ? 'M' : 'L') + sx(xs[i]).toFixed(1) + ',' + sy(v).toFixed(1);
      up = false;
    }
    return d;
  }
  var clipId = 'clip' + Math.random().toString(36).slice(2);
  var defs = svg('defs', null, svg('clipPath', { id: clipId }, svg('rect', { x: m.l, y: m.t, width: pw, height: ph })));
  root.appendChild(defs);
  var plot = svg('g', { 'clip-path': 'url(#' + clipId + ')' });
  spec.series.forEach(function (s) {
    if (s.raw) plot.appendChild(svg('path', { class: 'raw', stroke: s.colour, d: path(s.x, s.raw) }));
    if (s.dots) {
      for (var i = 0; i < s.x.length; i++) {
        var v = tf(s.y[i]);
        if (isFinite(v)) plot.appendChild(svg('circle', { class: 'eval', cx: sx(s.x[i]), cy: sy(v), r: 4, fill: s.colour }));
      }
      if (s.x.length > 1) plot.appendChild(svg('path', { class: 'line', stroke: s.colour, d: path(s.x, s.y), opacity: 0.6 }));
    } else {
      plot.appendChild(svg('path', { class: 'line', stroke: s.colour, d: path(s.x, s.y) }));
    }
  });
  root.appendChild(plot);

  /* the crosshair */
  var cross = svg('line', { class: 'cross', y1: m.t, y2: m.t + ph, visibility: 'hidden' });
  var marks = svg('g');
  var hit = svg('rect', { x: m.l, y: m.t, width: pw, height: ph, fill: 'transparent' });
  root.appendChild(cross);
  root.appendChild(marks);
  root.appendChild(hit);
  hit.addEventListener('mousemove', function (evt) {
    var r = root.getBoundingClientRect();
    var x = x0 + ((evt.clientX - r.left) * (W / r.width) - m.l) / pw * (x1 - x0);
    var rows = [], at = null;
    clear(marks);
    spec.series.forEach(function (s) {
      var i = bisect(s.x, x);
      if (i < 0) return;
      if (i + 1 < s.x.length && Math.abs(s.x[i + 1] - x) < Math.abs(s.x[i] - x)) i++;
      var v = s.y[i];
      if (at === null || Math.abs(s.x[i] - x) < Math.abs(at - x)) at = s.x[i];
      rows.push([s.colour, s.name, (spec.xLabel || 'step') + ' ' + fmt(s.x[i]), fy(v)].concat(
        s.raw ? ['raw ' + fy(s.raw[i])] : []));
      if (isFinite(tf(v))) marks.appendChild(svg('circle', { class: 'mark', cx: sx(s.x[i]), cy: sy(tf(v)), r: 3.5, fill: s.colour }));
    });
    if (at !== null) {
      cross.setAttribute('x1', sx(at));
      cross.setAttribute('x2', sx(at));
      cross.setAttribute('visibility', 'visible');
    }
    showTooltip(evt, spec.label, rows);
  });
  hit.addEventListener('mouseleave', function () {
    cross.setAttribute('visibility', 'hidden');
    clear(marks);
    hideTooltip();
  });
  return root;
}

/* A card: title, a line under it, the chart and a legend of its series. */
function chartCard(title, sub, spec) {
  var card = el('div', { class: 'card' }, [el('h3', { text: title }), sub ? el('p', { class: 'sub', text: sub }) : null]);
  card.spec = spec;
  spec.label = title;
  return card;
}

/* Draws (again) the chart of a card now that it has a width. */
function drawCard(card) {
  var old = card.querySelector('svg, .legend-row');
  while (old) { card.removeChild(old); old = card.querySelector('svg, .legend-row'); }
  card.appendChild(lineChart(card, card.spec));
  if (card.spec.series.length > 1) {
    var row = el('div', { class: 'legend-row' });
    card.spec.series.forEach(function (s) {
      var item = el('span', { text: s.name });
      item.style.setProperty('--c', s.colour);
      row.appendChild(item);
    });
    card.appendChild(row);
  }
}
