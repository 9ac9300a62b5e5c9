// Talentloop shell: service worker registration, offline marker, htmx CSRF header.
(function () {
  "use strict";
  if ("serviceWorker" in navigator) {
    window.addEventListener("load", function () {
      navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function () {});
    });
  }
  // A copy served by the service worker stays marked offline even when the phone's network is up
  // (the server, not the network, may be what is gone).
  function mark() {
    var root = document.documentElement;
    root.classList.toggle("is-offline", !navigator.onLine || root.hasAttribute("data-offline-copy"));
  }
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
  // The form is sent once the copies are gone (a page that unloads may drop pending promises); the
  // shell cache (styles, scripts, the offline page) holds nothing personal and stays. The service
  // worker also deletes the copies when it sees the sign-out request.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches("form[data-signout]") || !("caches" in window) || form.dataset.cleared) { return; }
    event.preventDefault();
    caches.keys()
      .then(function (keys) {
        return Promise.all(keys.filter(function (k) { return k.indexOf("tl-shell") !== 0; })
          .map(function (k) { return caches.delete(k); }));
      })
      .catch(function () {})
      .then(function () { form.dataset.cleared = "1"; form.submit(); });
  });
  // People picker (organisation.forms.PersonPicker): htmx fills the suggestions; choosing one puts
  // the person's id in the hidden input, typing again clears it; Escape closes the list.
  function pickerOf(node) { return node.closest("[data-person-picker]"); }
  function closeList(picker) {
    var list = picker.querySelector(".person-results");
    if (list) { list.innerHTML = ""; }
  }
  document.addEventListener("click", function (event) {
    var option = event.target.closest("[data-person-pick]");
    if (!option) { return; }
    var picker = pickerOf(option);
    if (!picker) { return; }
    picker.querySelector("[data-person-id]").value = option.dataset.personPick;
    var box = picker.querySelector("input[type=search]");
    box.value = option.dataset.personLabel;
    closeList(picker);
    box.focus();
  });
  document.addEventListener("input", function (event) {
    var picker = event.target.matches("[data-person-picker] input[type=search]") && pickerOf(event.target);
    if (picker) { picker.querySelector("[data-person-id]").value = ""; }
  });
  document.addEventListener("keydown", function (event) {
    var picker = event.key === "Escape" && pickerOf(event.target);
    if (picker) { closeList(picker); }
  });
  // The sign-in page: however the person was signed out (the button, an idle or expired session,
  // another tab), the offline copy of their home page goes. Clear-Site-Data does the same where the
  // browser honours it; this covers the rest.
  if (document.querySelector("[data-clear-offline]") && "caches" in window) {
    caches.keys()
      .then(function (keys) {
        return Promise.all(keys.filter(function (k) { return k.indexOf("tl-shell") !== 0; })
          .map(function (k) { return caches.delete(k); }));
      })
      .catch(function () {});
  }
  // The "More" page's search box filters its links as one types (case and accents aside).
  document.addEventListener("input", function (event) {
    if (!event.target.matches("[data-nav-filter]")) { return; }
    var term = event.target.value.trim().toLowerCase();
    var shown = 0;
    document.querySelectorAll("[data-nav-group]").forEach(function (group) {
      var visible = 0;
      var title = group.querySelector("h2");
      var titleHit = !!title && term !== "" && title.textContent.toLowerCase().indexOf(term) !== -1;
      group.querySelectorAll("[data-nav-item]").forEach(function (item) {
        var hit = term === "" || titleHit || item.textContent.toLowerCase().indexOf(term) !== -1;
        item.hidden = !hit;
        if (hit) { visible += 1; }
      });
      group.hidden = visible === 0;
      shown += visible;
    });
    var empty = document.querySelector("[data-nav-empty]");
    if (empty) { empty.hidden = shown !== 0; }
  });
  // Language picker submits on change (no inline script: the CSP forbids it).
  document.addEventListener("change", function (event) {
    if (event.target.matches("[data-autosubmit]")) { event.target.form.submit(); }
  });
  // Destructive actions ask first: a form or its submit button with data-confirm="question" is
  // sent only when the person agrees (capture phase, so no other handler and no htmx request runs).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var button = event.submitter;
    var question = (button && button.getAttribute("data-confirm")) || form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);
})();
