/* positions.js — a sequence model's tokens: pick a position and see what its
 * prediction depends on. The page holds, per position p, which nodes a
 * backward seeded at p's loss alone reached, and which cells of each
 * attention map it left a nonzero grad on (D.positions, html_positions.c).
 * Picking p lights those nodes in the graph and marks, in every attention
 * map, the cells the gradient flowed through: causality you can see (row p
 * in the last block, rows up to p in the blocks before it, nothing right of
 * the diagonal). */
var P = D.positions || null;
S.position = -1;
var reachCache = [];
function reachOf(p) {
  if (reachCache[p]) return reachCache[p];
  var s = atob(P.reach[p]), on = new Uint8Array(N);
  for (var id = 0; id < N; id++) on[id] = (s.charCodeAt(id >> 3) >> (id & 7)) & 1;
  return (reachCache[p] = on);
}
/* a.flow[p] (one bit per unmasked cell, row by row) spread over the
 * [heads, q, k] layout of a.data: 1 where p's gradient passed */
function flowOf(a, p) {
  var s = atob(a.flow[p]), on = new Uint8Array(a.heads * a.q * a.k), c = 0;
  for (var h = 0; h < a.heads; h++) for (var i = 0; i < a.q; i++)
    for (var j = 0; j < a.k && j <= i + a.offset; j++, c++)
      on[(h * a.q + i) * a.k + j] = (s.charCodeAt(c >> 3) >> (c & 7)) & 1;
  return on;
}
function f32(b64) {
  var s = atob(b64), bytes = new Uint8Array(s.length);
  for (var j = 0; j < s.length; j++) bytes[j] = s.charCodeAt(j);
  return new Float32Array(bytes.buffer);
}
/* a token as shown: whitespace made visible */
function tokenText(s) {
  return s === ' ' ? '\u2423' : s === '\n' ? '\u21b5' : s === '\t' ? '\u21e5' : s === '' ? '\u2205' : s;
}
function pickPosition(p) {
  S.position = p === S.position ? -1 : p;
  if (S.position >= 0) { S.flow = false; S.pathFrom = -1; syncButtons(); }
  showPosition();
  refresh();
}
function showPosition() {
  $('mg-tokens').querySelectorAll('button').forEach(function (b, k) {
    b.setAttribute('aria-pressed', k === S.position);
  });
  var t = $('mg-position-text');
  if (S.position < 0) t.textContent = 'Pick a token to see what the prediction made there depends on.';
  else {
    var on = reachOf(S.position), n = on.reduce(function (a, b) { return a + b; }, 0);
    t.textContent = 'Position ' + S.position + ' (' + tokenText(P.names[S.position]) + ') predicts the next token. ' +
      'Its loss alone, sent backward, reaches ' + n + ' of ' + N + ' nodes (lit in the graph); ' +
      'in the attention maps, outlined cells passed gradient to it, faded rows did not.';
  }
  drawAttention();
}
/* One canvas per head: weights in ink, the masked future grey-blue, and
 * for a picked position the cells its gradient passed through (flow)
 * outlined. A masked weight may hold a grad (the matmul after it sends
 * one) but passes none on (the softmax sends masked scores 0), so the page
 * is not even told of it. */
