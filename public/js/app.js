// Progressive enhancement only: every page works without this file.
(function () {
  'use strict';
  // Ask before destructive actions: <form data-confirm="Delete this contact?">
  document.addEventListener('submit', function (event) {
    var form = event.target;
    var message = form && form.getAttribute && form.getAttribute('data-confirm');
    if (message && !window.confirm(message)) { event.preventDefault(); return; }
    // Long actions (<form data-busy="Importing…">): show progress and prevent a double submit.
    var busy = form && form.getAttribute && form.getAttribute('data-busy');
    if (busy) {
      form.querySelectorAll('button[type="submit"]').forEach(function (button) {
        button.disabled = true;
        button.textContent = busy;
      });
      form.setAttribute('aria-busy', 'true');
    }
  });
  // Close the account menu when clicking elsewhere or pressing Escape.
  document.addEventListener('click', function (event) {
    document.querySelectorAll('details.user-menu[open]').forEach(function (menu) {
      if (!menu.contains(event.target)) menu.removeAttribute('open');
    });
  });
  document.addEventListener('keydown', function (event) {
    if (event.key === 'Escape') {
      document.querySelectorAll('details.user-menu[open]').forEach(function (m) { m.removeAttribute('open'); });
    }
    var tag = (event.target && event.target.tagName) || '';
    if (/INPUT|TEXTAREA|SELECT/.test(tag) || event.metaKey || event.ctrlKey || event.altKey) return;
    if (event.key === '/') {
      var search = document.querySelector('input[type="search"]');
      if (search) { event.preventDefault(); search.focus(); }
    } else if (event.key === 'n') {
      var create = document.querySelector('[data-shortcut="n"]');
      if (create) { event.preventDefault(); window.location.href = create.getAttribute('href'); }
    }
  });
  // Digest: "Copy draft" buttons (the draft stays selectable in its textarea without scripts).
  document.querySelectorAll('[data-copy]').forEach(function (button) {
    button.hidden = false;
    button.addEventListener('click', function () {
      var source = document.getElementById(button.getAttribute('data-copy'));
      if (!source) return;
      var done = function () { button.textContent = 'Copied'; setTimeout(function () { button.textContent = 'Copy draft'; }, 2000); };
      if (navigator.clipboard && navigator.clipboard.writeText) navigator.clipboard.writeText(source.value).then(done, function () { source.select(); });
      else { source.select(); try { document.execCommand('copy'); done(); } catch (e) { /* selected: the user copies */ } }
    });
  });
  // Flash messages fade after a while; errors stay.
  setTimeout(function () {
    document.querySelectorAll('.flash-success, .flash-info').forEach(function (el) { el.classList.add('flash-hide'); });
  }, 6000);
})();
