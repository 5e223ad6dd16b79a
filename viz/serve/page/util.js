/* util.js — what every part of the page uses: elements made with text
 * only (run names and labels are user input: they go in as textContent or
 * attributes, never as markup), numbers as people read them, run colours,
 * addresses of a run's files. The page's script is these files joined into
 * one closure; this one opens it, main.js closes it. */
(function () {
'use strict';

var SVGNS = 'http://www.w3.org/2000/svg';

/* el('div', {class: 'x'}, ['text', child]): attributes and text, no markup. */
function el(tag, attrs, kids) {
  var e = document.createElement(tag);
  setAttrs(e, attrs);
  append(e, kids);
  return e;
}

function svg(tag, attrs, kids) {
  var e = document.createElementNS(SVGNS, tag);
  setAttrs(e, attrs);
  append(e, kids);
  return e;
}

function setAttrs(e, attrs) {
  for (var k in attrs || {}) {
    if (attrs[k] === null || attrs[k] === undefined || attrs[k] === false) continue;
    if (k === 'text') e.textContent = String(attrs[k]);
    else e.setAttribute(k, attrs[k] === true ? '' : String(attrs[k]));
  }
}

function append(e, kids) {
  [].concat(kids === undefined ? [] : kids).forEach(function (k) {
    if (k === null || k === undefined || k === false) return;
    e.appendChild(typeof k === 'object' ? k : document.createTextNode(String(k)));
  });
}

function clear(e) { while (e.firstChild) e.removeChild(e.firstChild); }

/* Numbers: 4 significant digits, exponents for the very small or large. */
function fmt(x) {
  if (x === null || x === undefined) return '—';
  if (typeof x === 'string') return x;
  if (!isFinite(x)) return isNaN(x) ? 'nan' : x > 0 ? 'inf' : '-inf';
  if (x === 0) return '0';
  var a = Math.abs(x);
  if (a >= 1e5 || a < 1e-3) return x.toExponential(2).replace('e+', 'e');
  return String(Number(x.toPrecision(4)));
}

function pct(x) { return x === null || x === undefined || !isFinite(x) ? '—' : (100 * x).toFixed(1) + '%'; }

/* A number of a record: JSON's null with its KEY_str ("inf", "-inf",
 * "nan") beside it is that non-finite number; anything else not a number
 * is NaN (not measured). */
function num(x, str) {
  if (typeof x === 'number') return x;
  return str === 'inf' ? Infinity : str === '-inf' ? -Infinity : NaN;
}

/* Colours of runs, in the order the runs are listed (TensorBoard's way:
 * distinct hues first). */
var PALETTE = ['#ff7043', '#0077bb', '#009988', '#ee3377', '#33bbee', '#cc3311', '#7b1fa2',
               '#558b2f', '#795548', '#546e7a', '#f9a825', '#00838f'];

/* The address of file rel of run id; NULL for a path that is not a plain
 * relative one (the server refuses those anyway). */
function fileUrl(id, rel) {
  if (typeof rel !== 'string' || !/^[^/.][^/]*(\/[^/.][^/]*)*$/.test(rel)) return null;
  return 'runs/' + encodeURIComponent(id) + '/' + rel.split('/').map(encodeURIComponent).join('/');
}

/* The page's state in its address: #runs=A/B&focus=A&tab=health. */
function readHash() {
  var out = {};
  location.hash.replace(/^#/, '').split('&').forEach(function (part) {
    var eq = part.indexOf('=');
    if (eq > 0) {
      try { out[part.slice(0, eq)] = decodeURIComponent(part.slice(eq + 1)); } catch (e) { /* ignore */ }
    }
  });
  return out;
}

function writeHash(state) {
  var parts = [];
  for (var k in state) if (state[k]) parts.push(k + '=' + encodeURIComponent(state[k]).replace(/%2F/g, '/'));
  var h = '#' + parts.join('&');
  if (h !== location.hash) history.replaceState(null, '', h);
}

/* A nice axis: ticks at 1, 2 or 5 times a power of ten. */
function ticks(lo, hi, n) {
  if (!(hi > lo)) return [lo];
  var step = Math.pow(10, Math.floor(Math.log10((hi - lo) / n)));
  var err = (hi - lo) / n / step;
  step *= err >= 7.07 ? 10 : err >= 3.16 ? 5 : err >= 1.41 ? 2 : 1;
  var out = [];
  for (var t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) out.push(Math.abs(t) < step * 1e-9 ? 0 : t);
  return out;
}

/* The index of the last x in sorted xs that is <= x (0 when none). */
function bisect(xs, x) {
  var lo = 0, hi = xs.length - 1;
  if (hi < 0) return -1;
  while (lo < hi) {
    var mid = (lo + hi + 1) >> 1;
    if (xs[mid] <= x) lo = mid; else hi = mid - 1;
  }
  return lo;
}

/* The hover box near the pointer; rows of [colour, name, value...]. */
var tooltipEl = null;
function showTooltip(evt, title, rows) {
  tooltipEl = tooltipEl || document.getElementById('tooltip');
  clear(tooltipEl);
  if (title) tooltipEl.appendChild(el('div', { text: title }));
  var t = el('table');
  rows.forEach(function (r) {
    var sw = el('span', { class: 'sw' });
    if (r[0]) sw.style.background = r[0];
    t.appendChild(el('tr', null, [el('td', null, sw), el('td', { class: 'tname', text: r[1] })].concat(
      r.slice(2).map(function (v) { return el('td', { text: v }); }))));
  });
  tooltipEl.appendChild(t);
  tooltipEl.hidden = false;
  var x = evt.clientX + 14, y = evt.clientY + 14;
  var w = tooltipEl.offsetWidth, h = tooltipEl.offsetHeight;
  if (x + w > window.innerWidth - 4) x = evt.clientX - w - 14;
  if (y + h > window.innerHeight - 4) y = evt.clientY - h - 14;
  tooltipEl.style.left = Math.max(4, x) + 'px';
  tooltipEl.style.top = Math.max(4, y) + 'px';
}
function hideTooltip() { if (tooltipEl) tooltipEl.hidden = true; }
