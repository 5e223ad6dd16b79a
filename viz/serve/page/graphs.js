/* graphs.js — the Graphs view of the focused run: a slider over its saved
 * steps (following the newest while the run is written), the step's
 * pictures from its manifest (the decision boundary, the sample worth
 * seeing, the batch's graph with every node's data and grad), each layer's
 * histograms at that step, and the run's own pages: index.html, and the
 * HTML inspector (inspector.html, written when a run made with --inspector
 * ends), which opens here. */

var shownStep = null;       /* {run, step, manifest} drawn now */
var manifests = {};         /* run/step -> parsed manifest */

function savedIndex(r) {
  var s = document.getElementById('step-slider'), follow = document.getElementById('follow');
  var n = r.saved.length;
  s.max = Math.max(0, n - 1);
  s.disabled = n < 2;
  if (follow.checked || +s.value > n - 1) s.value = Math.max(0, n - 1);
  return +s.value;
}

function figure(title, url, wide, alt) {
  var img = el('img', { src: url, alt: alt, loading: 'lazy' });
  return el('figure', { class: wide ? 'wide' : null }, [
    el('figcaption', null, [el('span', { text: title }), el('a', { href: url, target: '_blank', rel: 'noopener', text: 'open' })]),
    el('div', { class: 'scroll' }, img)]);
}

/* Swaps the pictures in place once the new ones have loaded, so a live run
 * changes numbers, not layout, and never flashes empty. */
function swapFigures(box, figs) {
  var imgs = figs.map(function (f) { return f.querySelector('img'); });
  var left = imgs.length;
  if (!left) { clear(box); return; }
  var done = function () {
    if (--left > 0) return;
    var olds = box.querySelectorAll('figure');
    if (olds.length === figs.length) {
      figs.forEach(function (f, i) {
        var o = olds[i].querySelector('img'), n = f.querySelector('img'), a = olds[i].querySelector('a');
        o.src = n.src;
        o.alt = n.alt;
        a.href = n.src;
      });
    } else {
      clear(box);
      figs.forEach(function (f) { box.appendChild(f); });
    }
  };
  imgs.forEach(function (im) {
    var pre = new Image();
    pre.onload = pre.onerror = done;
    pre.src = im.src;
  });
}

function drawStep(r, entry, m) {
  var acc = isFinite(entry.accuracy) ? ' · accuracy ' + pct(entry.accuracy) : '';
  document.getElementById('step-text').textContent = 'step ' + entry.step + ' · loss ' + fmt(entry.loss) + acc +
    ' (' + (savedIndex(r) + 1) + ' of ' + r.saved.length + ' saved)';
  var files = (m && m.files) || {}, figs = [];
  var sample = m && m.sample;
  if (files.boundary && fileUrl(r.id, files.boundary))
    figs.push(figure('decision boundary' + (m.marked !== null && m.marked !== undefined ? ' (ringed: sample ' + m.marked + ')' : ''), fileUrl(r.id, files.boundary), false, 'decision boundary at step ' + entry.step));
  if (files.sample && fileUrl(r.id, files.sample))
    figs.push(figure('the sample worth seeing' + (sample ? ': #' + sample.index + (sample.worst ? ', the largest loss' : '') + (sample.label ? ', label ' + sample.label : '') : ''),
                     fileUrl(r.id, files.sample), true, 'graph of one sample at step ' + entry.step));
  if (files.graph && fileUrl(r.id, files.graph))
    figs.push(figure('the batch\u2019s loss graph: every node\u2019s data and grad' + (m.graph_nodes ? ' (' + m.graph_nodes + ' nodes)' : ''),
                     fileUrl(r.id, files.graph), true, 'loss graph at step ' + entry.step));
  var box = document.getElementById('step-figures');
  if (!figs.length) {
    clear(box);
    box.appendChild(el('p', { class: 'empty', text: 'This step saved no pictures.' }));
  } else {
    swapFigures(box, figs);
  }
  drawLayersAt(r, entry.step);
}

