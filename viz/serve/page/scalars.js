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
  function evals(key) {
    return rs.filter(function (r) { return r.evals.length; }).map(function (r) {
      return { name: r.id, colour: r.colour, dots: true,
               x: r.evals.map(function (e) { return opt.time ? e.time : e.step; }),
               y: r.evals.map(function (e) { return e[key]; }) };
    });
  }
  var cards = [
    chartCard('loss', 'training loss at each logged step' + (w > 0 ? ' (smoothed ' + w + ')' : ''),
              { series: series('loss', true), yLog: opt.logLoss, xLabel: xl }),
    chartCard('accuracy', 'training accuracy (of the batch)', { series: series('acc', true), yMin: 0, yMax: 1, xLabel: xl, fmtY: pct })
  ];
  var ev = evals('accuracy');
  if (ev.length) {
    cards.push(chartCard('test accuracy', 'on the test set after each epoch', { series: ev, yMax: 1, xLabel: xl, fmtY: pct }));
    cards.push(chartCard('test loss', 'on the test set after each epoch', { series: evals('loss'), yLog: opt.logLoss, xLabel: xl }));
  }
  cards.push(chartCard('learning rate', 'as the schedule set it', { series: series('lr', false), xLabel: xl }));
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
