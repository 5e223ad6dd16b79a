/* controls.js — clicks and keys: selecting nodes, edges and opening folds,
 * the toolbar (before/after backward, colour, grad flow, NaN jump, zoom) and
 * keyboard shortcuts. */
function activate(target, byKey) {
  var ge = target.closest && target.closest('g.edge');
  if (ge && ge.dataset.from !== undefined) { selectEdge(+ge.dataset.from, +ge.dataset.to); return true; }
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
  var eb = e.target.closest && e.target.closest('[data-edge-from]');
  if (eb) selectEdge(+eb.dataset.edgeFrom, +eb.dataset.edgeTo);
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
  else if (k === '.') { stopPlay(); stepReplay(1); }
  else if (k === ',') { stopPlay(); stepReplay(-1); }
  else if (k === 'p') togglePlay();
  else if (k === 'r') { stopPlay(); if (S.replay) setReplayPos(0); else startReplay('backward'); }
  else if (k === 'Escape') {
    var back = $('mg-fold').contains(t) ? foldEl.get(S.fold) : null;
    closeFold(); S.pathFrom = -1; S.flow = false; dropPosition(); stopReplay(); syncButtons(); refresh();
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
$('mg-flow').onclick = function () { S.flow = !S.flow; S.pathFrom = -1; dropPosition(); syncButtons(); refresh(); };
$('mg-nan').onclick = jumpNaN;

function setPhase(p) {
  stopReplay();
  S.phase = p;
  syncButtons();
  refresh();
  status(p === 'before' ? 'Before backward: grads not computed yet (\u2014).' : 'After backward: grads computed.');
}
function syncButtons() {
  $('mg-before').setAttribute('aria-pressed', !S.replay && S.phase === 'before');
  $('mg-after').setAttribute('aria-pressed', !S.replay && S.phase === 'after');
  $('mg-flow').setAttribute('aria-pressed', S.flow);
}
function jumpNaN() {
  if (!nonfinite.length) { status('No NaN or Inf in this state.'); return; }
  select(nonfinite[0], { focus: true });
  reveal(nonfinite[0], true);
}
function status(s) { $('mg-status').textContent = s; }
