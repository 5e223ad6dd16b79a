/* scalars.js — the Scalars view: one chart per quantity, the selected runs
 * overlaid in their colours: training loss and accuracy (smoothed, the raw
 * line faint beneath), test accuracy and loss per epoch, and the learning
 * rate. */

function xsOf(r, useTime) { return useTime ? r.time : r.step; }

function scalarCards(ids, opt) {
  var rs = ids.map(function (id) { return runs[id]; }).filter(Boolean);
  var w = opt.smoothing, xl = opt.time ? 'seconds' : 'step';
  function series(key, smoothIt) {
    return rs.map(function (r) {
      return { name: r.id, colour: r.colour, x: xsOf(r, opt.time), y: smoothIt ? smooth(r[key], w) : r[key],
               raw: smoothIt && w > 0 ? r[key] : null };
    });
  }
  /* test results sit on the training curves' x range (one epoch's single
   * point is then where it happened, not alone in the middle) */
  var xr = { xWhole: !opt.time, xLabel: xl };
  rs.forEach(function (r) {
    var xs = xsOf(r, opt.time);
    if (!xs.length) return;
    if (!(xr.xMin <= xs[0])) xr.xMin = xs[0];
    if (!(xr.xMax >= xs[xs.length - 1])) xr.xMax = xs[xs.length - 1];
  });
  function spec(more) { for (var k in xr) more[k] = xr[k]; return more; }
  function evals(key) {
    return rs.filter(function (r) { return r.evals.length; }).map(function (r) {
      return { name: r.id, colour: r.colour, dots: true,
               x: r.evals.map(function (e) { return opt.time ? e.time : e.step; }),
               y: r.evals.map(function (e) { return e[key]; }) };
    });
  }
  var cards = [
    chartCard('loss', 'training loss at each logged step' + (w > 0 ? ' (smoothed ' + w + ')' : ''),
              spec({ series: series('loss', true), yLog: opt.logLoss })),
    chartCard('accuracy', 'training accuracy (of the batch)', spec({ series: series('acc', true), yMin: 0, yMax: 1, fmtY: pct }))
  ];
  var ev = evals('accuracy');
  if (ev.length) {
    cards.push(chartCard('test accuracy', 'on the test set after each epoch', spec({ series: ev, yMax: 1, fmtY: pct })));
    cards.push(chartCard('test loss', 'on the test set after each epoch', spec({ series: evals('loss'), yLog: opt.logLoss })));
  }
  cards.push(chartCard('learning rate', 'as the schedule set it', spec({ series: series('lr', false) })));
  return cards;
}

function renderScalars(ids, opt) {
  var box = document.getElementById('scalars');
  clear(box);
  if (!ids.length) {
    box.appendChild(el('p', { class: 'empty', text: 'Tick a run on the left to see its curves; tick several to compare them.' }));
    return;
  }
  var cards = scalarCards(ids, opt);
  cards.forEach(function (c) { box.appendChild(c); });
  cards.forEach(drawCard);
}
