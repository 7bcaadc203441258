// After htmx has replaced part of a page, put the keyboard where the reader would look next and
// say what changed: the error summary when something is wrong, else the element marked
// data-kb-focus (such as the number of events found). Without JavaScript the forms simply post.
document.addEventListener("htmx:afterSettle", (event) => {
  const swapped = event.detail.elt;
  const next = swapped.querySelector("#error-summary") || swapped.querySelector("[data-kb-focus]");
  if (!next) return;
  next.focus();
  const announcer = document.getElementById("kb-announcer");
  if (announcer) announcer.textContent = next.textContent.trim().replace(/\s+/g, " ");
});
