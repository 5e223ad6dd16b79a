/* panel.js — the selection: the side panel of the selected node (id, op,
 * label, scope, data, grad, parents, children), and folded boxes opened in
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
