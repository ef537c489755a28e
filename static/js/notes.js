// The note editor (day, week and resource notes; templates/progress/_note_editor.html): typed text is never lost.
//
// htmx saves the text a second after any change (input, change, compositionend in hx-trigger). This script adds
// what htmx cannot do without eval (which the CSP forbids):
// - no save in the middle of an IME composition: its text is unfinished syllables; compositionend saves;
// - a draft in localStorage from the first change until the server confirms the text (X-Note-Saved header);
//   on the next visit an unconfirmed draft newer than the saved note is offered back, never applied by itself;
// - leaving the page (a hidden tab, a closed tab, a link followed within the debounce) sends the pending text
//   with fetch keepalive: the same form post as the autosave, so CSRF, ownership and the version check apply;
// - the status line says "unsaved" while a save is pending, and "offline" while it fails, retrying until saved.
(() => {
  "use strict";
  const form = document.querySelector("form[data-note-draft]");
  if (!form || !window.htmx) return; // without htmx the form posts as a plain form
  const area = form.querySelector("textarea[name=body]");
  const status = document.getElementById("note-status");
  const offer = document.getElementById("note-draft");
  const key = `note-draft:${form.dataset.noteDraft}`;
  const RETRY_MS = 5000;
  const KEEPALIVE_MAX = 60000; // browsers refuse keepalive bodies above 64 KiB
  const sent = new WeakMap(); // xhr -> the text it carried

  let saved = area.value; // the text the server holds, as far as this page knows
  let composing = false;
  let requests = 0; // htmx saves in flight
  let sending = null; // the text of the latest htmx save
  let sendingVersion = -1; // and the version it was saved over
  let leaving = null; // the text of a keepalive save in flight
  let retry = 0;

  const versionInput = () => form.querySelector("input[name=version]"); // replaced by each save's answer
  const version = () => Number(versionInput().value);
  const dirty = () => area.value !== saved;

  function readDraft() {
    try {
      const draft = JSON.parse(localStorage.getItem(key));
      return draft && typeof draft.body === "string" ? draft : null;
    } catch {
      return null;
    }
  }
  function keepDraft() {
    try {
      localStorage.setItem(key, JSON.stringify({ body: area.value, version: version(), time: Date.now() }));
    } catch {
      // Storage full or disabled: the server save still runs.
    }
  }
  function dropDraft() {
    try {
      localStorage.removeItem(key);
    } catch {
      // Nothing kept, nothing to drop.
    }
  }

  function show(state) {
    if (status.dataset.state === state) return; // a live region: say it once, not on every keystroke
    status.dataset.state = state;
    status.textContent = status.dataset[state];
  }
  function save() {
    clearTimeout(retry);
    retry = 0;
    if (dirty()) htmx.trigger(area, "notesave");
  }
  function confirmed(text) {
    saved = text;
    clearTimeout(retry);
    retry = 0;
    if (dirty()) {
      keepDraft(); // typed while the save travelled: still pending, now over the new version
      show("unsaved");
    } else {
      dropDraft();
      delete status.dataset.state;
    }
  }
  function failed(xhr) {
    keepDraft();
    if (xhr.status === 0 || xhr.status >= 500) {
      show(xhr.status === 0 ? "offline" : "failed");
      clearTimeout(retry);
      retry = setTimeout(save, RETRY_MS);
    } else {
      show("refused"); // 403 (session ended) or 404: trying again would not help
    }
  }

  area.addEventListener("compositionstart", () => {
    composing = true;
  });
  area.addEventListener("compositionend", () => {
    composing = false;
  });
  area.addEventListener("input", () => {
    if (dirty()) {
      keepDraft();
      show("unsaved");
    } else if (status.dataset.state) {
      dropDraft(); // edited back to the saved text: nothing is pending
      delete status.dataset.state;
      status.textContent = "";
    }
  });

  form.addEventListener("htmx:confirm", (event) => {
    const { elt, triggeringEvent } = event.detail;
    // Mid-composition text is not the learner's yet; and while a keepalive save travels, a second save would
    // carry the same version and be refused as a conflict with itself (it saves again once that one is back).
    if (elt === area && (composing || leaving !== null)) event.preventDefault();
    // Leaving the field fires change even when the text is the saved one: saving it again would only move
    // the version on under another tab's feet.
    if (elt === area && !dirty()) event.preventDefault();
    // The same text over the same version is on its way already (leaving the field fires change, then the
    // Save button submits): a second answer would redraw a conflict while the learner is choosing in it.
    const forced = Boolean(triggeringEvent && triggeringEvent.submitter && triggeringEvent.submitter.name);
    if (requests > 0 && !forced && sending === area.value && sendingVersion === version()) event.preventDefault();
  });
  form.addEventListener("htmx:beforeRequest", (event) => {
    requests += 1;
    sending = area.value;
    sendingVersion = version();
    sent.set(event.detail.xhr, sending);
  });
  form.addEventListener("htmx:afterRequest", (event) => {
    requests -= 1;
    const xhr = event.detail.xhr;
    if (event.detail.successful) delete status.dataset.state; // the answer has replaced the status line
    if (xhr.getResponseHeader("X-Note-Saved")) confirmed(sent.get(xhr));
    else if (!event.detail.successful) failed(xhr);
    // A conflict or a refused text answers 200 without the header: its message is shown, the draft stays.
    if (document.visibilityState === "hidden") leave();
  });
  window.addEventListener("online", save);

  function leave() {
    if (!dirty() || leaving !== null || (requests > 0 && sending === area.value)) return;
    const text = area.value;
    const data = new URLSearchParams(new FormData(form));
    // A save still in flight moves the version on if it succeeds; this one follows it. If that one fails,
    // this one is refused as stale and the draft stays for the next visit.
    if (requests > 0) data.set("version", String(version() + 1));
    keepDraft();
    leaving = text;
    const body = data.toString();
    const init = { method: "POST", body: data, credentials: "same-origin", headers: { "HX-Request": "true" } };
    fetch(form.action, { ...init, keepalive: body.length < KEEPALIVE_MAX })
      .then(async (response) => {
        // Still here (a hidden tab): take the answer as htmx would, so the next save carries the new version.
        if (response.headers.get("X-Note-Saved")) {
          htmx.swap(status, await response.text(), { swapStyle: "innerHTML" });
          confirmed(text);
        }
      })
      .catch(() => {
        // Offline or the page is gone: the draft stays and is offered on the next visit.
      })
      .finally(() => {
        leaving = null;
        if (document.visibilityState === "visible") save();
      });
  }
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") save();
    else if (requests === 0) leave(); // else once the save in flight is back (htmx:afterRequest)
  });
  window.addEventListener("pagehide", leave);

  // A draft left by an earlier visit.
  const draft = readDraft();
  if (!draft) return;
  const savedAt = Number(form.dataset.savedAt) * 1000;
  if (draft.body === area.value || (draft.version < version() && draft.time <= savedAt)) {
    dropDraft(); // saved after all (a keepalive save whose answer nobody read), or older than the saved note
    return;
  }
  offer.querySelector("[data-draft-text]").textContent = draft.body;
  offer.hidden = false;
  offer.querySelector("[data-draft=restore]").addEventListener("click", () => {
    offer.hidden = true;
    area.value = draft.body;
    // Saved over the version the draft was written on: if the note changed since, the save is refused and
    // the newer note shown beside this text, as for two tabs.
    versionInput().value = String(draft.version);
    keepDraft();
    show("unsaved");
    save();
    area.focus();
  });
  offer.querySelector("[data-draft=discard]").addEventListener("click", () => {
    offer.hidden = true;
    dropDraft();
    area.focus();
  });
})();
