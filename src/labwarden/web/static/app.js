// Small progressive enhancement; every page works without it.
"use strict";
document.addEventListener("click", (event) => {
  // Buttons that destroy something ask first.
  const button = event.target.closest("button[data-confirm]");
  if (button && !window.confirm(button.dataset.confirm)) {
    event.preventDefault();
  }
});
document.addEventListener("keydown", (event) => {
  // "/" jumps to the page's filter box, like many dashboards.
  if (event.key !== "/" || event.target.closest("input, textarea, select")) {
    return;
  }
  const box = document.querySelector("form.filters input, form.filters select");
  if (box) {
    event.preventDefault();
    box.focus();
  }
});
document.addEventListener("DOMContentLoaded", () => {
  // Filters apply as soon as a select changes.
  for (const select of document.querySelectorAll("form.filters select")) {
    select.addEventListener("change", () => select.form.requestSubmit());
  }
  const token = document.getElementById("new-token");
  if (token) {
    token.focus();
    token.select();
  }
});
