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
