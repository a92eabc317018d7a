// The page of a running bulk job reloads itself every two seconds (it also has a link to do so).
(function () {
  if (document.querySelector("[data-job-running]")) {
    window.setTimeout(function () { window.location.reload(); }, 2000);
  }
})();
