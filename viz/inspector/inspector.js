/* inspector.js — the inspector page's behaviour. It reads the data JSON the
 * library embedded (#mg-data: graph structure, per-step numbers) and drives
 * the Graphviz SVG in place: selection, search, paths, before/after backward,
 * colours, folded boxes, NaN jumps, pan and zoom, training steps.
 * No network, no libraries: everything is in this page. */
(function () {
  'use strict';
  var t0 = performance.now();
  var $ = function (id) { return document.getElementById(id); };
  var D = JSON.parse($('mg-data').textContent);
  var G = D.graph;
  var nodes = G.nodes;
  var N = nodes.length;
  var ROOT = G.root;
  var steps = D.steps;
  var PREC = D.precision || 4;

  /* ---- structure ---- */
  var children = [];
  for (var i = 0; i < N; i++) children.push([]);
  nodes.forEach(function (n) {
    n.parents.forEach(function (p) {
      var c = children[p];
      if (c[c.length - 1] !== n.id) c.push(n.id); /* x*x: one child, not two */
    });
  });
  var reachesRoot = walk([ROOT], function (id) { return nodes[id].parents; });

  function walk(start, next) {
    var seen = new Uint8Array(N), stack = start.slice();
    start.forEach(function (id) { seen[id] = 1; });
    while (stack.length) {
      next(stack.pop()).forEach(function (m) {
        if (!seen[m]) { seen[m] = 1; stack.push(m); }
      });
    }
    return seen;
  }

  /* ---- numbers: base64 little-endian arrays, decoded on demand ---- */
  var cache = new Map();
  function numbers(stepIndex, key) {
    var k = stepIndex + ':' + key, x = cache.get(k);
    if (x) return x;
    var s = atob(steps[stepIndex][key]), bytes = new Uint8Array(s.length);
    for (var j = 0; j < s.length; j++) bytes[j] = s.charCodeAt(j);
    x = D.encoding === 'f32' ? Float64Array.from(new Float32Array(bytes.buffer))
                             : new Float64Array(bytes.buffer);
    cache.set(k, x);
    if (cache.size > 48) cache.delete(cache.keys().next().value);
    return x;
  }

  var S = { step: steps.length - 1, phase: 'after', sel: -1, colour: 'kind',
            flow: false, pathFrom: -1, matches: new Set(), fold: -1 };

  /* data and grad of the current step and phase; grad null = not computed */
  function current() {
    var f = steps[S.step];
    var grad = S.phase === 'after' ? numbers(S.step, 'grad')
             : f.before ? numbers(S.step, 'before') : null;
    return { data: numbers(S.step, 'data'), grad: grad };
  }

  function fmt(x) {
    if (x === null) return '\u2014';
    if (x === undefined) return '\u2026';
    if (Number.isNaN(x)) return 'nan';
    if (x === Infinity) return 'inf';
    if (x === -Infinity) return '-inf';
    if (x === 0) return '0';
    var s = x.toPrecision(PREC);
    if (s.indexOf('e') >= 0) {
      var parts = s.split('e');
      return stripZeros(parts[0]) + 'e' + parts[1];
    }
    return stripZeros(s);
  }
  function stripZeros(s) {
    return s.indexOf('.') < 0 ? s : s.replace(/0+$/, '').replace(/\.$/, '');
  }
  function full(x) {
    if (x === null) return '\u2014 (not computed yet)';
    if (x === undefined) return '\u2026 not saved at this step (page size budget): see a step with every node';
    if (Number.isNaN(x)) return 'NaN';
    return String(x);
  }
  function bad(x) { return typeof x === 'number' && !Number.isFinite(x); }

  /* ---- the SVG ---- */
  var view = $('mg-view');
  var svg = view.querySelector('svg');
  var SVGNS = 'http://www.w3.org/2000/svg';
  var vb0 = svg.viewBox.baseVal;
  var home = { x: vb0.x, y: vb0.y, w: vb0.width, h: vb0.height };
  if (!home.w || !home.h) {
    var bb = svg.getBBox();
    home = { x: bb.x, y: bb.y, w: bb.width || 100, h: bb.height || 100 };
  }
  var vb = Object.assign({}, home);
  svg.setAttribute('tabindex', '-1'); /* Tab goes to the nodes, not the picture */
  svg.removeAttribute('width');
  svg.removeAttribute('height');
  svg.setAttribute('preserveAspectRatio', 'xMidYMid meet');

  var nodeEl = new Array(N).fill(null);   /* value boxes by node id */
  var numText = new Array(N).fill(null);  /* {data: text, grad: text} */
  var shapeEl = new Array(N).fill(null);
  var baseFill = new Array(N).fill(null);
  var foldEl = new Map();                 /* scope id -> fold box */
  var foldOfPath = new Map();             /* scope path -> scope id */
  var edges = [];                         /* {el, from, to} edge ends */

  /* an edge end: a value id (its box or its op), or a folded box */
  function endOf(token) {
    var m = /^b?(?:n|op)?(\d+)$/.exec(token), f = /^b?fold(\d+)$/.exec(token);
    return m ? { id: +m[1] } : f ? { fold: +f[1] } : null;
  }

  svg.querySelectorAll('g.node').forEach(function (g) {
    var m;
    if ((m = /^n(\d+)$/.exec(g.id)) && +m[1] < N) {
      var id = +m[1];
      nodeEl[id] = g;
      g.dataset.node = id;
      prepareNode(g, id);
    } else if ((m = /^fold(\d+)$/.exec(g.id))) {
      var sid = +m[1];
      foldEl.set(sid, g);
      if (D.scopes && D.scopes[sid] !== undefined) foldOfPath.set(D.scopes[sid], sid);
      g.dataset.fold = sid;
      g.setAttribute('tabindex', '0');
      g.setAttribute('role', 'button');
      g.setAttribute('aria-label', 'Folded scope ' + (D.scopes ? D.scopes[sid] : sid) + ': press Enter to open');
    } else if ((m = /^op(\d+)$/.exec(g.id)) && +m[1] < N) {
      g.dataset.node = +m[1];
    }
  });
  svg.querySelectorAll('g.edge').forEach(function (g) {
    var m = /^e(.+)_(.+)$/.exec(g.id || '');
    if (!m) {
      var t = g.querySelector('title');
      m = t && /^(.+)->(.+)$/.exec(t.textContent);
    }
    if (m) edges.push({ el: g, from: endOf(m[1]), to: endOf(m[2]) });
  });

  function prepareNode(g, id) {
    g.setAttribute('tabindex', '0');
    g.setAttribute('role', 'button');
    var shape = g.querySelector('polygon, ellipse, path');
    shapeEl[id] = shape;
    baseFill[id] = shape ? shape.getAttribute('fill') : null;
    var texts = {};
    g.querySelectorAll('text').forEach(function (t) {
      var m = /^\s*(data|grad)(\s*[:=]?\s*)(\S+)\s*$/i.exec(t.textContent);
      if (m) texts[m[1].toLowerCase()] = { el: t, prefix: m[1] + m[2] };
    });
    numText[id] = texts;
  }

  /* the fold box (scope id) holding a node not drawn on its own, or -1 */
  var nodeFold = new Int32Array(N).fill(-1);
  if (foldEl.size) {
    nodes.forEach(function (n) {
      if (nodeEl[n.id]) return;
      var path = n.scope;
      while (path) {
        if (foldOfPath.has(path)) { nodeFold[n.id] = foldOfPath.get(path); return; }
        var cut = path.lastIndexOf('/');
        path = cut < 0 ? '' : path.slice(0, cut);
      }
      if (foldOfPath.has('')) nodeFold[n.id] = foldOfPath.get('');
    });
  }
  var members = new Map();                /* scope id -> node ids inside */
  foldEl.forEach(function (el, sid) { members.set(sid, []); });
  for (var m = 0; m < N; m++) if (nodeFold[m] >= 0) members.get(nodeFold[m]).push(m);
  function foldMembers(sid) { return members.get(sid) || []; }

  function describe(id, x) {
    var n = nodes[id];
    return '#' + id + (n.label ? ' ' + n.label : '') + (n.op ? ' (' + n.op + ')' : ' (' + n.kind + ')') +
      ' data ' + fmt(x.data[id]) + ' grad ' + fmt(x.grad ? x.grad[id] : null);
  }

  /* ---- numbers in the picture, colours, NaN marks ---- */
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
      if (t.data) t.data.el.textContent = t.data.prefix + fmt(x.data[id]);
      if (t.grad) t.grad.el.textContent = t.grad.prefix + fmt(g);
      el.classList.toggle('nonfinite', isBad);
      tag(el, isBad);
      el.setAttribute('aria-label', describe(id, x) + (isBad ? ' — not finite' : ''));
    }
    foldEl.forEach(function (el, sid) {
      var any = foldMembers(sid).some(function (id) { return bad(x.data[id]) || (x.grad && bad(x.grad[id])); });
      el.classList.toggle('nonfinite', any);
      tag(el, any);
    });
    paintColours(x);
    markHighlights(x);
    var nan = $('mg-nan');
    nan.disabled = nonfinite.length === 0;
    nan.textContent = nonfinite.length ? 'Jump to first NaN (' + nonfinite.length + ')' : 'No NaN/Inf';
    if (S.sel >= 0) showPanel(S.sel);
    if (S.fold >= 0) openFold(S.fold, S.sel);
  }

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
        var l0 = Math.log10(lo), l1 = Math.log10(hi);
        fill = function (id) {
          var a = Math.abs(x.grad[id]);
          if (!Number.isFinite(a)) return null;
          return a === 0 ? '#f0f0f0' : rampColour(RAMPS.grad, l1 > l0 ? (Math.log10(a) - l0) / (l1 - l0) : 1);
        };
        scale = ['|grad| (log scale)', fmt(lo), fmt(hi), RAMPS.grad, '#f0f0f0', 'grad 0'];
      }
    } else if (S.colour === 'data') {
      var m = 0;
      for (var j = 0; j < N; j++) if (Number.isFinite(x.data[j])) m = Math.max(m, Math.abs(x.data[j]));
      fill = function (id) {
        var v = x.data[id];
        if (!Number.isFinite(v)) return null;
        return rampColour(RAMPS.data, m ? 0.5 + v / (2 * m) : 0.5);
      };
      scale = ['data', fmt(-m), fmt(m), RAMPS.data, null, ''];
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
    else if (S.colour === 'kind') legend.textContent = 'Colours by kind (input, parameter, constant, computed). Numbers are in each box: label | data | grad.';
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
    if (s[4]) {
      var z = document.createElement('span');
      z.className = 'swatch';
      z.style.background = s[4];
      legend.appendChild(z);
      legend.appendChild(text('span', s[5]));
    }
  }
  function addBadSwatch(legend) {
    var b = document.createElement('span');
    b.className = 'swatch bad';
    legend.appendChild(b);
    legend.appendChild(text('span', 'dashed = NaN/Inf'));
  }

  /* ---- highlights: paths to the root, grad flow, search matches ---- */
  function markHighlights(x) {
    var on = null;
    if (S.pathFrom >= 0) {
      var down = walk([S.pathFrom], function (id) { return children[id]; });
      on = new Uint8Array(N);
      for (var i = 0; i < N; i++) on[i] = down[i] && reachesRoot[i];
    } else if (S.flow) {
      on = new Uint8Array(N);
      if (x.grad) for (var j = 0; j < N; j++) on[j] = x.grad[j] !== undefined && x.grad[j] !== 0 ? 1 : 0;
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
  }

  /* ---- the side panel ---- */
  function text(tag, s, cls) {
    var e = document.createElement(tag);
    e.textContent = s;
    if (cls) e.className = cls;
    return e;
  }
  function nodeButton(id, x) {
    var b = text('button', describe(id, x));
    b.type = 'button';
    b.dataset.goto = id;
    b.setAttribute('aria-label', 'Select ' + describe(id, x));
    return b;
  }

  function showPanel(id) {
    var x = current(), n = nodes[id], panel = $('mg-panel');
    panel.textContent = '';
    panel.appendChild(text('h2', '#' + id + (n.label ? ' \u201c' + n.label + '\u201d' : '')));
    var dl = document.createElement('dl');
    var g = x.grad ? x.grad[id] : null;
    [['id', String(id)], ['op', n.op || '(leaf)'], ['label', n.label || '(none)'],
     ['kind', n.kind + (id === ROOT ? ', root' : '')], ['scope', n.scope || '(top level)'],
     ['data', full(x.data[id]), bad(x.data[id])],
     ['grad', full(g) + (S.phase === 'before' ? ' \u00b7 before backward' : ''), bad(g)]]
      .forEach(function (r) {
        dl.appendChild(text('dt', r[0]));
        var dd = text('dd', r[1], r[2] ? 'bad' : '');
        dd.id = 'mg-field-' + r[0];
        dl.appendChild(dd);
      });
    if (!nodeEl[id] && nodeFold[id] >= 0)
      dl.appendChild(text('dt', 'drawn in')), dl.appendChild(text('dd', 'folded box ' + (D.scopes[nodeFold[id]] || '(top level)')));
    panel.appendChild(dl);
    var actions = document.createElement('div');
    actions.className = 'actions';
    var paths = text('button', S.pathFrom === id ? 'Clear paths' : 'Highlight paths to root');
    paths.type = 'button';
    paths.id = 'mg-paths';
    paths.setAttribute('aria-pressed', S.pathFrom === id ? 'true' : 'false');
    paths.onclick = function () { S.pathFrom = S.pathFrom === id ? -1 : id; S.flow = false; syncButtons(); refresh(); };
    var centre = text('button', 'Centre in view');
    centre.type = 'button';
    centre.onclick = function () { reveal(id, true); };
    actions.appendChild(paths);
    actions.appendChild(centre);
    panel.appendChild(actions);
    list(panel, 'Parents', n.parents, x, 'mg-parents');
    list(panel, 'Children', children[id], x, 'mg-children');
  }
  function list(panel, title, ids, x, listId) {
    panel.appendChild(text('h3', title + ' (' + ids.length + ')'));
    var ul = document.createElement('ul');
    ul.id = listId;
    ids.slice(0, 200).forEach(function (p) {
      var li = document.createElement('li');
      li.appendChild(nodeButton(p, x));
      ul.appendChild(li);
    });
    if (ids.length > 200) ul.appendChild(text('li', '\u2026 and ' + (ids.length - 200) + ' more'));
    panel.appendChild(ul);
  }

  function select(id, opts) {
    if (id < 0 || id >= N) return;
    if (S.sel >= 0) mark(S.sel, false);
    S.sel = id;
    mark(id, true);
    showPanel(id);
    if (!nodeEl[id] && nodeFold[id] >= 0) openFold(nodeFold[id], id);
    else closeFold();
    if (!opts || opts.reveal !== false) reveal(id, false);
    if (opts && opts.focus && nodeEl[id]) nodeEl[id].focus({ preventScroll: true });
    status('Selected ' + describe(id, current()) + '.');
  }
  function mark(id, on) {
    var el = nodeEl[id] || foldEl.get(nodeFold[id]);
    if (el) el.classList.toggle('selected', on);
  }

  /* ---- folded boxes, opened in place ---- */
  function openFold(sid, current_) {
    var el = foldEl.get(sid), pop = $('mg-fold');
    if (!el) return;
    S.fold = sid;
    var ids = foldMembers(sid), x = current();
    pop.textContent = '';
    pop.setAttribute('aria-label', 'Folded scope ' + D.scopes[sid]);
    var head = document.createElement('header');
    head.appendChild(text('h2', (D.scopes[sid] || '(top level)') + ' \u2014 ' + ids.length + ' nodes'));
    var close = text('button', 'Close');
    close.type = 'button';
    close.setAttribute('aria-label', 'Close folded scope');
    close.onclick = function () { closeFold(); el.focus(); };
    head.appendChild(close);
    pop.appendChild(head);
    pop.appendChild(stripChart(ids, x));
    var rows = document.createElement('div');
    rows.className = 'rows';
    var shown = ids.slice(0, 400);
    if (current_ >= 0 && shown.indexOf(current_) < 0 && ids.indexOf(current_) >= 0) shown.unshift(current_);
    shown.forEach(function (id) {
      var b = nodeButton(id, x);
      if (id === current_) b.classList.add('current');
      rows.appendChild(b);
    });
    pop.appendChild(rows);
    if (ids.length > shown.length) pop.appendChild(text('p', (ids.length - shown.length) + ' more not listed: search by id or label to reach them.', 'more'));
    place(pop, el);
    pop.hidden = false;
    var cur = rows.querySelector('.current');
    if (cur) rows.scrollTop = cur.offsetTop - rows.offsetTop - rows.clientHeight / 2;
  }
  function closeFold() { S.fold = -1; $('mg-fold').hidden = true; }
  function place(pop, el) {
    var r = el.getBoundingClientRect(), v = view.getBoundingClientRect();
    pop.style.left = Math.max(0, Math.min(r.left - v.left, v.width - 320)) + 'px';
    pop.style.top = Math.max(0, Math.min(r.top - v.top, v.height - 120)) + 'px';
  }
  /* each member's data as a dot, in id order: the shape of a folded scope */
  function stripChart(ids, x) {
    var c = document.createElementNS(SVGNS, 'svg');
    c.setAttribute('viewBox', '0 0 300 70');
    c.setAttribute('preserveAspectRatio', 'none');
    c.setAttribute('role', 'img');
    var vals = ids.map(function (id) { return x.data[id]; }).filter(Number.isFinite);
    var lo = Math.min.apply(null, vals.concat([0])), hi = Math.max.apply(null, vals.concat([0]));
    c.setAttribute('aria-label', 'data of ' + ids.length + ' nodes from ' + fmt(lo) + ' to ' + fmt(hi));
    var d = '';
    ids.forEach(function (id, k) {
      var v = x.data[id];
      if (!Number.isFinite(v)) return;
      var px = ids.length > 1 ? 4 + 292 * k / (ids.length - 1) : 150;
      var py = hi > lo ? 66 - 62 * (v - lo) / (hi - lo) : 35;
      d += 'M' + px.toFixed(1) + ' ' + py.toFixed(1) + 'h0.01';
    });
    var p = document.createElementNS(SVGNS, 'path');
    p.setAttribute('d', d);
    p.setAttribute('stroke', '#1558c0');
    p.setAttribute('stroke-width', '3');
    p.setAttribute('stroke-linecap', 'round');
    c.appendChild(p);
    return c;
  }

  /* ---- pan and zoom (the SVG viewBox) ---- */
  function applyView() { svg.setAttribute('viewBox', vb.x + ' ' + vb.y + ' ' + vb.w + ' ' + vb.h); }
  function fit() { vb = Object.assign({}, home); applyView(); }
  function toUser(clientX, clientY) {
    var p = svg.createSVGPoint();
    p.x = clientX; p.y = clientY;
    return p.matrixTransform(svg.getScreenCTM().inverse());
  }
  function zoom(f, cx, cy) {
    var w = vb.w / f;
    if (w < 20 || w > home.w * 20) return;
    vb = { x: cx - (cx - vb.x) / f, y: cy - (cy - vb.y) / f, w: w, h: vb.h / f };
    applyView();
  }
  function zoomCentre(f) { zoom(f, vb.x + vb.w / 2, vb.y + vb.h / 2); }
  function unitsPerPixel() { return 1 / svg.getScreenCTM().a; }
  function pan(dx, dy) { vb.x += dx; vb.y += dy; applyView(); }

  /* box of an element in viewBox units */
  function userBox(el) {
    var r = el.getBoundingClientRect(), a = toUser(r.left, r.top), b = toUser(r.right, r.bottom);
    return { x: a.x, y: a.y, w: b.x - a.x, h: b.y - a.y };
  }
  function reveal(id, force) {
    var el = nodeEl[id] || foldEl.get(nodeFold[id]);
    if (!el) return;
    var b = userBox(el), inside = b.x >= vb.x && b.y >= vb.y && b.x + b.w <= vb.x + vb.w && b.y + b.h <= vb.y + vb.h;
    var tooSmall = b.w / unitsPerPixel() < 40;
    if (inside && !tooSmall && !force) return;
    if (tooSmall) {
      var scale = (b.w / unitsPerPixel()) / 160;
      vb.w *= scale; vb.h *= scale;
    }
    vb.x = b.x + b.w / 2 - vb.w / 2;
    vb.y = b.y + b.h / 2 - vb.h / 2;
    applyView();
  }

  var drag = null;
  view.addEventListener('pointerdown', function (e) {
    if (e.button !== 0 || e.target.closest('.fold-pop')) return;
    drag = { x: e.clientX, y: e.clientY, moved: false };
  });
  window.addEventListener('pointermove', function (e) {
    if (!drag) return;
    var dx = e.clientX - drag.x, dy = e.clientY - drag.y;
    if (!drag.moved && Math.abs(dx) + Math.abs(dy) < 4) return;
    if (!drag.moved) { drag.moved = true; view.classList.add('dragging'); }
    var u = unitsPerPixel();
    pan(-dx * u, -dy * u);
    drag.x = e.clientX; drag.y = e.clientY;
  });
  window.addEventListener('pointerup', function () {
    if (drag && drag.moved) drag.suppressClick = true;
    view.classList.remove('dragging');
    var d = drag;
    drag = null;
    if (d && d.suppressClick) { swallowClick = true; setTimeout(function () { swallowClick = false; }, 0); }
  });
  var swallowClick = false;
  view.addEventListener('wheel', function (e) {
    e.preventDefault();
    var p = toUser(e.clientX, e.clientY);
    zoom(e.deltaY < 0 ? 1.2 : 1 / 1.2, p.x, p.y);
  }, { passive: false });

  /* ---- events ---- */
  function activate(target, byKey) {
    var g = target.closest && target.closest('g.node');
    if (!g) return false;
    if (g.dataset.fold !== undefined) {
      var sid = +g.dataset.fold;
      if (S.fold === sid) closeFold();
      else {
        openFold(sid, -1);
        /* from the keyboard, go into the opened box: its first node */
        var first = byKey && $('mg-fold').querySelector('.rows button');
        if (first) first.focus({ preventScroll: true });
      }
      return true;
    }
    if (g.dataset.node !== undefined) { select(+g.dataset.node, { reveal: false }); return true; }
    return false;
  }
  svg.addEventListener('click', function (e) { if (!swallowClick) activate(e.target); });
  svg.addEventListener('keydown', function (e) {
    if ((e.key === 'Enter' || e.key === ' ') && activate(e.target, true)) e.preventDefault();
  });
  /* keyboard focus brings a node into view; a click's focus must not move
   * the picture under the pointer between mousedown and click */
  svg.addEventListener('focusin', function (e) {
    var g = e.target.closest && e.target.closest('g.node');
    if (drag || !g || !g.matches(':focus-visible')) return;
    if (g.dataset.node !== undefined && g.id.charAt(0) === 'n') reveal(+g.dataset.node, false);
  });
  document.addEventListener('click', function (e) {
    var b = e.target.closest && e.target.closest('[data-goto]');
    if (b) { select(+b.dataset.goto, { focus: false }); hideResults(); }
  });

  view.addEventListener('keydown', function (e) {
    var u = vb.w / 10;
    var keys = { ArrowLeft: [-u, 0], ArrowRight: [u, 0], ArrowUp: [0, -vb.h / 10], ArrowDown: [0, vb.h / 10] };
    if (keys[e.key]) { pan(keys[e.key][0], keys[e.key][1]); e.preventDefault(); }
  });
  document.addEventListener('keydown', function (e) {
    var t = e.target;
    if (t.tagName === 'INPUT' || t.tagName === 'SELECT' || t.tagName === 'TEXTAREA' || e.ctrlKey || e.metaKey || e.altKey) return;
    var k = e.key;
    if (k === '+' || k === '=') zoomCentre(1.25);
    else if (k === '-' || k === '_') zoomCentre(1 / 1.25);
    else if (k === '0' || k === 'f') fit();
    else if (k === '/') { $('mg-search').focus(); }
    else if (k === 'n') jumpNaN();
    else if (k === 'b') setPhase('before');
    else if (k === 'a') setPhase('after');
    else if (k === 'Escape') {
      var back = $('mg-fold').contains(t) ? foldEl.get(S.fold) : null;
      closeFold(); S.pathFrom = -1; S.flow = false; syncButtons(); refresh();
      if (back) back.focus({ preventScroll: true });
    }
    else return;
    e.preventDefault();
  });

  $('mg-zoom-in').onclick = function () { zoomCentre(1.25); };
  $('mg-zoom-out').onclick = function () { zoomCentre(1 / 1.25); };
  $('mg-fit').onclick = fit;
  $('mg-before').onclick = function () { setPhase('before'); };
  $('mg-after').onclick = function () { setPhase('after'); };
  $('mg-colour').onchange = function (e) { S.colour = e.target.value; refresh(); };
  $('mg-flow').onclick = function () { S.flow = !S.flow; S.pathFrom = -1; syncButtons(); refresh(); };
  $('mg-nan').onclick = jumpNaN;

  function setPhase(p) {
    S.phase = p;
    syncButtons();
    refresh();
    status(p === 'before' ? 'Before backward: grads not computed yet (\u2014).' : 'After backward: grads computed.');
  }
  function syncButtons() {
    $('mg-before').setAttribute('aria-pressed', S.phase === 'before');
    $('mg-after').setAttribute('aria-pressed', S.phase === 'after');
    $('mg-flow').setAttribute('aria-pressed', S.flow);
  }
  function jumpNaN() {
    if (!nonfinite.length) { status('No NaN or Inf in this state.'); return; }
    select(nonfinite[0], { focus: true });
    reveal(nonfinite[0], true);
  }
  function status(s) { $('mg-status').textContent = s; }

  /* ---- search ---- */
  var search = $('mg-search'), results = $('mg-results');
  function find(q) {
    q = q.trim();
    if (!q) return [];
    var ql = q.toLowerCase(), out = [], idm = /^#?(\d+)$/.exec(q);
    if (idm && +idm[1] < N) out.push(+idm[1]);
    var op = ql.indexOf('op:') === 0 ? ql.slice(3) : null;
    nodes.forEach(function (n) {
      if (idm && n.id === +idm[1]) return;
      if (op !== null ? n.op === op
          : n.op === q || (n.label && n.label.toLowerCase().indexOf(ql) >= 0)) out.push(n.id);
    });
    return out;
  }
  function showResults(ids) {
    var x = current();
    results.textContent = '';
    results.appendChild(text('div', ids.length + (ids.length === 1 ? ' match' : ' matches'), 'count'));
    ids.slice(0, 100).forEach(function (id) { results.appendChild(nodeButton(id, x)); });
    results.hidden = false;
  }
  function hideResults() { results.hidden = true; }
  search.addEventListener('input', function () {
    var ids = find(search.value);
    S.matches = new Set(ids);
    if (search.value.trim()) showResults(ids); else hideResults();
    markHighlights(current());
    status(search.value.trim() ? ids.length + ' nodes match \u201c' + search.value.trim() + '\u201d.' : '');
  });
  search.addEventListener('keydown', function (e) {
    if (e.key === 'Enter') {
      var ids = find(search.value);
      if (ids.length) { select(ids[0], { focus: true }); hideResults(); }
      e.preventDefault();
    } else if (e.key === 'Escape') { hideResults(); }
    else if (e.key === 'ArrowDown') {
      var first = results.querySelector('button');
      if (first) { first.focus(); e.preventDefault(); }
    }
  });

  /* ---- training steps ---- */
  var hasTraining = steps.length > 1 || steps.some(function (f) { return f.boundary || Number.isFinite(num(f.loss)); });
  function num(v) { return typeof v === 'number' ? v : v === 'nan' ? NaN : v === 'inf' ? Infinity : v === '-inf' ? -Infinity : NaN; }
  var slider = $('mg-step');
  var pendingStep = -1;
  function setStep(i) {
    S.step = Math.max(0, Math.min(steps.length - 1, i));
    slider.value = S.step;
    var f = steps[S.step], loss = num(f.loss), acc = num(f.accuracy);
    var t = 'Step ' + f.step + ' (' + (S.step + 1) + ' of ' + steps.length + ')' +
      (Number.isFinite(loss) ? ' \u00b7 loss ' + fmt(loss) : '') +
      (Number.isFinite(acc) ? ' \u00b7 accuracy ' + (100 * acc).toFixed(1) + '%' : '') +
      (f.partial ? ' \u00b7 only the parameters were saved at this step (page size); the others show \u2026' : '');
    $('mg-step-text').textContent = t;
    slider.setAttribute('aria-valuetext', t);
    var img = $('mg-boundary');
    if (f.boundary) { img.src = f.boundary; img.alt = 'Decision boundary at step ' + f.step; }
    $('mg-boundary-fig').hidden = !f.boundary;
    drawLossMarker(f.step, loss);
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
    if (D.curve && D.curve.step.length) { xs = D.curve.step; ys = D.curve.loss.map(num); }
    else { xs = steps.map(function (f) { return f.step; }); ys = steps.map(function (f) { return num(f.loss); }); }
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

  /* ---- start ---- */
  if (hasTraining) {
    $('mg-train').hidden = false;
    slider.max = steps.length - 1;
    slider.disabled = steps.length < 2;
    drawLoss();
  }
  applyView();
  setStep(S.step);
  syncButtons();
  window.mgInspector = {
    ready: true,
    initMs: performance.now() - t0,
    nodes: N,
    steps: steps.length,
    select: select,
    state: function () { return { step: S.step, phase: S.phase, selected: S.sel, fold: S.fold, view: Object.assign({}, vb) }; }
  };
})();
