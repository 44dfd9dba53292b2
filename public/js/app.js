// Progressive enhancement only: every page works without this file.
(function () {
  'use strict';
  document.documentElement.classList.add('js');

  // Ask before destructive actions: <form data-confirm="Delete this contact?">
  document.addEventListener('submit', function (event) {
    var form = event.target;
    var message = form && form.getAttribute && form.getAttribute('data-confirm');
    if (message && !window.confirm(message)) { event.preventDefault(); return; }
    // Long actions (<form data-busy="Importing…">): show progress and prevent a double submit.
    var busy = form && form.getAttribute && form.getAttribute('data-busy');
    if (busy) {
      form.querySelectorAll('button[type="submit"], button:not([type])').forEach(function (button) {
        button.disabled = true;
        button.setAttribute('data-busy-label', 'true');
        button.textContent = '';
        var spinner = document.createElement('span');
        spinner.className = 'spinner';
        spinner.setAttribute('aria-hidden', 'true');
        button.appendChild(spinner);
        button.appendChild(document.createTextNode(' ' + busy));
      });
      form.setAttribute('aria-busy', 'true');
    }
  });

  // Menus built on <details>: one open at a time, closed by a click elsewhere or Escape
  // (focus goes back to the menu's button).
  var MENUS = 'details.user-menu[open], details.nav-menu[open], details.row-menu[open]';
  document.addEventListener('click', function (event) {
    document.querySelectorAll(MENUS).forEach(function (menu) {
      if (!menu.contains(event.target)) menu.removeAttribute('open');
    });
  });
  document.addEventListener('toggle', function (event) {
    var opened = event.target;
    if (!opened.open || !opened.matches || !opened.matches('details.user-menu, details.nav-menu, details.row-menu')) return;
    document.querySelectorAll(MENUS).forEach(function (menu) {
      if (menu !== opened && !menu.contains(opened)) menu.removeAttribute('open');
    });
  }, true);
  document.addEventListener('keydown', function (event) {
    if (event.key === 'Escape') {
      var open = document.querySelectorAll(MENUS);
      if (open.length) {
        var last = open[open.length - 1];
        open.forEach(function (m) { m.removeAttribute('open'); });
        var summary = last.querySelector('summary');
        if (summary) summary.focus();
        return;
      }
    }
    var tag = (event.target && event.target.tagName) || '';
    if (/INPUT|TEXTAREA|SELECT/.test(tag) || (event.target && event.target.isContentEditable) || event.metaKey || event.ctrlKey || event.altKey) return;
    if (event.key === '/') {
      var search = document.querySelector('[data-page-search]') || document.querySelector('[data-global-search]');
      if (search && search.offsetParent !== null) { event.preventDefault(); search.focus(); search.select(); }
    } else if (event.key === 'n') {
      var create = document.querySelector('[data-shortcut="n"]');
      if (create) { event.preventDefault(); window.location.href = create.getAttribute('href'); }
    }
  });

  // Copy buttons: <button data-copy="#element-id">Copy</button> (hidden until scripts run); the digest's "Copy draft" too.
  document.querySelectorAll('[data-copy]').forEach(function (button) {
    button.hidden = false;
    button.addEventListener('click', function () {
      // data-copy names the element as "#id" or a bare id (the digest's drafts)
      var target = button.getAttribute('data-copy') || '';
      var source = target.charAt(0) === '#' ? document.querySelector(target) : document.getElementById(target);
      if (!source) return;
      var text = (source.value !== undefined ? source.value : source.textContent).trim();
      var done = function () {
        var label = button.textContent;
        button.setAttribute('data-copied', 'true');
        button.textContent = 'Copied';
        setTimeout(function () { button.textContent = label; button.removeAttribute('data-copied'); }, 2000);
      };
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(text).then(done, function () { selectText(source); });
      } else {
        selectText(source);
      }
    });
  });
  function selectText(el) {
    var range = document.createRange();
    range.selectNodeContents(el);
    var sel = window.getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
  }

  // A form with errors: focus its summary, whose links lead to each field.
  var summary = document.querySelector('[data-error-summary]');
  if (summary) summary.focus();
  document.addEventListener('click', function (event) {
    var link = event.target.closest && event.target.closest('.error-summary a[href^="#"]');
    if (!link) return;
    var field = document.getElementById(link.getAttribute('href').slice(1));
    if (field) { event.preventDefault(); field.focus(); field.scrollIntoView({ block: 'center' }); }
  });

  // Sign-up records the browser's time zone (the server keeps UTC when this never runs).
  document.querySelectorAll('input[data-timezone]').forEach(function (input) {
    try {
      var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
      if (zone && !input.value) input.value = zone;
    } catch (e) { /* keep the default */ }
  });

  // Selects that apply on change (<select data-autosubmit>): the form's button stays for no-JS.
  document.querySelectorAll('select[data-autosubmit]').forEach(function (select) {
    select.addEventListener('change', function () { if (select.form) select.form.submit(); });
  });

  // Contact list: select all, and the bulk bar only while something is selected.
  document.querySelectorAll('[data-bulk]').forEach(function (form) {
    var bar = form.querySelector('[data-bulk-bar]');
    var all = form.querySelector('[data-select-all]');
    var boxes = function () { return form.querySelectorAll('input[type="checkbox"][name="ids"]'); };
    var count = form.querySelector('[data-bulk-count]');
    var update = function () {
      var n = 0;
      boxes().forEach(function (b) { if (b.checked) n++; });
      if (bar) bar.hidden = n === 0;
      if (count) count.textContent = n + ' selected';
      if (all) { all.checked = n > 0 && n === boxes().length; all.indeterminate = n > 0 && n < boxes().length; }
    };
    if (all) {
      all.hidden = false;
      all.addEventListener('change', function () {
        boxes().forEach(function (b) { b.checked = all.checked; });
        update();
      });
    }
    form.addEventListener('change', function (event) { if (event.target !== all) update(); });
    update();
  });

  // Flash messages fade after a while; errors stay.
  setTimeout(function () {
    document.querySelectorAll('.flash-success, .flash-info').forEach(function (el) { el.classList.add('flash-hide'); });
  }, 6000);
})();
