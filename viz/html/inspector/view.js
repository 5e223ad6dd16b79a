/* view.js — pan and zoom: the SVG viewBox moved by dragging, the wheel, keys
 * and the Fit button, and nodes brought into view. */
function applyView() { svg.setAttribute('viewBox', vb.x + ' ' + vb.y + ' ' + vb.w + ' ' + vb.h); }
function fit() { vb = Object.assign({}, home); applyView(); }
function toUser(clientX, clientY) {
  var p = svg.createSVGPoint();
  p.x = clientX; p.y = clientY;
  return p.matrixTransform(svg.getScreenCTM().inverse());
}
function zoom(f, cx, cy) {
  var w = vb.w / f;
  if (w < 20 || w > home.w * 20) return;
  vb = { x: cx - (cx - vb.x) / f, y: cy - (cy - vb.y) / f, w: w, h: vb.h / f };
  applyView();
}
function zoomCentre(f) { zoom(f, vb.x + vb.w / 2, vb.y + vb.h / 2); }
function unitsPerPixel() { return 1 / svg.getScreenCTM().a; }
function pan(dx, dy) { vb.x += dx; vb.y += dy; applyView(); }

/* box of an element in viewBox units */
function userBox(el) {
  var r = el.getBoundingClientRect(), a = toUser(r.left, r.top), b = toUser(r.right, r.bottom);
  return { x: a.x, y: a.y, w: b.x - a.x, h: b.y - a.y };
}
function reveal(id, force) {
  var el = nodeEl[id] || foldEl.get(nodeFold[id]);
  if (!el) return;
  var b = userBox(el), inside = b.x >= vb.x && b.y >= vb.y && b.x + b.w <= vb.x + vb.w && b.y + b.h <= vb.y + vb.h;
  var tooSmall = b.w / unitsPerPixel() < 40;
  if (inside && !tooSmall && !force) return;
  if (tooSmall) {
    var scale = (b.w / unitsPerPixel()) / 160;
    vb.w *= scale; vb.h *= scale;
  }
  vb.x = b.x + b.w / 2 - vb.w / 2;
  vb.y = b.y + b.h / 2 - vb.h / 2;
  applyView();
}

var drag = null;
view.addEventListener('pointerdown', function (e) {
  if (e.button !== 0 || e.target.closest('.fold-pop')) return;
  drag = { x: e.clientX, y: e.clientY, moved: false };
});
window.addEventListener('pointermove', function (e) {
  if (!drag) return;
  var dx = e.clientX - drag.x, dy = e.clientY - drag.y;
  if (!drag.moved && Math.abs(dx) + Math.abs(dy) < 4) return;
  if (!drag.moved) { drag.moved = true; view.classList.add('dragging'); }
  var u = unitsPerPixel();
  pan(-dx * u, -dy * u);
  drag.x = e.clientX; drag.y = e.clientY;
});
window.addEventListener('pointerup', function () {
  if (drag && drag.moved) drag.suppressClick = true;
  view.classList.remove('dragging');
  var d = drag;
  drag = null;
  if (d && d.suppressClick) { swallowClick = true; setTimeout(function () { swallowClick = false; }, 0); }
});
var swallowClick = false;
view.addEventListener('wheel', function (e) {
  e.preventDefault();
  var p = toUser(e.clientX, e.clientY);
  zoom(e.deltaY < 0 ? 1.2 : 1 / 1.2, p.x, p.y);
}, { passive: false });
