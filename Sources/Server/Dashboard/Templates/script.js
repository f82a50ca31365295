(function () {
  var live = document.querySelectorAll('[data-live]');
  if (!live.length || !window.EventSource || !window.fetch) return;
  var status = document.getElementById('live-status');
  var stream = document.body.getAttribute('data-stream');
  var timer = null;
  function say(text) { if (status) status.textContent = text; }
  function refresh() {
    timer = null;
    fetch(location.href, { credentials: 'same-origin' }).then(function (response) {
      if (response.redirected) { location.reload(); return; }
      if (!response.ok) { say('Live updates paused: the service answered ' + response.status + '.'); return; }
      return response.text().then(function (html) {
        var fresh = new DOMParser().parseFromString(html, 'text/html');
        live.forEach(function (section) {
          var next = fresh.getElementById(section.id);
          if (next) section.innerHTML = next.innerHTML;
        });
      });
    }, function () { say('Live updates paused: the service did not answer.'); });
  }
  function changed(message) {
    if (stream) {
      try { if (JSON.parse(message.data).stream !== stream) return; } catch (e) { return; }
    }
    if (!timer) timer = setTimeout(refresh, 300);
  }
  var source = new EventSource('/api/v1/events/stream');
  source.onopen = function () {
    say('Live: this page updates as events are recorded.');
    // The stream starts at its opening: what was recorded since the page was rendered (a fast
    // deployment's end, say) comes only through a refresh, on the first opening as on reconnects.
    if (!timer) timer = setTimeout(refresh, 300);
  };
  source.onerror = function () {
    say(source.readyState === EventSource.CLOSED ? 'Live updates are off; reload the page for the latest.' : 'Live updates reconnecting\u2026');
  };
  source.onmessage = changed;
  (document.body.getAttribute('data-events') || '').split(' ').forEach(function (type) {
    if (type) source.addEventListener(type, changed);
  });
  say('Live updates connecting\u2026');
})();
