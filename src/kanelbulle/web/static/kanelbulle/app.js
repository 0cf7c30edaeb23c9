/* On every page: register the service worker (workbox-window) and, on logout, forget what the
 * phone keeps for reading offline before the server ends the session. */
(function () {
  "use strict";
  const root = document.documentElement;
  if ("serviceWorker" in navigator && window.workbox && root.dataset.sw) {
    const wb = new window.workbox.Workbox(root.dataset.sw, { scope: "/" });
    window.kbWorkbox = wb;
    wb.register();
  }
  document.querySelectorAll("form.logout").forEach((form) => {
    form.addEventListener("submit", (event) => {
      if (form.dataset.cleared || !window.kbOutbox) return;
      event.preventDefault();
      const fieldCache = root.dataset.fieldCache;
      Promise.allSettled([
        window.kbOutbox.clearRead(),
        window.caches && fieldCache ? window.caches.delete(fieldCache) : Promise.resolve(),
      ]).then(() => {
        form.dataset.cleared = "1";
        form.submit();
      });
    });
  });
})();
