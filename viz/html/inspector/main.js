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
frameAttention();
window.mgInspector = {
  ready: true,
  initMs: performance.now() - t0,
  nodes: N,
  steps: steps.length,
  select: select,
  pickPosition: pickPosition,
  state: function () {
    return { step: S.step, phase: S.phase, selected: S.sel, fold: S.fold, view: Object.assign({}, vb),
             position: S.position,
             edge: S.edge, replay: S.replay && { dir: S.replay.dir, pos: S.replay.pos, steps: K, playing: !!playTimer } };
  }
};
