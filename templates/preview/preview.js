(function () {
  // The build this page shows: a rebuild that ends before the events connect still reloads it.
  var version = document.currentScript ? document.currentScript.dataset.version || null : null;
  var source = new EventSource('/events');
  source.onmessage = function (event) {
    if (version === null) { version = event.data; return; }
    if (event.data !== version) { window.location.reload(); }
  };
  function fit(frame) {
    try {
      var doc = frame.contentDocument;
      if (doc && doc.documentElement) { frame.style.height = (doc.documentElement.scrollHeight + 4) + 'px'; }
    } catch (e) { /* not ours to measure */ }
  }
  document.querySelectorAll('iframe').forEach(function (frame) {
    frame.addEventListener('load', function () { fit(frame); });
    fit(frame);
  });
})();
