/* The phone app (/field/): reads the seller's snapshot from IndexedDB and logs meetings into the
 * outbox (outbox.js), with or without a network. Everything is written with textContent: no HTML
 * from data, no inline script (the CSP forbids it). */
(function () {
  "use strict";
  const app = document.getElementById("field");
  if (!app || !window.kbOutbox) return;
  const box = window.kbOutbox;
  const user = app.dataset.user;
  const T = JSON.parse(document.getElementById("kb-strings").textContent);
  const lang = document.documentElement.lang || "en";
  const $ = (id) => document.getElementById(id);
  let data = null; // the snapshot's document
  let asOf = null;
  let editing = null; // ref of the refused meeting being corrected
  let reachable = null; // did the last call reach the server? (navigator.onLine alone is optimistic)

  const fmt = (s, args) => s.replace(/%\((\w+)\)s/g, (_, k) => String(args[k]));
  const when = (iso) =>
    new Intl.DateTimeFormat(lang, { dateStyle: "medium", timeStyle: "short" }).format(new Date(iso));
  const day = (iso) => new Intl.DateTimeFormat(lang, { dateStyle: "medium" }).format(new Date(iso));
  function money(v) {
    if (!v) return T.none;
    if (v.display) return v.display; // written by the server's one formatter (core.money)
    const n = Number(v.amount);
    return new Intl.NumberFormat(lang, {
      style: "currency",
      currency: v.currency,
      maximumFractionDigits: Number.isInteger(n) ? 0 : 2,
    }).format(n);
  }
  function el(tag, text, cls) {
    const e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = text;
    if (cls) e.className = cls;
    return e;
  }
  function option(value, label) {
    const o = el("option", label);
    o.value = value;
    return o;
  }

  // -- status ------------------------------------------------------------------------------
  function showStatus() {
    const online = navigator.onLine && reachable !== false ? T.online : T.offline;
    $("field-status").textContent = asOf ? online + " · " + fmt(T.as_of, { when: when(asOf) }) : online + " · " + T.never;
    app.classList.toggle("is-offline", !(navigator.onLine && reachable !== false));
  }

  // -- the snapshot ------------------------------------------------------------------------
  async function loadKept() {
    const kept = await box.snapshot(user);
    if (kept) {
      data = kept.data;
      asOf = kept.as_of;
    }
    render();
  }

  async function refresh() {
    if (!navigator.onLine) return;
    try {
      const r = await fetch("/api/v1/field/snapshot", { credentials: "same-origin", cache: "no-store" });
      reachable = true;
      if (r.status === 401) {
        await box.clearRead();
        data = null;
        asOf = null;
      } else if (r.ok) {
        const doc = await r.json();
        if (doc.user === user) {
          await box.saveSnapshot(user, doc);
          data = doc;
          asOf = doc.as_of;
        }
      }
    } catch (e) {
      reachable = false; // no network after all: keep what we have
    }
    render();
  }

  function customers() {
    return (data && data.customers) || [];
  }
  function customer(ref) {
    return customers().find((c) => c.ref === ref);
  }

  function render() {
    showStatus();
    renderVisits();
    renderCustomers();
    renderForm();
  }

  function renderVisits() {
    const list = $("visit-list");
    list.replaceChildren();
    const visits = (data && data.visits) || [];
    if (!visits.length) list.append(el("li", T.no_visits));
    for (const v of visits) {
      const li = el("li", null, "visit");
      li.append(el("strong", when(v.start)), " ", v.customer_name + (v.city ? ", " + v.city : ""));
      if (v.with.length) li.append(el("span", " · " + v.with.join(", ")));
      const b = el("button", T.brief);
      b.type = "button";
      b.dataset.customer = v.customer;
      b.addEventListener("click", () => showBrief(v.customer));
      li.append(" ", b);
      list.append(li);
    }
  }

  function section(parent, title, items) {
    if (!items.length) return;
    parent.append(el("h3", title));
    const ul = el("ul");
    for (const i of items) ul.append(el("li", i));
    parent.append(ul);
  }

  function showBrief(ref) {
    const doc = data && data.briefs && data.briefs[ref];
    if (!doc) return;
    $("brief-h").textContent = T.brief + ": " + doc.customer.name;
    const body = $("brief-body");
    body.replaceChildren();
    section(body, T.openers, doc.openers);
    section(
      body,
      T.people,
      doc.people.map((p) => p.name + (p.title ? ", " + p.title : "") + (p.facts.length ? ": " + p.facts.map((f) => f.text).join("; ") : "")),
    );
    section(
      body,
      T.requests,
      doc.waiting_requests.map((r) => (r.contact || doc.customer.name) + ", " + fmt(T.waiting_days, { days: r.waiting_days })),
    );
    section(
      body,
      T.gifts,
      doc.gifts.map((g) => day(g.date) + ", " + (g.direction === "given" ? T.given : T.received) + ": " + g.description + " (" + money(g.value) + ")"),
    );
    const pol = doc.gift_policies;
    const theirs = pol.customer.open_tender_until
      ? fmt(T.tender, { date: day(pol.customer.open_tender_until) })
      : !pol.customer.accepts_gifts
        ? T.no_gifts
        : pol.customer.max_value
          ? fmt(T.accepts_up_to, { value: money(pol.customer.max_value) })
          : T.accepts;
    section(body, T.policy, [theirs].concat(pol.ours ? [fmt(T.ours, { value: money(pol.ours.per_gift) })] : []));
    section(body, T.deals, doc.open_deals.map((d) => d.title + ": " + money(d.value)));
    section(
      body,
      T.last_meetings,
      doc.last_meetings.map((m) => day(m.start) + ", " + (T[m.modality] || m.modality) + (m.notes ? ": " + m.notes : "")),
    );
    $("brief").hidden = false;
    $("brief").scrollIntoView();
  }

  function renderCustomers() {
    const list = $("customer-list");
    list.replaceChildren();
    for (const c of customers()) {
      const d = el("details", null, "customer");
      d.append(el("summary", c.name + (c.city ? ", " + c.city : "")));
      const ul = el("ul");
      for (const p of c.people) {
        const li = el("li", p.name + (p.title ? ", " + p.title : ""));
        if (p.facts.length) li.append(el("span", ": " + p.facts.map((f) => f.text).join("; ")));
        ul.append(li);
      }
      d.append(ul);
      list.append(d);
    }
  }

  // -- the log form ------------------------------------------------------------------------
  function renderForm() {
    const select = $("f-customer");
    const chosen = select.value;
    select.replaceChildren(option("", T.pick_customer));
    for (const c of customers()) select.append(option(c.ref, c.name + (c.city ? ", " + c.city : "")));
    if (chosen && customer(chosen)) select.value = chosen;
    renderPeople();
  }

  function renderPeople(picked, honours, factContact) {
    const c = customer($("f-customer").value);
    const people = $("f-people");
    people.querySelectorAll("label").forEach((n) => n.remove());
    const factSel = $("f-fact-contact");
    factSel.replaceChildren(option("", T.anyone));
    const honSel = $("f-honours");
    honSel.replaceChildren(option("", T.no_request));
    if (!c) return;
    for (const p of c.people) {
      const label = el("label", null, "chip");
      const box = document.createElement("input");
      box.type = "checkbox";
      box.name = "contacts";
      box.value = p.ref;
      box.checked = !!(picked && picked.includes(p.ref));
      label.append(box, " " + p.name);
      people.append(label);
      factSel.append(option(p.ref, p.name));
    }
    for (const r of c.requests) {
      honSel.append(option(r.ref, (r.contact || c.name) + ", " + day(r.requested_at)));
    }
    if (honours) honSel.value = honours;
    if (factContact) factSel.value = factContact;
  }

  function formError(text) {
    const e = $("log-error");
    e.textContent = text || "";
    e.hidden = !text;
  }

  function resetForm() {
    editing = null;
    $("field-log").reset();
    $("log-editing").hidden = true;
    $("log-cancel").hidden = true;
    renderPeople();
  }

  async function save(event) {
    event.preventDefault();
    const ref = $("f-customer").value;
    const c = customer(ref);
    if (!c) {
      formError(T.pick_customer);
      return;
    }
    const contacts = Array.from($("f-people").querySelectorAll("input:checked"), (b) => b.value);
    const factText = $("f-fact-text").value.trim();
    let factContact = $("f-fact-contact").value;
    if (!factContact && contacts.length === 1) factContact = contacts[0];
    if (!factContact && c.people.length === 1) factContact = c.people[0].ref;
    const payload = {
      ref: editing || box.newRef(),
      customer: ref,
      contacts,
      start: new Date().toISOString(),
      modality: $("f-modality").value,
      notes: $("f-notes").value,
      new_facts: factText && factContact ? [{ contact: factContact, kind: $("f-fact-kind").value, text: factText }] : [],
    };
    if ($("f-honours").value) payload.honours = $("f-honours").value;
    if (editing) {
      const old = (await box.items(user)).find((i) => i.ref === editing);
      if (old) payload.start = old.payload.start;
    }
    await box.add({
      ref: payload.ref,
      user,
      state: "waiting",
      payload,
      label: c.name,
      made_at: new Date().toISOString(),
    });
    formError("");
    resetForm();
    $("log-save").blur();
    await renderOutbox();
    flash(T.saved);
    await askForSync();
    if (navigator.onLine) sync();
  }

  function flash(text) {
    $("field-status").textContent = text;
    setTimeout(showStatus, 2500);
  }

  // -- the outbox --------------------------------------------------------------------------
  async function renderOutbox() {
    const items = await box.items(user);
    const list = $("outbox-list");
    list.replaceChildren();
    $("field-outbox").hidden = !items.length;
    for (const i of items) {
      const li = el("li", null, "outbox-item " + i.state);
      li.dataset.ref = i.ref;
      li.append(el("strong", i.label), " " + when(i.payload.start) + " · ");
      li.append(el("span", i.state === "refused" ? T.refused : T.waiting, "state"));
      if (i.payload.notes) li.append(el("div", i.payload.notes, "muted"));
      if (i.state === "refused") {
        li.append(el("div", fmt(T.reason, { reason: i.reason }), "reason"));
        const fix = el("button", T.correct);
        fix.type = "button";
        fix.addEventListener("click", () => correct(i));
        const drop = el("button", T.discard);
        drop.type = "button";
        drop.addEventListener("click", async () => {
          await box.remove(i.ref);
          renderOutbox();
        });
        li.append(fix, " ", drop);
      }
      list.append(li);
    }
  }

  function correct(item) {
    editing = item.ref;
    const p = item.payload;
    const select = $("f-customer");
    if (!customer(p.customer)) select.append(option(p.customer, item.label));
    select.value = p.customer;
    $("f-modality").value = p.modality;
    $("f-notes").value = p.notes || "";
    const fact = (p.new_facts || [])[0];
    renderPeople(p.contacts, p.honours, fact && fact.contact);
    if (fact) {
      $("f-fact-kind").value = fact.kind;
      $("f-fact-text").value = fact.text;
    }
    $("log-editing").hidden = false;
    $("log-cancel").hidden = false;
    $("log").scrollIntoView();
  }

  async function askForSync() {
    try {
      const reg = await navigator.serviceWorker.ready;
      if (reg.sync) await reg.sync.register("kb-outbox");
    } catch (e) {
      /* no Background Sync here: the page sends on open and when the network returns */
    }
  }

  async function sync() {
    const before = (await box.items(user)).filter((i) => i.state === "waiting").length;
    if (before) $("field-outbox").classList.add("sending");
    const result = await box.send();
    $("field-outbox").classList.remove("sending");
    await renderOutbox();
    if (result.sent) {
      await refresh();
      flash(fmt(T.sent, { count: result.sent }));
    }
    return result;
  }

  // -- start -------------------------------------------------------------------------------
  $("field-log").addEventListener("submit", save);
  $("f-customer").addEventListener("change", () => renderPeople());
  $("log-cancel").addEventListener("click", resetForm);
  $("brief-close").addEventListener("click", () => {
    $("brief").hidden = true;
  });
  $("field-send").addEventListener("click", () => sync().then(refresh));
  window.addEventListener("online", () => sync().then(refresh));
  window.addEventListener("offline", () => {
    reachable = false;
    showStatus();
  });
  navigator.serviceWorker &&
    navigator.serviceWorker.addEventListener("message", (e) => {
      if (e.data && e.data.type === "kb-outbox") renderOutbox();
    });

  (async function start() {
    await box.setSession(user, app.dataset.csrf);
    await loadKept();
    await renderOutbox();
    app.dataset.ready = "1";
    if (navigator.onLine) {
      await sync();
      await refresh();
    }
    app.dataset.synced = "1";
  })();
})();
