/* edges.js — the chain rule as data. One edge per operand slot (the inputs,
 * micrograd's _prev, in order): its local derivative and the contribution
 * backward sent along it, per step; a node's grad is the sum of the
 * contributions sent to it, in the order backward sent them. */
var E = [];      /* {from, to, slot}: in node id then operand order, as the
                   step arrays "local" and "contrib" (html_edges.c) */
nodes.forEach(function (n) {
  n.parents.forEach(function (p) { E.push({ from: p, to: n.id, slot: 0 }); });
});
var inputEdges = [], sentTo = [];
for (var k0 = 0; k0 < N; k0++) { inputEdges.push([]); sentTo.push([]); }
E.forEach(function (e, k) {
  e.slot = inputEdges[e.to].length;
  inputEdges[e.to].push(k);
  sentTo[e.from].push(k);
});
/* backward visits users in descending id order, each one's slots in order */
sentTo.forEach(function (ks) { ks.sort(function (a, b) { return E[b].to - E[a].to || a - b; }); });

/* this step's edge numbers {local, contrib}, or null when the page has none */
function edgeNumbers() {
  var f = steps[S.step];
  if (!f.local || !f.contrib || f.partial) return null;
  return { local: numbers(S.step, 'local'), contrib: numbers(S.step, 'contrib') };
}
function ordinal(k) { return ['1st', '2nd', '3rd'][k] || (k + 1) + 'th'; }
function isLeaf(id) { return !nodes[id].op; }

/* The grad of id as its terms: what it had before this backward (a leaf
 * accumulates), the root's seed, and each contribution sent to it, in the
 * order backward sent them; during a backward replay, only those sent so far.
 * null when the page has no edge numbers or grads. */
function gradTerms(id, x) {
  var en = edgeNumbers(), terms = [], f = steps[S.step];
  if (!en || !x.grad) return null;
  var sent = function (user) { return !S.replay || replayDone(user); };
  var prior = isLeaf(id) && f.before ? numbers(S.step, 'before')[id] : 0;
  if (id === ROOT && sent(ROOT)) terms.push({ seed: true, value: numbers(S.step, 'grad')[id] - prior });
  sentTo[id].forEach(function (k) {
    if (reachesRoot[E[k].to] && sent(E[k].to)) terms.push({ edge: k, value: en.contrib[k] });
  });
  return { prior: prior, terms: terms };
}
/* "a.grad = 12 [from b = a + a] + 12 [from b = a + a] = 24" */
function gradSumText(id, x) {
  var t = gradTerms(id, x), g = x.grad ? x.grad[id] : null;
  if (!t) return '';
  var parts = [];
  if (t.prior) parts.push(fmt(t.prior) + ' [before this backward]');
  t.terms.forEach(function (term) {
    parts.push(fmt(term.value) + (term.seed
      ? ' [seed: ' + nm(id) + ' is the root, d' + nm(id) + '/d' + nm(id) + ' = 1]'
      : ' [from ' + nm(E[term.edge].to) + ' = ' + exprOf(E[term.edge].to) + ']'));
  });
  if (!parts.length)
    return gradOf(id) + ': ' + (reachesRoot[id] ? 'nothing sent to it yet' : 'no path from here to the root, so backward sends it nothing');
  return gradOf(id) + ' = ' + parts.join(' + ') + (parts.length > 1 ? ' = ' + fmt(g) : '');
}

/* ---- a drawn edge (from -> to) and the operand edges it stands for ---- */
function edgesBetween(from, to) {
  return inputEdges[to].filter(function (k) { return E[k].from === from; });
}
function selectEdge(from, to) {
  if (!edgesBetween(from, to).length) return;
  if (S.sel >= 0) mark(S.sel, false);
  S.sel = -1;
  S.edge = { from: from, to: to };
  markEdge();
  showEdgePanel(from, to);
  status('Selected the edge ' + nm(from) + ' \u2192 ' + nm(to) + ' = ' + exprOf(to) + '.');
}
var markedEdges = [];
function markEdge() {
  markedEdges.forEach(function (e) { e.el.classList.remove('selected'); });
  markedEdges = !S.edge ? [] : (drawnInto.get(S.edge.to) || []).filter(function (e) { return e.from.id === S.edge.from; });
  markedEdges.forEach(function (e) { e.el.classList.add('selected'); });
}
/* what one edge carries now: numbers, or why not */
function edgeFacts(k, x) {
  var e = E[k], en = edgeNumbers(), g = x.grad ? x.grad[e.to] : null;
  if (!en) return { why: 'This page has no edge numbers (written without them, or only the parameters were saved at this step).' };
  if (g === null || g === undefined) return { why: 'Not sent yet: ' + nm(e.to) + ' has no grad ' + (S.replay ? 'at this point of the replay.' : 'before backward.') };
  if (S.replay && S.replay.dir === 'backward' && !replayDone(e.to))
    return { why: 'Not sent yet: ' + nm(e.to) + '\u2019s turn in backward is step ' + (replayRank(e.to) + 1) + '.' };
  return { local: en.local[k], upstream: g, contrib: en.contrib[k], tensor: isTensor(e.to) };
}
/* a tensor op's edge has a Jacobian, not one local derivative; the page
 * shows its tensors by their means */
function isTensor(id) { return !!nodes[id].shape; }
/* "3 × 1 = 3", or for a tensor edge "mean 0.25" */
function sentText(f) {
  return f.tensor ? 'mean ' + fmt(f.contrib) : fmt(f.local) + ' \u00d7 ' + fmt(f.upstream) + ' = ' + fmt(f.contrib);
}
