// Until the wasm has hydrated the page, buttons that only script handles do nothing and a
// choice made in a form does not reach the page's state. Record them, and replay them once the
// page is hydrated (it marks <body data-hydrated>), so nothing a person does early is lost.
// Links, submit buttons and <details> work natively and are left alone.
// Only a person's own events count (isTrusted). Fields replay first, then the last button
// clicked, once: a button clicked again and again while nothing happened runs one action, and
// two buttons never race each other to the server.
(() => {
  let lastClick = null;
  const changed = new Set();
  const hydrated = () => document.body && document.body.dataset.hydrated === "true";
  document.addEventListener("click", (e) => {
    if (hydrated() || !e.isTrusted || !(e.target instanceof Element)) return;
    const button = e.target.closest('button[type="button"]');
    if (button) lastClick = button;
  }, true);
  const remember = (e) => {
    if (!hydrated() && e.isTrusted && e.target instanceof Element && e.target.matches("input, select, textarea")) {
      // The latest choice replays last (a radio chosen, another, then the first again).
      changed.delete(e.target);
      changed.add(e.target);
    }
  };
  document.addEventListener("input", remember, true);
  document.addEventListener("change", remember, true);
  const replay = () => {
    for (const field of changed) {
      if (!field.isConnected || (field.type === "radio" && !field.checked)) continue;
      field.dispatchEvent(new Event("input", { bubbles: true }));
      field.dispatchEvent(new Event("change", { bubbles: true }));
    }
    changed.clear();
    const button = lastClick;
    lastClick = null;
    // A turn later, so the page has applied the fields' state (and may have disabled it).
    if (button) setTimeout(() => { if (button.isConnected && !button.disabled) button.click(); });
  };
  new MutationObserver((_, observer) => {
    if (!hydrated()) return;
    observer.disconnect();
    replay();
  }).observe(document.documentElement, { subtree: true, attributes: true, attributeFilter: ["data-hydrated"] });
})();
