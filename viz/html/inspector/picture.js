/* picture.js — the Graphviz SVG as the page finds it: value boxes, op nodes,
 * folded boxes and edges indexed by node id, and which fold holds which node
 * (D.fold, the picture's own fold plan, so counts agree with the picture).
 * Edges get a wide invisible twin so a pointer can hit them. */
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
var FOLD = D.fold || { boxes: [], node_box: [] };
var foldEl = new Map();                 /* box index -> fold box */
var foldIndex = new Map();              /* SVG id ("fold12", "group3") -> box index */
FOLD.boxes.forEach(function (b, i) { foldIndex.set(b.id, i); });
var edges = [];                         /* {el, from, to} edge ends */
var drawnOf = [];                       /* node id -> its value box and op node */
for (var d0 = 0; d0 < N; d0++) drawnOf.push([]);
var drawnInto = new Map();              /* node id -> drawn edges into its op or box */

/* what a folded box stands for: its scope path, or a group's members */
function foldTitle(i) {
  var b = FOLD.boxes[i];
  if (!b) return '';
  if (b.members.length < 2) return (b.path || '(top level)') + (b.leaves ? ' (leaves)' : '');
  var name = function (sid) { var p = D.scopes[sid] || ''; return p.slice(p.lastIndexOf('/') + 1); };
  return b.path.slice(0, b.path.lastIndexOf('/') + 1) + name(b.members[0]) + ' \u2026 ' +
    name(b.members[b.members.length - 1]) + ' \u00d7' + b.members.length;
}

/* an edge end: a value id (its box or its op), or a folded box */
function endOf(token) {
  var m = /^b?(?:n|op)?(\d+)$/.exec(token);
  var f = foldIndex.has(token) ? foldIndex.get(token) : foldIndex.get(token.replace(/^b/, ''));
  return m ? { id: +m[1] } : f !== undefined ? { fold: f } : null;
}

svg.querySelectorAll('g.node').forEach(function (g) {
  var m;
  if ((m = /^n(\d+)$/.exec(g.id)) && +m[1] < N) {
    var id = +m[1];
    nodeEl[id] = g;
    g.dataset.node = id;
    prepareNode(g, id);
  } else if (foldIndex.has(g.id)) {
    var bi = foldIndex.get(g.id);
    foldEl.set(bi, g);
    g.dataset.fold = bi;
    g.setAttribute('tabindex', '0');
    g.setAttribute('role', 'button');
    g.setAttribute('aria-label', 'Folded ' + foldTitle(bi) + ': press Enter to open');
  } else if ((m = /^op(\d+)$/.exec(g.id)) && +m[1] < N) {
    g.dataset.node = +m[1];
  }
  if (g.dataset.node !== undefined) drawnOf[+g.dataset.node].push(g);
});
/* "e<FROM>_<TO>" split where both ends name something ("e3_fold12_leaves") */
function edgeEnds(id) {
  if (id.charAt(0) !== 'e' && id.slice(0, 2) !== 'be') return null;
  var body = id.slice(id.indexOf('e') + 1);
  for (var i = body.indexOf('_'); i >= 0; i = body.indexOf('_', i + 1))
    if (endOf(body.slice(0, i)) && endOf(body.slice(i + 1))) return [id, body.slice(0, i), body.slice(i + 1)];
  return null;
}
svg.querySelectorAll('g.edge').forEach(function (g) {
  var m = edgeEnds(g.id || '');
  if (!m) {
    var t = g.querySelector('title');
    m = t && /^(.+)->(.+)$/.exec(t.textContent);
  }
  if (!m) return;
  var e = { el: g, from: endOf(m[1]), to: endOf(m[2]) };
  edges.push(e);
  if (!e.from || !e.to || e.from.id === undefined || e.to.id === undefined) return;
  if (!drawnInto.has(e.to.id)) drawnInto.set(e.to.id, []);
  drawnInto.get(e.to.id).push(e);
  if (e.from.id === e.to.id) return; /* op -> its own value box: not an operand edge */
  g.dataset.from = e.from.id;
  g.dataset.to = e.to.id;
  var line = g.querySelector('path');
  if (line) {
    var hit = line.cloneNode(false);
    hit.setAttribute('class', 'mg-hit');
    hit.removeAttribute('stroke-dasharray');
    g.insertBefore(hit, g.firstChild);
  }
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

/* the fold box (box index) holding a node not drawn on its own, or -1 */
var nodeFold = new Int32Array(N).fill(-1);
for (var k = 0; k < N; k++) {
  var bx = FOLD.node_box[k];
  if (bx >= 0 && foldEl.has(bx)) nodeFold[k] = bx;
}
var members = new Map();                /* box index -> node ids inside */
foldEl.forEach(function (el, sid) { members.set(sid, []); });
for (var m = 0; m < N; m++) if (nodeFold[m] >= 0) members.get(nodeFold[m]).push(m);
function foldMembers(sid) { return members.get(sid) || []; }

function describe(id, x) {
  var n = nodes[id];
  return '#' + id + (n.label ? ' ' + n.label : '') + (n.op ? ' (' + n.op + ')' : ' (' + n.kind + ')') +
    ' data ' + fmt(x.data[id]) + ' grad ' + fmt(x.grad ? x.grad[id] : null);
}
