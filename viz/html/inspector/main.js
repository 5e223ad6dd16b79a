/* main.js — starts the page, and exposes a small handle (window.mgInspector)
 * that the browser tests read. */
if (hasTraining) {
  $('mg-train').hidden = false;
  slider.max = steps.length - 1;
  slider.disabled = steps.length < 2;
  drawLoss();
}
applyView();
setStep(S.step);
syncButtons();
window.mgInspector = {
  ready: true,
  initMs: performance.now() - t0,
  nodes: N,
  steps: steps.length,
  select: select,
  state: function () { return { step: S.step, phase: S.phase, selected: S.sel, fold: S.fold, view: Object.assign({}, vb) }; }
};
