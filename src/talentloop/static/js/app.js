// Talentloop shell: service worker registration, offline marker, htmx CSRF header.
(function () {
  "use strict";
  if ("serviceWorker" in navigator) {
    window.addEventListener("load", function () {
      navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function () {});
    });
  }
  function mark() { document.documentElement.classList.toggle("is-offline", !navigator.onLine); }
  window.addEventListener("online", mark);
  window.addEventListener("offline", mark);
  mark();
  document.addEventListener("htmx:configRequest", function (event) {
    var token = document.querySelector("meta[name=csrf-token]");
    if (token) { event.detail.headers["X-CSRFToken"] = token.content; }
  });
  // A form with errors answers 422 with the form and its messages: swap it in like any answer.
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.xhr.status === 422) { event.detail.shouldSwap = true; event.detail.isError = false; }
  });
  // Signing out clears the offline cache so nothing personal stays on a shared phone.
  document.addEventListener("submit", function (event) {
    if (event.target.matches("form[data-signout]") && "caches" in window) {
      caches.keys().then(function (keys) { keys.forEach(function (k) { caches.delete(k); }); });
    }
  });
  // Language picker submits on change (no inline script: the CSP forbids it).
  document.addEventListener("change", function (event) {
    if (event.target.matches("[data-autosubmit]")) { event.target.form.submit(); }
  });
})();
