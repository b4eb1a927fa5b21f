// The site's only script besides htmx. The Content-Security-Policy allows scripts from this
// site only, never inline: behaviour lives here and templates mark elements with data-*.
"use strict";

// <select data-submit-on-change>: submits its form when the choice changes (a <noscript>
// button covers browsers without JavaScript).
document.addEventListener("change", function (event) {
  var target = event.target;
  if (target instanceof HTMLSelectElement && target.hasAttribute("data-submit-on-change") && target.form) {
    target.form.submit();
  }
});

// An error summary (templates/includes/error_summary.html) takes the focus when the page
// loads, so keyboard and screen-reader users start from the list of what to fix.
function focusErrorSummary() {
  var summary = document.querySelector(".error-summary");
  if (summary instanceof HTMLElement) {
    summary.focus();
  }
}
if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", focusErrorSummary);
} else {
  focusErrorSummary();
}

// <button data-print>: opens the browser's print dialog (the printed access-code slip).
document.addEventListener("click", function (event) {
  var target = event.target;
  if (target instanceof Element && target.closest("[data-print]")) {
    window.print();
  }
});