/* Each layer's two histograms at one step. */
function drawLayersAt(r, step) {
  var box = document.getElementById('step-layers');
  clear(box);
  r.layerOrder.forEach(function (scope) {
    var L = r.layers[scope], i = L.step.indexOf(step);
    if (i < 0) return;
    box.appendChild(el('div', { class: 'card' }, [
      el('h3', { text: scope }),
      el('p', { class: 'sub', text: 'outputs (' + (L.act || '?') + ')' + (isFinite(L.dead[i]) ? ', dead ' + pct(L.dead[i]) : '') +
                                    (isFinite(L.saturated[i]) ? ', saturated ' + pct(L.saturated[i]) : '') }),
      histBars(scope + ' outputs at step ' + step, L.actHist[i], r.colour),
      el('p', { class: 'sub', text: 'grads, norm ' + fmt(L.gradNorm[i]) + '; log\u2081\u2080 update/data ' + fmt(L.ratio[i]) }),
      histBars(scope + ' grads at step ' + step, L.gradHist[i], '#546e7a')]));
  });
}

function drawLinks(r) {
  var box = document.getElementById('step-links');
  clear(box);
  var o = (r.info && r.info.options) || {};
  box.appendChild(el('a', { href: fileUrl(r.id, 'index.html'), target: '_blank', rel: 'noopener', text: 'the run\u2019s index.html' }));
  box.appendChild(el('a', { href: fileUrl(r.id, 'steps.jsonl'), target: '_blank', rel: 'noopener', text: 'steps.jsonl' }));
  box.appendChild(el('a', { href: fileUrl(r.id, 'run.json'), target: '_blank', rel: 'noopener', text: 'run.json' }));
  var ended = runState(r) !== 'running' && runState(r) !== 'stale';
  if (o.inspector && ended) {
    var b = el('button', { type: 'button', id: 'open-inspector', text: r.showInspector ? 'Hide the inspector' : 'Open the inspector here' });
    b.addEventListener('click', function () { r.showInspector = !r.showInspector; renderNow(); });
    box.appendChild(b);
    box.appendChild(el('a', { href: fileUrl(r.id, 'inspector.html'), target: '_blank', rel: 'noopener', text: 'inspector.html in a tab' }));
  } else {
    box.appendChild(el('span', { class: 'note', text: o.inspector ? 'the inspector (inspector.html) is written when the run ends'
                                                               : 'train with --inspector for the step-through inspector' }));
  }
  var ib = document.getElementById('inspector-box');
  var want = !!(r.showInspector && o.inspector && ended);
  var frame = ib.querySelector('iframe');
  if (want && (!frame || frame.dataset.run !== r.id)) {
    clear(ib);
    frame = el('iframe', { src: fileUrl(r.id, 'inspector.html'), title: 'inspector of ' + r.id, 'data-run': r.id });
    ib.appendChild(frame);
  }
  if (!want) clear(ib);
  ib.hidden = !want;
}

function renderGraphs() {
  var r = focus && runs[focus];
  var text = document.getElementById('step-text');
  if (!r) {
    text.textContent = 'Focus a run (click its name) to see its saved steps.';
    clear(document.getElementById('step-figures'));
    clear(document.getElementById('step-layers'));
    clear(document.getElementById('step-links'));
    return;
  }
  drawLinks(r);
  if (!r.saved.length) {
    text.textContent = r.step.length ? 'No saved step yet (pictures are saved every --snapshot-every steps).' : 'No step logged yet.';
    clear(document.getElementById('step-figures'));
    drawLayersAt(r, r.step.length ? r.step[r.step.length - 1] : -1);
    return;
  }
  var entry = r.saved[savedIndex(r)];
  var key = r.id + '/' + entry.step;
  if (shownStep && shownStep.key === key && shownStep.version === r.layerOrder.length) return;
  shownStep = { key: key, version: r.layerOrder.length };
  if (manifests[key]) return drawStep(r, entry, manifests[key]);
  var url = fileUrl(r.id, entry.manifest);
  if (!url) return drawStep(r, entry, null);
  fetch(url, { cache: 'no-store' }).then(function (res) { return res.ok ? res.json() : null; })
    .catch(function () { return null; })
    .then(function (m) {
      if (m) manifests[key] = m;
      if (shownStep && shownStep.key === key) drawStep(r, entry, m);
    });
}
