/* replay.js — forward and backward one node at a time. Ids are created in
 * topological order (a node after its inputs), so forward visits the nodes
 * that reach the root in ascending id order and backward in descending order,
 * as the engine's backward does. Position p means p steps are done; the page
 * shows the numbers as they were then: forward, the data computed so far;
 * backward, each grad as the sum of the contributions sent to it so far. */
var ORDER = [], RANK = new Int32Array(N).fill(-1);
for (var r0 = 0; r0 < N; r0++) if (reachesRoot[r0]) { RANK[r0] = ORDER.length; ORDER.push(r0); }
var K = ORDER.length;

function replayNode(pos) { /* the node of step pos (1-based) */
  return S.replay.dir === 'forward' ? ORDER[pos - 1] : ORDER[K - pos];
}
function replayRank(id) { /* 0-based step index of id in the current replay */
  return S.replay.dir === 'forward' ? RANK[id] : K - 1 - RANK[id];
}
function replayDone(id) { return RANK[id] >= 0 && replayRank(id) < S.replay.pos; }
function replayable() { return !steps[S.step].partial; }

var replayCache = { key: '', x: null };
/* the numbers of the current step as they were after S.replay.pos steps */
function replayState() {
  var key = S.step + ':' + S.replay.dir + ':' + S.replay.pos;
  if (replayCache.key === key) return replayCache.x;
  var data = numbers(S.step, 'data'), fin = numbers(S.step, 'grad'), x;
  if (S.replay.dir === 'forward') {
    var shown = new Array(N);
    for (var i = 0; i < N; i++) shown[i] = RANK[i] < 0 || RANK[i] < S.replay.pos ? data[i] : null;
    x = { data: shown, grad: null };
  } else {
    x = { data: data, grad: backwardGrads(fin, S.replay.pos) };
  }
  replayCache = { key: key, x: x };
  return x;
}
function backwardGrads(fin, pos) {
  var f = steps[S.step], before = f.before ? numbers(S.step, 'before') : null;
  var en = edgeNumbers(), g = new Array(N);
  for (var i = 0; i < N; i++)
    g[i] = RANK[i] < 0 ? fin[i] : isLeaf(i) && before && before[i] !== 0 ? before[i] : null;
  for (var s = 1; s <= pos; s++) {
    var v = ORDER[K - s];
    g[v] = fin[v]; /* its users have all sent: its grad is complete */
    if (en) inputEdges[v].forEach(function (k) {
      var p = E[k].from;
      g[p] = (g[p] === null ? 0 : g[p]) + en.contrib[k];
    });
  }
  return g;
}

