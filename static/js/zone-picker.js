// Time zone picker (progressive enhancement; the input and its datalist work without this script):
// put the device's own zone at the top of the list, offer a button to use it, and on a first enrollment,
// where the value is only the site's default, fill it in (and the default start date with the device's today).
document.addEventListener("DOMContentLoaded", () => {
  let zone = "";
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  } catch {
    return;
  }
  if (!zone) return;
  for (const input of document.querySelectorAll("input[data-zone-picker]")) {
    const list = document.getElementById(input.getAttribute("list"));
    if (!list) continue;
    const known = Array.from(list.options).find((o) => o.value === zone);
    const option = known || document.createElement("option");
    option.value = zone;
    option.textContent = input.dataset.deviceLabel || zone;
    option.dataset.device = "";
    list.prepend(option);
    // Only a zone the list knows replaces the default; an old alias the browser reports is offered by the button.
    if (input.dataset.guess && known) {
      input.value = zone;
      // The default start date is "today" in the site's zone; in the device's zone it may be another date
      // (late in the evening west of it), so a start date the learner has not touched follows the zone.
      const start = input.form && input.form.elements.namedItem("start_date");
      if (start && start.value === start.defaultValue) {
        const now = new Date();
        const pad = (n) => String(n).padStart(2, "0");
        start.value = `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
      }
    }
    if (input.value === zone) continue;
    const button = document.createElement("button");
    button.type = "button";
    button.className = "small zone-use-device";
    button.textContent = (input.dataset.useLabel || "{zone}").replace("{zone}", zone);
    button.addEventListener("click", () => {
      input.value = zone;
      input.dispatchEvent(new Event("change", { bubbles: true }));
      button.remove();
      input.focus();
    });
    input.after(button);
  }
});
