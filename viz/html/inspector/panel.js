/* panel.js — the selection: the side panel of the selected node (id, op,
 * label, scope, data, grad as a sum of contributions, inputs, users) or edge
 * (local derivative, upstream grad, contribution), and folded boxes opened in
 * place with a list and a strip chart of their nodes. */
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
  if (n.op) panel.appendChild(text('p', nm(id) + ' = ' + exprOf(id), 'formula'));
  var dl = document.createElement('dl');
  var g = x.grad ? x.grad[id] : null, sum = gradSumText(id, x);
  [['id', String(id)], ['op', n.op || '(leaf)'], ['label', n.label || '(none)'],
   ['kind', n.kind + (id === ROOT ? ', root' : '')], ['scope', n.scope || '(top level)'],
   ['data', full(x.data[id]), bad(x.data[id])],
   ['grad', full(g) + (S.phase === 'before' && !S.replay ? ' \u00b7 before backward' : ''), bad(g)]]
    .forEach(function (r) { row(dl, r[0], r[1], r[2], 'mg-field-' + r[0]); });
  if (sum) row(dl, 'grad as a sum', sum, false, 'mg-field-sum');
  if (!nodeEl[id] && nodeFold[id] >= 0)
    row(dl, 'drawn in', 'folded box ' + foldTitle(nodeFold[id]));
  panel.appendChild(dl);
  var actions = document.createElement('div');
  actions.className = 'actions';
  var paths = text('button', S.pathFrom === id ? 'Clear paths' : 'Highlight paths to root');
  paths.type = 'button';
  paths.id = 'mg-paths';
  paths.setAttribute('aria-pressed', S.pathFrom === id ? 'true' : 'false');
  paths.onclick = function () { S.pathFrom = S.pathFrom === id ? -1 : id; S.flow = false; dropPosition(); syncButtons(); refresh(); };
  var centre = text('button', 'Centre in view');
  centre.type = 'button';
  centre.onclick = function () { reveal(id, true); };
  actions.appendChild(paths);
  actions.appendChild(centre);
  panel.appendChild(actions);
  list(panel, 'Inputs', 'micrograd\u2019s _prev: what ' + nm(id) + ' is computed from, in operand order',
       inputEdges[id], function (k) { return E[k].from; }, x, 'mg-inputs');
  list(panel, 'Used by', 'the nodes that take ' + nm(id) + ' as an input; backward sends its grad from them',
       sentTo[id], function (k) { return E[k].to; }, x, 'mg-used-by');
}
function row(dl, name, value, isBad, id) {
  dl.appendChild(text('dt', name));
  var dd = text('dd', value, isBad ? 'bad' : '');
  if (id) dd.id = id;
  dl.appendChild(dd);
  return dd;
}
/* one row per edge: the node at its other end, and the edge with its numbers */
function list(panel, title, about, ks, other, x, listId) {
  var h = text('h3', title + ' (' + ks.length + ')');
  h.appendChild(text('span', ' \u2014 ' + about, 'about'));
  panel.appendChild(h);
  var ul = document.createElement('ul');
  ul.id = listId;
  ks.slice(0, 200).forEach(function (k) {
    var li = document.createElement('li');
    li.appendChild(nodeButton(other(k), x));
    var e = E[k], b = text('button', edgeSummary(k, x));
    b.type = 'button';
    b.className = 'edge';
    b.dataset.edgeFrom = e.from;
    b.dataset.edgeTo = e.to;
    b.setAttribute('aria-label', 'Show the edge ' + nm(e.from) + ' to ' + nm(e.to) + ': ' + edgeSummary(k, x));
    li.appendChild(b);
    ul.appendChild(li);
  });
  if (ks.length > 200) ul.appendChild(text('li', '\u2026 and ' + (ks.length - 200) + ' more'));
  panel.appendChild(ul);
}
/* "edge: 1 × 12 = 12" (local × upstream = contribution), or why not */
function edgeSummary(k, x) {
  var f = edgeFacts(k, x), e = E[k];
  var head = '\u2192 ' + ordinal(e.slot) + ' operand of ' + nm(e.to);
  if (f.why) return head + (edgeNumbers() ? ': not sent yet' : '');
  return head + ': ' + sentText(f);
}

/* The side panel of a selected edge: what it is, its local derivative, the
 * grad upstream of it, what it contributed, and where that went. */
function showEdgePanel(from, to) {
  var x = current(), panel = $('mg-panel'), ks = edgesBetween(from, to);
  panel.textContent = '';
  panel.appendChild(text('h2', 'Edge ' + nm(from) + ' \u2192 ' + nm(to)));
  panel.appendChild(text('p', nm(to) + ' = ' + exprOf(to) + ': ' + nm(from) + ' is its ' +
    ks.map(function (k) { return ordinal(E[k].slot); }).join(' and ') + ' operand' +
    (ks.length > 1 ? ', one edge each; backward sends along both and the two add up.' : '.'), 'formula'));
  ks.forEach(function (k, i) {
    if (ks.length > 1) panel.appendChild(text('h3', ordinal(E[k].slot) + ' operand'));
    var f = edgeFacts(k, x), d = '\u2202' + nm(to) + '/\u2202' + nm(from);
    if (f.why) { panel.appendChild(text('p', f.why, 'hint')); return; }
    var dl = document.createElement('dl');
    if (f.tensor) {
      row(dl, 'local ' + d, 'a Jacobian (a tensor op), not one number', false, 'mg-edge-' + i + '-local');
      row(dl, 'upstream ' + nm(to) + '.grad', 'mean ' + full(f.upstream), bad(f.upstream), 'mg-edge-' + i + '-upstream');
      row(dl, 'contribution', 'mean ' + full(f.contrib), bad(f.contrib), 'mg-edge-' + i + '-contribution');
      panel.appendChild(dl);
      return;
    }
    row(dl, 'local ' + d, full(f.local), bad(f.local), 'mg-edge-' + i + '-local');
    row(dl, 'upstream ' + nm(to) + '.grad', full(f.upstream), bad(f.upstream), 'mg-edge-' + i + '-upstream');
    row(dl, 'contribution', full(f.contrib), bad(f.contrib), 'mg-edge-' + i + '-contribution');
    row(dl, 'chain rule', d + ' \u00d7 ' + nm(to) + '.grad = ' + fmt(f.local) + ' \u00d7 ' + fmt(f.upstream) +
        ' = ' + fmt(f.contrib));
    panel.appendChild(dl);
  });
  var sum = gradSumText(from, x);
  if (sum) {
    panel.appendChild(text('h3', 'Where it goes: ' + nm(from) + '\u2019s grad'));
    var p = text('p', sum, 'formula');
    p.id = 'mg-edge-sum';
    panel.appendChild(p);
  }
  var actions = document.createElement('div');
  actions.className = 'actions';
  actions.appendChild(nodeButton(from, x));
  actions.appendChild(nodeButton(to, x));
  panel.appendChild(actions);
}

function select(id, opts) {
  if (id < 0 || id >= N) return;
  if (S.sel >= 0) mark(S.sel, false);
  S.sel = id;
  S.edge = null;
  markEdge();
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
  pop.setAttribute('aria-label', 'Folded ' + foldTitle(sid));
  var head = document.createElement('header');
  head.appendChild(text('h2', foldTitle(sid) + ' \u2014 ' + ids.length + ' nodes'));
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
