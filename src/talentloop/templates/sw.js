{% load static %}// Talentloop service worker: caches the app shell and shows an offline page.
const VERSION = "tl-shell-v1";
const SHELL = [
  "{% url 'offline' %}",
  "{% static 'css/app.css' %}",
  "{% static 'js/app.js' %}",
  "{% static 'vendor/htmx-2.0.11.min.js' %}",
  "{% static 'icons/icon.svg' %}",
  "{% static 'icons/icon-192.png' %}",
];
const PAGES = "tl-pages-v1";

// Push messages and notification clicks are handled by sw-push.js (the notifications app); a missing
// or broken file must not stop the worker from caching the shell and serving the offline page.
try {
  importScripts("{% static 'js/sw-push.js' %}");
} catch (error) {
  // No push handling: the offline features still work.
}

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(VERSION).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== VERSION && k !== PAGES).map((k) => caches.delete(k))))
      .then(() => self.clients.claim())
  );
});

// The cached home page is shown read-only: the offline class disables its forms and shows the banner.
function markOffline(response) {
  return response.text().then((html) => new Response(
    html.replace("<html ", '<html class="is-offline" data-offline-copy="1" '),
    { headers: { "Content-Type": "text/html; charset=utf-8" } }
  ));
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET") {
    // Signing out: the copies of personal pages go, even if the page is gone before its own clean-up.
    if (url.origin === self.location.origin && url.pathname === "{% url 'accounts:logout' %}") {
      event.waitUntil(caches.delete(PAGES));
    }
    return;
  }
  if (url.origin !== self.location.origin || url.pathname.startsWith("/api/")) return;
  if (request.mode === "navigate") {
    // Network first; the last copy of the home page, then the offline page, when the network is gone.
    event.respondWith(
      fetch(request)
        .then((response) => {
          if (response.ok && url.pathname === "/") {
            const copy = response.clone();
            caches.open(PAGES).then((cache) => cache.put("/", copy));
          }
          return response;
        })
        .catch(() =>
          caches.match(request, { ignoreVary: true })
            .then((hit) => hit || caches.match("{% url 'offline' %}", { ignoreVary: true }))
            .then((hit) => hit && url.pathname === "/" ? markOffline(hit) : hit)
        )
    );
    return;
  }
  if (url.pathname.startsWith("{% get_static_prefix %}")) {
    event.respondWith(caches.match(request, { ignoreVary: true }).then((hit) => hit || fetch(request)));
  }
});