var CELL_MAX = 16;
function drawHead(a, h, data, flow) {
  var T = a.q, K = a.k, cell = Math.max(4, Math.min(CELL_MAX, Math.floor(300 / Math.max(T, K))));
  var ml = 16, mt = 16, every = Math.ceil(10 / cell);
  var c = document.createElement('canvas');
  c.width = ml + K * cell + 1; c.height = mt + T * cell + 1;
  c.className = 'attn';
  var x = c.getContext('2d'), base = h * T * K, top = 0;
  for (var i = 0; i < T * K; i++) top = Math.max(top, data[base + i]);
  var rowOn = [];
  for (var r = 0; r < T; r++) {
    rowOn[r] = false;
    if (flow) for (var j = 0; j <= Math.min(K - 1, r + a.offset); j++) if (flow[base + r * K + j]) rowOn[r] = true;
  }
  for (r = 0; r < T; r++) for (j = 0; j < K; j++) {
    var masked = j > r + a.offset, w = data[base + r * K + j];
    var g = 255 - Math.round(255 * (top > 0 ? w / top : 0));
    x.globalAlpha = flow && !rowOn[r] ? 0.25 : 1;
    x.fillStyle = masked ? '#dde1e6' : 'rgb(' + g + ',' + g + ',' + g + ')';
    x.fillRect(ml + j * cell, mt + r * cell, cell, cell);
  }
  x.globalAlpha = 1;
  if (flow) {
    x.strokeStyle = '#e8590c'; x.lineWidth = Math.max(1, cell / 6);
    for (r = 0; r < T; r++) for (j = 0; j < K; j++)
      if (flow[base + r * K + j]) x.strokeRect(ml + j * cell + 0.5, mt + r * cell + 0.5, cell - 1, cell - 1);
  }
  x.strokeStyle = '#999'; x.lineWidth = 1;
  x.strokeRect(ml - 0.5, mt - 0.5, K * cell + 1, T * cell + 1);
  x.fillStyle = '#222'; x.font = Math.min(11, cell + 2) + 'px sans-serif'; x.textAlign = 'center';
  for (j = 0; j < K; j += every) x.fillText(tokenText(a.knames[j]), ml + j * cell + cell / 2, mt - 4);
  x.textAlign = 'right';
  for (r = 0; r < T; r += every) x.fillText(tokenText(a.qnames[r]), ml - 3, mt + r * cell + cell / 2 + 4);
  c.setAttribute('role', 'img');
  c.setAttribute('aria-label', 'head ' + h + ' attention weights, queries down, keys across' +
    (flow ? '; ' + rowOn.filter(Boolean).length + ' query rows feed position ' + S.position : ''));
  return c;
}
function drawAttention() {
  var box = $('mg-attention');
  box.textContent = '';
  P.attention.forEach(function (a) {
    var fig = document.createElement('figure');
    fig.className = 'attn-map';
    fig.id = 'mg-attn-' + a.id;
    var cap = document.createElement('figcaption'), b = document.createElement('button');
    b.type = 'button';
    b.textContent = (nodes[a.id].label || 'attention') + ' #' + a.id;
    b.title = 'Select this node';
    b.onclick = function () { select(a.id, { center: true }); };
    cap.appendChild(b);
    cap.appendChild(document.createTextNode(' \u00b7 ' + a.heads + ' head' + (a.heads > 1 ? 's' : '') + ', queries \u2193 keys \u2192'));
    fig.appendChild(cap);
    var data = f32(a.data), flow = S.position >= 0 ? flowOf(a, S.position) : null;
    var row = document.createElement('div');
    row.className = 'heads';
    for (var h = 0; h < a.heads; h++) {
      var one = document.createElement('div');
      one.className = 'head';
      one.appendChild(text('span', 'head ' + h));
      one.appendChild(drawHead(a, h, data, flow));
      row.appendChild(one);
    }
    fig.appendChild(row);
    box.appendChild(fig);
  });
}
if (P) {
  $('mg-positions').hidden = false;
  var bar = $('mg-tokens');
  P.names.forEach(function (s, p) {
    var b = document.createElement('button');
    b.type = 'button';
    b.textContent = tokenText(s);
    b.title = 'Position ' + p + ': what does the prediction here depend on?';
    b.setAttribute('aria-pressed', 'false');
    b.setAttribute('aria-label', 'position ' + p + ' ' + JSON.stringify(s));
    b.onclick = function () { pickPosition(p); };
    bar.appendChild(b);
  });
  var where = (P.rows > 1 ? ['batch row 0 of ' + P.rows] : []).concat(steps.length > 1 ? ['at step ' + P.step] : []);
  $('mg-position-step').textContent = where.length ? ' (' + where.join(', ') + ')' : '';
  showPosition();
}
/* A sequence model's graph is a long line: at Fit its tables are specks. The
 * page opens on the last attention node drawn, wide enough to read its heads
 * and tokens (Fit shows the whole graph again). */
function frameAttention() {
  if (!P) return;
  for (var i = P.attention.length; i-- > 0;) {
    var el = nodeEl[P.attention[i].id];
    if (!el) continue;
    var b = userBox(el), r = view.getBoundingClientRect();
    if (b.w / unitsPerPixel() >= 0.3 * r.width) return; /* readable as it is */
    var w = b.w / 0.45, h = w * r.height / r.width;
    vb = { x: b.x + b.w / 2 - w / 2, y: b.y + b.h / 2 - h / 2, w: w, h: h };
    applyView();
    return;
  }
}
/* another highlight (grad flow, paths) replaces the picked position */
function dropPosition() {
  if (S.position < 0) return;
  S.position = -1;
  showPosition();
}