/* ---- what the current step did, in words ---- */
function kindWords(id) {
  var k = nodes[id].kind;
  return k === 'param' ? 'a parameter' : k === 'const' ? 'a constant' : 'an input';
}
/* "6 + 6 = 12" (or "12") as the running sum of id's grad now */
function runningSum(id, x) {
  var t = gradTerms(id, x);
  if (!t) return fmt(x.grad[id]);
  var parts = (t.prior ? [t.prior] : []).concat(t.terms.map(function (u) { return u.value; })).map(fmt);
  return parts.length > 1 ? parts.join(' + ') + ' = ' + fmt(x.grad[id]) : fmt(x.grad[id]);
}
function replayText() {
  if (!S.replay) return 'Replay the forward or backward pass one node at a time: choose a direction, then Step (key .), Back (,), Play (p), Reset (r).';
  if (!replayable()) return 'Replay needs every node\u2019s numbers; only the parameters were saved at this step. Pick a step with every node.';
  var fwd = S.replay.dir === 'forward', pos = S.replay.pos, x = current();
  if (pos === 0) return fwd
    ? 'Forward replay: ' + K + ' steps, one per node in topological order (each node after its inputs). Press Step (.) to compute the first.'
    : 'Backward replay: ' + K + ' steps, one per node in reverse topological order (each node after every node that uses it), starting at the root. Press Step (.) to start.';
  var v = replayNode(pos), head = (fwd ? 'forward' : 'backward') + ' step ' + pos + ' of ' + K + ': ';
  var end = pos === K ? (fwd ? ' Done: the root ' + nm(ROOT) + ' = ' + fmt(x.data[ROOT]) + '.' : ' Done: every grad is complete.') : '';
  var leaf = !nodes[v].label && nodes[v].kind === 'const' ? who(v) : who(v) + ' is ' + kindWords(v);
  if (fwd) return head + (isLeaf(v) ? leaf + (nodes[v].label || nodes[v].kind !== 'const' ? ': ' + nm(v) + ' = ' + fmt(x.data[v]) : '')
    : nm(v) + ' = ' + exprOf(v) + ' = ' + exprOf(v, x.data) + ' = ' + fmt(x.data[v])) + '.' + end;
  var t = v === ROOT ? nm(v) + ' is the root, so ' + gradOf(v) + ' = ' + fmt(x.grad[v]) + '. ' : '';
  if (isLeaf(v)) return head + t + leaf + ', a leaf: it sends nothing; its grad is complete: ' +
    gradOf(v) + ' = ' + runningSum(v, x) + '.' + end;
  var en = edgeNumbers(), ks = inputEdges[v];
  if (!en) return head + t + nm(v) + ' = ' + exprOf(v) + ' has its complete grad ' + fmt(x.grad[v]) +
    ' and sends to ' + ks.map(function (k) { return who(E[k].from); }).join(' and ') + ' (this page has no edge numbers).' + end;
  var sends = ks.map(function (k) { return sentText(edgeFacts(k, x)) + ' to ' + who(E[k].from); });
  var got = [];
  ks.forEach(function (k) { if (got.indexOf(E[k].from) < 0) got.push(E[k].from); });
  return head + t + nm(v) + ' = ' + exprOf(v) + ' sends ' + (isTensor(v) ? 'a contribution' : 'local \u00d7 ' + gradOf(v)) + ' to each input: ' +
    sends.join(', ') + '. Now ' + got.map(function (p) { return gradOf(p) + ' = ' + runningSum(p, x); }).join(', ') + '.' + end;
}

/* ---- controls ---- */
var playTimer = 0;
function startReplay(dir) {
  stopPlay();
  S.replay = { dir: dir, pos: 0 };
  syncReplay();
  refresh();
}
function stopReplay() {
  stopPlay();
  S.replay = null;
  syncReplay();
}
function stepReplay(delta) {
  if (!S.replay) startReplay('backward');
  var pos = Math.max(0, Math.min(K, S.replay.pos + delta));
  if (pos === S.replay.pos && delta) { if (delta > 0) stopPlay(); return; }
  S.replay.pos = pos;
  syncReplay();
  refresh();
  status(''); /* the line above the graph says where we are */
  if (pos > 0) reveal(replayNode(pos), false); /* followed, readable */
}
function setReplayPos(pos) { if (S.replay) stepReplay(pos - S.replay.pos); }
function togglePlay() {
  if (playTimer) { stopPlay(); return; }
  if (!S.replay) startReplay('backward');
  if (S.replay.pos >= K) setReplayPos(0);
  playTimer = setInterval(function () { stepReplay(1); }, 900);
  syncReplay();
  stepReplay(1);
}
function stopPlay() {
  if (playTimer) clearInterval(playTimer);
  playTimer = 0;
  syncReplay();
}
function syncReplay() {
  var on = !!S.replay, ok = replayable();
  $('mg-replay-forward').setAttribute('aria-pressed', on && S.replay.dir === 'forward');
  $('mg-replay-backward').setAttribute('aria-pressed', on && S.replay.dir === 'backward');
  var pos = $('mg-replay-pos');
  pos.max = K;
  pos.value = on ? S.replay.pos : 0;
  pos.disabled = !on || !ok;
  ['mg-replay-reset', 'mg-replay-prev', 'mg-replay-next', 'mg-replay-play'].forEach(function (b) { $(b).disabled = !ok; });
  var play = $('mg-replay-play');
  play.textContent = playTimer ? '\u23f8 Pause' : '\u25b6 Play';
  play.setAttribute('aria-label', playTimer ? 'Pause' : 'Play');
  if (on) S.phase = 'after';
  syncButtons();
}
$('mg-replay-forward').onclick = function () { startReplay('forward'); };
$('mg-replay-backward').onclick = function () { startReplay('backward'); };
$('mg-replay-reset').onclick = function () { stopPlay(); setReplayPos(0); if (!S.replay) startReplay('backward'); };
$('mg-replay-prev').onclick = function () { stopPlay(); stepReplay(-1); };
$('mg-replay-next').onclick = function () { stopPlay(); stepReplay(1); };
$('mg-replay-play').onclick = togglePlay;
$('mg-replay-pos').addEventListener('input', function (e) { var to = +e.target.value; stopPlay(); setReplayPos(to); });

