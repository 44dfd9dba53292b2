// /api/docs: Swagger UI (served from node_modules) gets DevHub's header, and its markup the
// labels and focus order axe-core asks for. Swagger UI re-renders as sections open, so the fixes
// are re-applied on every change of the page.
(function () {
  'use strict';
  function header() {
    if (document.querySelector('.devhub-docs-header')) return;
    var bar = document.createElement('header');
    bar.className = 'devhub-docs-header';
    bar.innerHTML =
      '<a class="devhub-docs-brand" href="/dashboard">DevHub</a>' +
      '<nav aria-label="API documentation"><a href="/settings/api-keys">API keys</a> <a href="/api/openapi.json">openapi.json</a> <a href="/api/openapi.yaml">openapi.yaml</a></nav>';
    document.body.insertBefore(bar, document.body.firstChild);
    var root = document.getElementById('swagger-ui');
    if (root && !root.closest('main')) {
      var main = document.createElement('main');
      main.id = 'main';
      root.parentNode.insertBefore(main, root);
      main.appendChild(root);
    }
  }
  function fix() {
    // the servers drop-down has no label
    document.querySelectorAll('select#servers:not([aria-label])').forEach(function (s) { s.setAttribute('aria-label', 'Server'); });
    // a deep link inside each operation's toggle button: the button already opens it
    document.querySelectorAll('.opblock-summary-control a[href]').forEach(function (a) {
      a.removeAttribute('href');
      a.setAttribute('tabindex', '-1');
    });
  }
  function start() {
    header();
    fix();
    new MutationObserver(fix).observe(document.body, { childList: true, subtree: true });
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
