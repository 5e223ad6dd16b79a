/* store.js — what the page knows of each run: its run.json, and series
 * built from its steps.jsonl records as they arrive (one record at a time,
 * in file order). */

var runs = {};        /* id -> run */
var order = [];       /* ids as listed */

function newRun(id) {
  return {
    id: id, colour: PALETTE[0], info: null, listed: null,
    offset: 0,                      /* bytes of steps.jsonl received */
    step: [], time: [], epoch: [], loss: [], acc: [], lr: [],
    evals: [],                      /* {step, epoch, loss, accuracy} */
    layers: {}, layerOrder: [],     /* scope -> series of its health */
    warnings: [],                   /* {step, text} */
    saved: [],                      /* {step, manifest, loss, accuracy} */
    end: null,                      /* the end event, once logged */
    version: 0                      /* bumped whenever a record arrives */
  };
}

function getRun(id) {
  if (!runs[id]) runs[id] = newRun(id);
  return runs[id];
}

/* Forgets what was received (the file was replaced: it starts again). */
function resetRun(r) {
  var keep = { colour: r.colour, info: r.info, listed: r.listed };
  var fresh = newRun(r.id);
  for (var k in fresh) r[k] = fresh[k];
  for (k in keep) r[k] = keep[k];
  r.version++;
}

function layerOf(r, scope) {
  if (!r.layers[scope]) {
    r.layers[scope] = { scope: scope, act: null, units: null, step: [], actHist: [], gradHist: [],
                        dead: [], zero: [], saturated: [], ratio: [], gradNorm: [], dataNorm: [] };
    r.layerOrder.push(scope);
  }
  return r.layers[scope];
}

function addHealth(r, step, layers) {
  for (var scope in layers || {}) {
    var h = layers[scope], L = layerOf(r, scope);
    if (!h || typeof h !== 'object') continue;
    L.act = h.act || L.act;
    L.units = h.units || L.units;
    L.step.push(step);
    L.actHist.push(h.activation || null);
    L.gradHist.push(h.grad || null);
    L.dead.push(num(h.dead));
    L.zero.push(num(h.zero));
    L.saturated.push(num(h.saturated));
    L.ratio.push(num(h.update_ratio));
    L.gradNorm.push(num(h.grad_norm));
    L.dataNorm.push(num(h.data_norm));
  }
}

/* One line of steps.jsonl. */
function addRecord(r, rec) {
  if (!rec || typeof rec !== 'object') return;
  r.version++;
  if (typeof rec.step === 'number' && rec.event === undefined) {
    var k = rec.step;
    r.step.push(k);
    r.time.push(num(rec.time));
    r.epoch.push(typeof rec.epoch === 'number' ? rec.epoch : null);
    r.loss.push(num(rec.loss, rec.loss_str));
    r.acc.push(num(rec.accuracy, rec.accuracy_str));
    r.lr.push(num(rec.lr, rec.lr_str));
    addHealth(r, k, rec.layers);
    (Array.isArray(rec.warnings) ? rec.warnings : []).forEach(function (w) {
      if (typeof w === 'string' && w) r.warnings.push({ step: k, text: w });
    });
    if (typeof rec.snapshot === 'string')
      r.saved.push({ step: k, manifest: rec.snapshot, loss: num(rec.loss, rec.loss_str), accuracy: num(rec.accuracy, rec.accuracy_str) });
    return;
  }
  if (rec.event === 'eval')
    r.evals.push({ step: num(rec.step), epoch: rec.epoch, loss: num(rec.loss, rec.loss_str), accuracy: num(rec.accuracy, rec.accuracy_str), time: num(rec.time) });
  else if (rec.event === 'end')
    r.end = rec;
}

/* What the run's state is: running, finished, stopped, error, or stale (no
 * end and nothing written for a while: crashed, or paused). */
function runState(r) {
  var end = r.end || (r.listed && r.listed.end);
  if (end) return end.status === 'ok' ? 'finished' : end.status === 'stopped' ? 'stopped' : 'error';
  if (r.listed && r.listed.idle > 30 && !r.live) return 'stale';
  return 'running';
}

/* The run's length in steps when run.json says (0: unknown); runs by epochs
 * say it only in planned_steps, runs written before it only in options.steps. */
function plannedSteps(r) {
  var i = r.info || {}, o = i.options;
  if (typeof i.planned_steps === 'number' && i.planned_steps > 0) return i.planned_steps;
  return o && typeof o.steps === 'number' && o.steps > 0 ? o.steps : 0;
}

function plannedEpochs(r) {
  var o = r.info && r.info.options;
  return o && typeof o.epochs === 'number' && o.epochs > 0 ? o.epochs : 0;
}

/* "moons · mlp · scalar", from run.json. */
function runSummary(r) {
  var i = r.info || {}, o = i.options || {};
  return [i.dataset, i.model, o.engine, o.hidden ? 'hidden ' + o.hidden : null]
    .filter(function (x) { return typeof x === 'string' && x; }).join(' · ');
}

function runName(r) { return r.info && typeof r.info.name === 'string' && r.info.name ? r.info.name : r.id; }
