{% autoescape off %}/* Kanelbulle's service worker: Workbox routes and precaching, and Background Sync for the outbox. */
importScripts(...{{ imports }});
workbox.setConfig({ modulePathPrefix: "{{ workbox }}", debug: false });
workbox.core.setCacheNameDetails({ prefix: "kanelbulle" });
workbox.core.skipWaiting();
workbox.core.clientsClaim();

workbox.precaching.cleanupOutdatedCaches();
workbox.precaching.precacheAndRoute({{ precache }});

// The field page: fresh from the network when there is one, else the copy last seen (never a redirect).
const fieldCache = {{ field_cache }};
const fieldPage = new workbox.strategies.NetworkFirst({
  cacheName: fieldCache,
  networkTimeoutSeconds: 5,
  plugins: [new workbox.cacheableResponse.CacheableResponsePlugin({ statuses: [200] })],
});
workbox.routing.registerRoute(
  ({ request, url }) => request.mode === "navigate" && url.pathname === "/field/",
  fieldPage,
);

// Offline, any other page opens the field page instead of the browser's error.
workbox.routing.setCatchHandler(async ({ request }) => {
  if (request.mode === "navigate") {
    const kept = await caches.open(fieldCache).then((c) => c.match("/field/", { ignoreSearch: true }));
    if (kept) return kept;
  }
  return Response.error();
});
workbox.routing.setDefaultHandler(new workbox.strategies.NetworkOnly());

// Background Sync: the page registers "kb-outbox" when it saves a meeting; the browser fires it
// when the network is back, even if the page is closed. The page also sends on open and online.
self.addEventListener("sync", (event) => {
  if (event.tag !== "kb-outbox") return;
  event.waitUntil(
    self.kbOutbox.send().then(async () => {
      for (const client of await self.clients.matchAll()) client.postMessage({ type: "kb-outbox" });
    }),
  );
});
{% endautoescape %}
