// htmx settings, read before htmx starts (both scripts are deferred, this one second).
// Kept in a file, not a <meta> or inline script, so the Content-Security-Policy holds.
(function () {
  "use strict";
  if (!window.htmx) {
    return;
  }
  var config = window.htmx.config;
  config.includeIndicatorStyles = false; // its injected <style> would be refused by the CSP
  config.allowEval = false; // no hx-on / js: expressions: nothing evaluates page text
  config.allowScriptTags = false; // scripts in swapped fragments never run
  config.selfRequestsOnly = true;
  // No copies of pages (alerts, CSRF tokens) in the browser's storage: back and forward
  // load the page from the server instead.
  config.historyCacheSize = 0;
  config.refreshOnHistoryMiss = true;
})();
