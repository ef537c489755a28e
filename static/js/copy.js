// Copy buttons of the snippet library: shown only when the clipboard can be written (no inline script, CSP-safe).
document.addEventListener("DOMContentLoaded", () => {
  if (!navigator.clipboard) return;
  for (const button of document.querySelectorAll("button[data-copy]")) {
    button.hidden = false;
    button.addEventListener("click", async () => {
      const code = document.getElementById(button.dataset.copy);
      await navigator.clipboard.writeText(code.textContent);
      button.textContent = button.dataset.done;
    });
  }
});
