// Copy buttons (the snippet library, the calendar feed's link): shown only when the clipboard can be written, so
// without it (or without JavaScript) the text simply stays selectable. No inline script: CSP-safe.
(() => {
  if (!navigator.clipboard) return;
  const reveal = (root) => {
    for (const button of root.querySelectorAll("button[data-copy]")) button.hidden = false;
  };
  document.addEventListener("DOMContentLoaded", () => reveal(document));
  // Content htmx swaps in (the feed panel after "Reset the link") brings its own hidden button.
  document.addEventListener("htmx:load", (event) => reveal(event.target));
  // One listener for every button, present and future.
  document.addEventListener("click", async (event) => {
    const button = event.target.closest("button[data-copy]");
    if (!button) return;
    const source = document.getElementById(button.dataset.copy);
    // A field's text is its value (the feed URL); a <pre>'s is its content (a snippet).
    await navigator.clipboard.writeText(source.value ?? source.textContent);
    button.textContent = button.dataset.done;
  });
})();
