// "Push on this device": subscribe or unsubscribe this browser with the organisation's VAPID key.
// Acts only on a page holding [data-push-toggle] (notifications/channel_push_toggle.html). No inline script.
(function () {
  "use strict";
  var SUBSCRIPTIONS = "/api/v1/notifications/push/subscriptions";

  // Signing out also ends push on this device, so nobody's notifications keep arriving on a shared phone:
  // the subscription is removed on the server (while the session still exists) and in the browser, then
  // the sign-out goes on (at most 1.5 s later). This listener runs first (capture phase) and holds the
  // event back; the form is then submitted again with requestSubmit(), so app.js's own clean-up runs too.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches("form[data-signout]") || form.dataset.pushDone) { return; }
    if (!("serviceWorker" in navigator) || !("PushManager" in window)) { return; }
    event.preventDefault();
    event.stopImmediatePropagation();
    var finished = false;
    function done() {
      if (finished) { return; }
      finished = true;
      form.dataset.pushDone = "1";
      if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
    }
    var timer = setTimeout(done, 1500);
    var meta = document.querySelector("meta[name=csrf-token]");
    navigator.serviceWorker.getRegistration()
      .then(function (reg) { return reg ? reg.pushManager.getSubscription() : null; })
      .then(function (sub) {
        if (!sub) { return null; }
        return fetch(SUBSCRIPTIONS, {
          method: "DELETE", credentials: "same-origin", keepalive: true,
          headers: { "Content-Type": "application/json", "X-CSRFToken": meta ? meta.content : "" },
          body: JSON.stringify({ endpoint: sub.endpoint })
        }).catch(function () {}).then(function () { return sub.unsubscribe(); });
      })
      .catch(function () {})
      .then(function () { clearTimeout(timer); done(); });
  }, true);

  var box = document.querySelector("[data-push-toggle]");
  if (!box) { return; }
  var statusEl = box.querySelector("[data-push-status]");
  var onBtn = box.querySelector("[data-push-on]");
  var offBtn = box.querySelector("[data-push-off]");

  function say(key) {
    var t = box.querySelector('template[data-msg="' + key + '"]');
    statusEl.textContent = t ? t.content.textContent.trim() : key;
  }
  function show(on) {
    onBtn.hidden = on;
    offBtn.hidden = !on;
    say(on ? "on" : "off");
  }
  function csrf() {
    var meta = document.querySelector("meta[name=csrf-token]");
    return meta ? meta.content : "";
  }
  function api(method, url, body) {
    return fetch(url, {
      method: method, credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf(), "Accept": "application/json" },
      body: body ? JSON.stringify(body) : undefined
    }).then(function (r) {
      if (!r.ok) { var e = new Error("HTTP " + r.status); e.status = r.status; throw e; }
      return r.json();
    });
  }
  // The VAPID key is URL-safe base64; PushManager wants the raw bytes.
  function keyBytes(b64) {
    var pad = "=".repeat((4 - (b64.length % 4)) % 4);
    var raw = atob((b64 + pad).replace(/-/g, "+").replace(/_/g, "/"));
    var out = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) { out[i] = raw.charCodeAt(i); }
    return out;
  }
  function registration() { return navigator.serviceWorker.ready; }

  if (!("serviceWorker" in navigator) || !("PushManager" in window) || !("Notification" in window)) {
    say("unsupported");
    return;
  }
  if (Notification.permission === "denied") { say("denied"); return; }

  var publicKey = null;
  api("GET", box.dataset.keyUrl)
    .then(function (data) {
      publicKey = data.public_key;
      return registration().then(function (reg) { return reg.pushManager.getSubscription(); });
    })
    .then(function (sub) { show(!!sub); })
    .catch(function (err) { say(err && err.status === 404 ? "unavailable" : "error"); });

  onBtn.addEventListener("click", function () {
    onBtn.disabled = true;
    Notification.requestPermission()
      .then(function (permission) {
        if (permission !== "granted") { throw Object.assign(new Error("denied"), { denied: true }); }
        return registration();
      })
      .then(function (reg) {
        return reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(publicKey) });
      })
      .then(function (sub) {
        var json = sub.toJSON();
        return api("POST", box.dataset.subscriptionsUrl, {
          endpoint: json.endpoint, keys: json.keys, user_agent: navigator.userAgent.slice(0, 300)
        });
      })
      .then(function () { show(true); })
      .catch(function (err) { say(err && err.denied ? "denied" : "error"); })
      .finally(function () { onBtn.disabled = false; });
  });

  offBtn.addEventListener("click", function () {
    offBtn.disabled = true;
    registration()
      .then(function (reg) { return reg.pushManager.getSubscription(); })
      .then(function (sub) {
        if (!sub) { return null; }
        var endpoint = sub.endpoint;
        return sub.unsubscribe().then(function () {
          return api("DELETE", box.dataset.subscriptionsUrl, { endpoint: endpoint });
        });
      })
      .then(function () { show(false); })
      .catch(function () { say("error"); })
      .finally(function () { offBtn.disabled = false; });
  });
})();
