/* The phone's own store (IndexedDB through idb), shared by the pages and the service worker:
 * - "snapshot": what the seller reads offline, one entry per user, with the time it was made;
 * - "outbox": meetings logged on the phone, each with a ref made here, "waiting" until the
 *   server stores it, or "refused" with the server's reason until corrected or discarded;
 * - "meta": who is logged in and the CSRF token the worker sends with the outbox.
 * No cache logic here: the service worker's caching is Workbox's. */
(function (scope) {
  "use strict";
  const ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"; // as kanelbulle.core.refs: no 0/o, 1/l/i

  function db() {
    return scope.idb.openDB("kanelbulle", 1, {
      upgrade(d) {
        d.createObjectStore("snapshot", { keyPath: "user" });
        d.createObjectStore("outbox", { keyPath: "ref" });
        d.createObjectStore("meta");
      },
    });
  }

  function newRef(prefix) {
    // In the seller's own ref namespace (the snapshot's ref_prefix, e.g. "u17-"): the API takes
    // a chosen ref only there, so a ref never tells anyone about another user's records.
    const bytes = new Uint8Array(12);
    scope.crypto.getRandomValues(bytes);
    return (prefix || "") + "m-" + Array.from(bytes, (b) => ALPHABET[b % ALPHABET.length]).join("");
  }

  async function setSession(user, csrf) {
    const d = await db();
    await d.put("meta", { user, csrf }, "session");
  }

  async function session() {
    return (await db()).get("meta", "session");
  }

  // Set once this page has begun logging out: a snapshot fetched just before must not be kept
  // after clearRead (seen: the field page's refresh answered while the logout was under way).
  let loggingOut = false;

  async function saveSnapshot(user, data) {
    if (loggingOut) return;
    await (await db()).put("snapshot", { user, data, as_of: data.as_of });
  }

  async function snapshot(user) {
    return (await db()).get("snapshot", user);
  }

  /** Logging out: forget what was kept for reading (the unsent outbox stays, for its author only). */
  async function clearRead() {
    loggingOut = true;
    const d = await db();
    await d.clear("snapshot");
    await d.delete("meta", "session");
  }

  async function add(item) {
    await (await db()).put("outbox", item);
  }

  async function items(user) {
    const all = await (await db()).getAll("outbox");
    return all.filter((i) => i.user === user).sort((a, b) => (a.made_at < b.made_at ? -1 : 1));
  }

  async function remove(ref) {
    await (await db()).delete("outbox", ref);
  }

  function reasonOf(status, body) {
    const problems = (body && body.errors) || [];
    if (!problems.length) return "HTTP " + status;
    return problems.map((p) => (p.path ? p.path + ": " : "") + p.message).join("; ");
  }

  let sending = null;

  /** Send every waiting meeting of the logged-in user. The server stores a ref once, so a meeting
   * sent twice (by the page and the worker at once, or after a lost answer) is stored once. */
  function send() {
    if (!sending) {
      sending = sendAll().finally(() => {
        sending = null;
      });
    }
    return sending;
  }

  async function sendAll() {
    const who = await session();
    const result = { sent: 0, refused: 0, waiting: 0 };
    if (!who) return result;
    for (const item of await items(who.user)) {
      if (item.state !== "waiting") continue;
      let response;
      try {
        response = await scope.fetch("/api/v1/meetings", {
          method: "POST",
          credentials: "same-origin",
          headers: { "Content-Type": "application/json", "X-CSRFToken": who.csrf },
          body: JSON.stringify(item.payload),
        });
      } catch (e) {
        result.waiting += 1; // no network: try again later
        continue;
      }
      if (response.status === 201) {
        await remove(item.ref);
        result.sent += 1;
      } else if (response.status === 401 || response.status === 408 || response.status === 429 || response.status >= 500) {
        result.waiting += 1; // logged out or the server is busy: not the meeting's fault
      } else {
        let body = null;
        try {
          body = await response.json();
        } catch (e) {
          body = null;
        }
        if (response.status === 403 && !(body && body.errors)) {
          result.waiting += 1; // a stale session or CSRF token, not a refusal of the meeting
          continue;
        }
        item.state = "refused";
        item.status = response.status;
        item.reason = reasonOf(response.status, body);
        await add(item);
        result.refused += 1;
      }
    }
    return result;
  }

  scope.kbOutbox = { db, newRef, setSession, session, saveSnapshot, snapshot, clearRead, add, items, remove, send };
})(self);
