// Move focus to a refused form's error summary (#foutmeldingen), so screen readers and
// keyboard users start at the list of what to fix. Loaded by the error_summary macro of
// templates/web/_forms.html; the page works without it (the summary is first in the content).
(function () {
  "use strict";
  function focusSummary() {
    var summary = document.getElementById("foutmeldingen");
    if (!summary) {
      return;
    }
    if (document.activeElement !== summary) {
      summary.focus({ preventScroll: true });
    }
    summary.scrollIntoView({ block: "start" });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", focusSummary);
  } else {
    focusSummary();
  }
  // A link in the summary moves focus to its field, not only the view.
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("#foutmeldingen a[href^='#']");
    if (!link) {
      return;
    }
    var field = document.getElementById(link.getAttribute("href").slice(1));
    if (!field) {
      return;
    }
    var target = field.matches("input, select, textarea, button")
      ? field
      : field.querySelector("input, select, textarea, button") || field;
    event.preventDefault();
    target.focus();
    field.scrollIntoView({ block: "center" });
  });
})();