/* ---- the picture: done, current and waiting nodes, the current node's
 * incoming edges, and a tag with what just changed ---- */
var replayMarks = { any: false, edges: [], tags: [] };
function paintReplay(x) {
  var words = replayText();
  $('mg-replay-text').textContent = words;
  $('mg-replay-pos').setAttribute('aria-valuetext', words);
  var active = !!S.replay && replayable();
  if (!active && !replayMarks.any) return;
  replayMarks.any = active;
  var on = active && S.replay.pos > 0, cur = on ? replayNode(S.replay.pos) : -1;
  svg.classList.toggle('replay', active);
  var recv = new Set();
  if (on && S.replay.dir === 'backward') inputEdges[cur].forEach(function (k) { recv.add(E[k].from); });
  for (var id = 0; id < N; id++) {
    var els = drawnOf[id];
    if (!els.length) continue;
    var waiting = active && RANK[id] >= 0 && !replayDone(id);
    for (var j = 0; j < els.length; j++) {
      els[j].classList.toggle('waiting', waiting && !recv.has(id));
      els[j].classList.toggle('now', id === cur);
      els[j].classList.toggle('recv', recv.has(id));
    }
  }
  foldEl.forEach(function (el, sid) { /* a folded box: waiting until a member is done */
    var ids = foldMembers(sid), reached = 0, started = false;
    for (var m = 0; active && m < ids.length && !started; m++)
      if (RANK[ids[m]] >= 0) { reached++; started = replayDone(ids[m]); }
    el.classList.toggle('waiting', active && reached > 0 && !started);
    el.classList.toggle('now', cur >= 0 && nodeFold[cur] === sid);
  });
  replayMarks.edges.forEach(function (e) { e.el.classList.remove('now'); });
  replayMarks.edges = cur >= 0 && drawnInto.has(cur) ? drawnInto.get(cur) : [];
  replayMarks.edges.forEach(function (e) { e.el.classList.add('now'); });
  replayMarks.tags.forEach(function (t) { t.remove(); });
  replayMarks.tags = [];
  if (!on) return;
  if (S.replay.dir === 'forward') {
    if (!isLeaf(cur)) stepTag(cur, '= ' + exprOf(cur, x.data));
  } else if (edgeNumbers()) {
    recv.forEach(function (p) { stepTag(p, 'grad ' + runningSum(p, x)); });
  }
}
function stepTag(id, s) {
  var el = nodeEl[id];
  if (!el) return;
  var b = el.getBBox(), t = document.createElementNS(SVGNS, 'text');
  t.setAttribute('class', 'mg-step');
  t.setAttribute('x', b.x + b.width / 2);
  t.setAttribute('y', b.y + b.height + 12);
  t.setAttribute('text-anchor', 'middle');
  t.textContent = s;
  el.appendChild(t);
  replayMarks.tags.push(t);
}
