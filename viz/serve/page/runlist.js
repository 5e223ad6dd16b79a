/* runlist.js — the runs on the left, read from /api/runs every two
 * seconds: tick runs to overlay them, click one to focus it (the bar's
 * step counter and the Graphs view follow the focused run). New runs that
 * start while the page is open are selected by themselves. */

var selected = [], focus = null, rootName = '', listings = 0, onSelection = null;

function isSelected(id) { return selected.indexOf(id) >= 0; }

function select(id, on) {
  var i = selected.indexOf(id);
  if (on && i < 0) selected.push(id);
  if (!on && i >= 0) selected.splice(i, 1);
  if (on && !focus) focus = id;
  if (!on && focus === id) focus = selected.length ? selected[selected.length - 1] : null;
}

function setFocus(id) {
  focus = id;
  if (!isSelected(id)) select(id, true);
}

function filterOk(r) {
  var text = document.getElementById('run-filter').value;
  if (!text) return true;
  var re;
  try { re = new RegExp(text, 'i'); } catch (e) { return r.id.indexOf(text) >= 0; }
  return re.test(r.id) || re.test(runSummary(r));
}

function stateText(r) {
  var s = runState(r), n = r.step.length ? r.step[r.step.length - 1] : null;
  var last = r.listed && r.listed.last, planned = plannedSteps(r);
  if (last && typeof last.step === 'number' && (n === null || last.step > n)) n = last.step;
  var at = n === null ? '' : ' · step ' + n + (planned ? '/' + planned : '');
  return { state: s, text: s + at };
}

function renderList() {
  var ul = document.getElementById('run-list');
  clear(ul);
  var shown = 0;
  order.forEach(function (id) {
    var r = runs[id];
    if (!filterOk(r)) return;
    shown++;
    var box = el('input', { type: 'checkbox', 'aria-label': 'overlay ' + id });
    box.checked = isSelected(id);
    box.addEventListener('click', function (e) {
      e.stopPropagation();
      select(id, box.checked);
      onSelection();
    });
    var sw = el('span', { class: 'swatch' });
    sw.style.background = r.colour;
    var st = stateText(r);
    var li = el('li', { tabindex: 0, class: id === focus ? 'focused' : null, title: 'Click to focus this run; tick to overlay it', 'data-run': id }, [
      box, sw, el('span', { class: 'name', text: id }),
      el('span', { class: 'meta' }, [el('span', { class: 'state ' + st.state, text: st.text }),
                                     runSummary(r) ? ' · ' + runSummary(r) : ''])
    ]);
    li.addEventListener('click', function () { setFocus(id); onSelection(); });
    li.addEventListener('keydown', function (e) {
      if (e.key === 'Enter') { setFocus(id); onSelection(); }
      if (e.key === ' ') { e.preventDefault(); select(id, !isSelected(id)); onSelection(); }
    });
    ul.appendChild(li);
  });
  document.getElementById('runs-empty').hidden = order.length > 0;
  document.getElementById('root-name').textContent = rootName ? rootName + '/' : '';
}

/* Merges a listing: new runs get the next colour, and are selected when
 * the page has no selection yet (the newest) or they are running. */
function takeListing(data) {
  rootName = typeof data.root === 'string' ? data.root : '';
  var ids = [], fresh = [];
  (Array.isArray(data.runs) ? data.runs : []).forEach(function (e) {
    if (!e || typeof e.id !== 'string') return;
    var known = !!runs[e.id] && order.indexOf(e.id) >= 0, r = getRun(e.id);
    var listed = { idle: num(e.idle), bytes: e.bytes, last: null, end: null };
    try { listed.last = e.last ? JSON.parse(e.last) : null; } catch (err) { /* ignore */ }
    try { listed.end = e.end ? JSON.parse(e.end) : null; } catch (err) { /* ignore */ }
    if (!r.info && e.info) { try { r.info = JSON.parse(e.info); } catch (err) { /* ignore */ } }
    r.listed = listed;
    ids.push(e.id);
    if (!known) fresh.push(e.id);
  });
  order = ids;
  order.forEach(function (id, i) { runs[id].colour = PALETTE[i % PALETTE.length]; });
  selected = selected.filter(function (id) { return order.indexOf(id) >= 0; });
  if (focus && order.indexOf(focus) < 0) focus = null;
  /* first: the address's runs, else the newest; later, a run that starts
   * while the page is open joins the selection (TensorBoard's way) */
  if (!listings++) {
    if (!selected.length && order.length) select(order[order.length - 1], true);
  } else {
    fresh.forEach(function (id) { if (runState(runs[id]) === 'running') { select(id, true); focus = id; } });
  }
  if (!focus && selected.length) focus = selected[selected.length - 1];
}

function pollRuns() {
  fetch('api/runs', { cache: 'no-store' }).then(function (res) {
    if (!res.ok) throw new Error(res.status);
    return res.json();
  }).then(function (data) {
    takeListing(data);
    onSelection();
    setConn('');
  }).catch(function () {
    setConn('The server does not answer (stopped?); trying again…');
  }).then(function () {
    setTimeout(pollRuns, document.hidden ? 10000 : 2000);
  });
}
