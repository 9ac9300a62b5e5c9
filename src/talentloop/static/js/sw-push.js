// Web Push handlers of the service worker (imported by sw.js with importScripts).
// The payload is the JSON written by talentloop.notifications.channels.webpush: {title, body, url, count}.
self.addEventListener("push", function (event) {
  var data = {};
  try { data = event.data ? event.data.json() : {}; } catch (e) { data = { body: event.data ? event.data.text() : "" }; }
  var title = data.title || "Talentloop";
  var options = {
    body: data.body || "",
    icon: "/static/icons/icon-192.png",
    badge: "/static/icons/icon-192.png",
    data: { url: data.url || "/" },
    // A digest replaces the previous notification of the same title instead of stacking.
    tag: data.count > 1 ? "digest:" + title : undefined,
    renotify: data.count > 1
  };
  event.waitUntil(self.registration.showNotification(title, options));
});

self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  var target = (event.notification.data && event.notification.data.url) || "/";
  var url = new URL(target, self.location.origin);
  // Only links into the product itself are opened.
  if (url.origin !== self.location.origin) { url = new URL("/", self.location.origin); }
  event.waitUntil(
    self.clients.matchAll({ type: "window", includeUncontrolled: true }).then(function (windows) {
      for (var i = 0; i < windows.length; i++) {
        var w = windows[i];
        if (w.url === url.href && "focus" in w) { return w.focus(); }
      }
      if (windows.length && "navigate" in windows[0]) {
        return windows[0].navigate(url.href).then(function (w) { return w && w.focus(); });
      }
      return self.clients.openWindow(url.href);
    })
  );
});
