/* main.js — the page's wiring: tabs, the bar's live step counter, the
 * settings, the address (#runs=A/B&focus=A&tab=health: a view to bookmark
 * or open beside another), and redrawing at most four times a second
 * however fast records arrive (less often when a drawing is slow, so a
 * long run never leaves the page without time for the reader's clicks).
 * Closes the closure util.js opened. */

var tab = 'scalars', lastDraw = 0, drawCost = 0, drawPending = false;

function options() {
  return {
    smoothing: +document.getElementById('smoothing').value,
    logLoss: document.getElementById('log-loss').checked,
    time: document.getElementById('x-time').checked
  };
}

function renderBar() {
  var r = focus && runs[focus];
  var dot = document.getElementById('live-dot');
  var counter = document.getElementById('step-counter');
  var name = document.getElementById('focus-name'), loss = document.getElementById('focus-loss');
  if (!r) {
    dot.hidden = true;
    name.textContent = counter.textContent = loss.textContent = '';
    return;
  }
  var state = runState(r), n = r.step.length, planned = plannedSteps(r), epochs = plannedEpochs(r);
  dot.hidden = state !== 'running';
  name.textContent = r.id;
  name.title = state;
  var at = n ? r.step[n - 1] : null, ep = n ? r.epoch[n - 1] : null;
  var text = at === null ? (state === 'running' ? 'waiting for the first step' : state)
    : 'step ' + at + (planned ? ' / ' + planned : '') + (epochs && ep !== null ? ' · epoch ' + (ep + 1) + ' / ' + epochs : '');
  /* The list can learn that a run ended before the stream has brought its
   * last steps: until the end record arrives the counter is catching up. */
  var catchingUp = !r.end && r.listed && r.listed.end;
  if (state !== 'running' && at !== null) text += ' · ' + (catchingUp ? 'loading' : state);
  counter.textContent = text;
  loss.textContent = n ? 'loss ' + fmt(r.loss[n - 1]) : '';
}

function renderNow() {
  var t0 = Date.now();
  drawPending = false;
  renderList();
  renderBar();
  var opt = options();
  if (tab === 'scalars') renderScalars(selected, opt);
  else if (tab === 'health') renderHealth(selected, opt);
  else renderGraphs();
  lastDraw = Date.now();
  drawCost = lastDraw - t0;
}

function schedule() {
  if (drawPending) return;
  drawPending = true;
  setTimeout(function () { requestAnimationFrame(renderNow); }, Math.max(0, Math.max(250, 3 * drawCost) - (Date.now() - lastDraw)));
}

function saveState() {
  writeHash({ runs: selected.join('/'), focus: focus, tab: tab === 'scalars' ? '' : tab });
}

function showTab(name) {
  tab = name;
  ['scalars', 'health', 'graphs'].forEach(function (t) {
    document.getElementById('tab-' + t).setAttribute('aria-selected', String(t === name));
    document.getElementById('pane-' + t).hidden = t !== name;
  });
  shownStep = null;
  saveState();
  renderNow();
}

/* After the selection or focus changed. */
onSelection = function () {
  saveState();
  shownStep = null;
  openStream(selected);
  schedule();
};

onRecords = function (reopen) {
  if (reopen) openStream(selected);
  schedule();
};

function start() {
  var h = readHash();
  if (h.runs) h.runs.split('/').forEach(function (id) { if (id) select(id, true); });
  if (h.focus) focus = h.focus;
  if (h.tab === 'health' || h.tab === 'graphs') tab = h.tab;
  ['scalars', 'health', 'graphs'].forEach(function (t) {
    document.getElementById('tab-' + t).addEventListener('click', function () { showTab(t); });
  });
  document.querySelector('.tabs').addEventListener('keydown', function (e) {
    var tabs = ['scalars', 'health', 'graphs'], i = tabs.indexOf(tab);
    if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') {
      showTab(tabs[(i + (e.key === 'ArrowRight' ? 1 : 2)) % 3]);
      document.getElementById('tab-' + tab).focus();
    }
  });
  var smoothing = document.getElementById('smoothing');
  smoothing.addEventListener('input', function () {
    document.getElementById('smoothing-value').textContent = smoothing.value;
    schedule();
  });
  ['log-loss', 'x-time'].forEach(function (id) { document.getElementById(id).addEventListener('change', schedule); });
  document.getElementById('run-filter').addEventListener('input', schedule);
  document.getElementById('select-all').addEventListener('click', function () {
    order.forEach(function (id) { if (filterOk(runs[id])) select(id, true); });
    onSelection();
  });
  document.getElementById('select-none').addEventListener('click', function () {
    selected.slice().forEach(function (id) { select(id, false); });
    onSelection();
  });
  var slider = document.getElementById('step-slider');
  slider.addEventListener('input', function () {
    var r = focus && runs[focus];
    document.getElementById('follow').checked = !!r && +slider.value === r.saved.length - 1;
    renderGraphs();
  });
  document.getElementById('follow').addEventListener('change', renderGraphs);
  window.addEventListener('resize', schedule);
  showTab(tab);
  pollRuns();
}

document.addEventListener('DOMContentLoaded', start);
})();
