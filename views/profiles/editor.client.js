// Live preview for /settings/profile. Progressive enhancement: without it, "Preview" posts the form.
(function () {
  'use strict';
  var form = document.querySelector('form[data-profile-editor]');
  var target = document.getElementById('profile-preview');
  if (!form || !target || !window.fetch || !window.URLSearchParams) return;
  var timer = null;
  var seq = 0;
  function refresh() {
    var body = new URLSearchParams(new FormData(form));
    var mine = ++seq;
    fetch('/settings/profile/preview', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-preview': 'card', 'x-csrf-token': body.get('_csrf') || '' },
      body: body.toString(),
    })
      .then(function (res) { return res.ok ? res.text() : null; })
      .then(function (html) { if (html !== null && mine === seq) target.innerHTML = html; })
      .catch(function () { /* the saved preview stays */ });
  }
  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(refresh, 250);
  }
  form.addEventListener('input', schedule);
  form.addEventListener('change', schedule);
})();
