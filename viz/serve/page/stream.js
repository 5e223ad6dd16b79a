/* stream.js — the page's one event stream (/api/events) over the selected
 * runs: run.json first, then every record as the run logs it. A browser
 * holds few connections to one server, so every selected run shares one
 * stream; when the selection changes the stream is opened again from the
 * offsets already received. */

var source = null, streamIds = [], onRecords = null;

function streamKey(ids) { return ids.join('/'); }

function closeStream() {
  if (source) source.close();
  source = null;
  streamIds = [];
}

/* Opens the stream over ids unless it is open already; runs that have
 * ended and were read whole need no stream. */
function openStream(ids) {
  ids = ids.filter(function (id) { var r = runs[id]; return !(r && r.end); }).slice(0, 32);
  if (streamKey(ids) === streamKey(streamIds) && source) return;
  closeStream();
  if (!ids.length) return setConn('');
  streamIds = ids;
  var from = ids.map(function (id) { return getRun(id).offset; }).join(',');
  var es = new EventSource('api/events?runs=' + ids.map(encodeURIComponent).join('/') + '&from=' + from);
  source = es;
  var mine = ids.slice();
  function idx(data) {
    var sp = data.indexOf(' ');
    return { run: runs[mine[+data.slice(0, sp)]], text: data.slice(sp + 1) };
  }
  es.addEventListener('info', function (e) {
    var m = idx(e.data);
    if (!m.run) return;
    try { m.run.info = JSON.parse(m.text); m.run.version++; } catch (err) { /* a damaged run.json */ }
    onRecords();
  });
  es.onmessage = function (e) {
    var m = idx(e.data);
    if (!m.run) return;
    var offsets = e.lastEventId.split(',');
    try { addRecord(m.run, JSON.parse(m.text)); } catch (err) { /* a damaged line is skipped */ }
    mine.forEach(function (id, k) { if (offsets[k] !== undefined) getRun(id).offset = +offsets[k]; });
    m.run.live = !m.run.end;
    onRecords();
  };
  es.addEventListener('done', function () {
    es.close();
    if (source === es) { source = null; streamIds = []; }
    setConn('');
  });
  es.onopen = function () { setConn(''); };
  es.onerror = function () {
    if (es.readyState === EventSource.CLOSED) {
      /* refused (a run's file was replaced, or the run is gone): start again */
      if (source === es) { source = null; streamIds = []; }
      mine.forEach(function (id) { if (runs[id]) resetRun(runs[id]); });
      setConn('The stream was refused; reading the runs again…');
      setTimeout(function () { onRecords(true); }, 1500);
    } else {
      setConn('Connection lost; reconnecting…');
    }
  };
}

function setConn(text) {
  var c = document.getElementById('conn');
  if (c.textContent !== text) c.textContent = text;
}
