/* model.js — the page's data: the graph's structure and each step's numbers
 * (decoded from base64 on demand), the page state, and number formatting. */
var t0 = performance.now();
var $ = function (id) { return document.getElementById(id); };
var D = JSON.parse($('mg-data').textContent);
var G = D.graph;
var nodes = G.nodes;
var N = nodes.length;
var ROOT = G.root;
var steps = D.steps;
var PREC = D.precision || 4;

/* ---- structure ---- */
var children = [];
for (var i = 0; i < N; i++) children.push([]);
nodes.forEach(function (n) {
  n.parents.forEach(function (p) {
    var c = children[p];
    if (c[c.length - 1] !== n.id) c.push(n.id); /* x*x: one child, not two */
  });
});
var reachesRoot = walk([ROOT], function (id) { return nodes[id].parents; });

function walk(start, next) {
  var seen = new Uint8Array(N), stack = start.slice();
  start.forEach(function (id) { seen[id] = 1; });
  while (stack.length) {
    next(stack.pop()).forEach(function (m) {
      if (!seen[m]) { seen[m] = 1; stack.push(m); }
    });
  }
  return seen;
}

/* ---- numbers: base64 little-endian arrays, decoded on demand ---- */
var cache = new Map();
function numbers(stepIndex, key) {
  var k = stepIndex + ':' + key, x = cache.get(k);
  if (x) return x;
  var s = atob(steps[stepIndex][key]), bytes = new Uint8Array(s.length);
  for (var j = 0; j < s.length; j++) bytes[j] = s.charCodeAt(j);
  x = D.encoding === 'f32' ? Float64Array.from(new Float32Array(bytes.buffer))
                           : new Float64Array(bytes.buffer);
  cache.set(k, x);
  if (cache.size > 48) cache.delete(cache.keys().next().value);
  return x;
}

var S = { step: steps.length - 1, phase: 'after', sel: -1, colour: 'kind',
          flow: false, pathFrom: -1, matches: new Set(), fold: -1,
          edge: null,     /* the selected drawn edge {from, to}, or null */
          replay: null }; /* {dir: 'forward' | 'backward', pos: steps done}, or null */

/* data and grad of the current step and phase (or replay position); null =
 * not computed (yet) */
function current() {
  if (S.replay && replayable()) return replayState();
  var f = steps[S.step];
  var grad = S.phase === 'after' ? numbers(S.step, 'grad')
           : f.before ? numbers(S.step, 'before') : null;
  return { data: numbers(S.step, 'data'), grad: grad };
}

function fmt(x) {
  if (x === null) return '\u2014';
  if (x === undefined) return '\u2026';
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (x === 0) return '0';
  var s = x.toPrecision(PREC);
  if (s.indexOf('e') >= 0) {
    var parts = s.split('e');
    return stripZeros(parts[0]) + 'e' + parts[1];
  }
  return stripZeros(s);
}
function stripZeros(s) {
  return s.indexOf('.') < 0 ? s : s.replace(/0+$/, '').replace(/\.$/, '');
}
function full(x) {
  if (x === null) return '\u2014 (not computed yet)';
  if (x === undefined) return '\u2026 not saved at this step (page size budget): see a step with every node';
  return Number.isFinite(x) && x !== 0 ? String(x) : fmt(x); /* nan, inf, -inf, 0 (never -0) */
}
function bad(x) { return typeof x === 'number' && !Number.isFinite(x); }

/* ---- names in sentences: a label, a constant's value, else #id ---- */
function nm(id) {
  var n = nodes[id];
  if (n.label) return n.label;
  if (n.kind === 'const') return fmt(numbers(S.step, 'data')[id]);
  return '#' + id;
}
/* the subject of a sentence: "b", "the constant 4", "#12" */
function who(id) { return nodes[id].kind === 'const' && !nodes[id].label ? 'the constant ' + nm(id) : nm(id); }
/* "b.grad", or for an unlabelled constant "the constant 4's grad" */
function gradOf(id) { return nodes[id].kind === 'const' && !nodes[id].label ? who(id) + '\u2019s grad' : nm(id) + '.grad'; }
var INFIX = { '+': 1, '-': 1, '*': 1, '/': 1, '**': 1 };
/* what a node computes, e.g. "b * b", "tanh(n)", or with vals given its
 * inputs' numbers, "6 * 6" */
function exprOf(id, vals) {
  var n = nodes[id], ps = n.parents;
  var arg = function (p) {
    if (!vals) return nm(p);
    var s = fmt(vals[p]);
    return s.charAt(0) === '-' ? '(' + s + ')' : s;
  };
  if (!n.op) return nm(id);
  if (ps.length === 2 && INFIX[n.op]) return arg(ps[0]) + ' ' + n.op + ' ' + arg(ps[1]);
  if (ps.length === 1 && n.op.slice(0, 2) === '**') return arg(ps[0]) + ' ** ' + n.op.slice(2);
  if (ps.length === 1 && n.op === 'neg') return '-' + arg(ps[0]);
  return n.op + '(' + ps.map(arg).join(', ') + ')';
}
