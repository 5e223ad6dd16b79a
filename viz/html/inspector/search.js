/* search.js — finding nodes by label, #id or op, with a result list. */
var search = $('mg-search'), results = $('mg-results');
function find(q) {
  q = q.trim();
  if (!q) return [];
  var ql = q.toLowerCase(), out = [], idm = /^#?(\d+)$/.exec(q);
  if (idm && +idm[1] < N) out.push(+idm[1]);
  var op = ql.indexOf('op:') === 0 ? ql.slice(3) : null;
  nodes.forEach(function (n) {
    if (idm && n.id === +idm[1]) return;
    if (op !== null ? n.op === op
        : n.op === q || (n.label && n.label.toLowerCase().indexOf(ql) >= 0)) out.push(n.id);
  });
  return out;
}
function showResults(ids) {
  var x = current();
  results.textContent = '';
  results.appendChild(text('div', ids.length + (ids.length === 1 ? ' match' : ' matches'), 'count'));
  ids.slice(0, 100).forEach(function (id) { results.appendChild(nodeButton(id, x)); });
  results.hidden = false;
}
function hideResults() { results.hidden = true; }
search.addEventListener('input', function () {
  var ids = find(search.value);
  S.matches = new Set(ids);
  if (search.value.trim()) showResults(ids); else hideResults();
  markHighlights(current());
  status(search.value.trim() ? ids.length + ' nodes match \u201c' + search.value.trim() + '\u201d.' : '');
});
search.addEventListener('keydown', function (e) {
  if (e.key === 'Enter') {
    var ids = find(search.value);
    if (ids.length) { select(ids[0], { focus: true }); hideResults(); }
    e.preventDefault();
  } else if (e.key === 'Escape') { hideResults(); }
  else if (e.key === 'ArrowDown') {
    var first = results.querySelector('button');
    if (first) { first.focus(); e.preventDefault(); }
  }
});
