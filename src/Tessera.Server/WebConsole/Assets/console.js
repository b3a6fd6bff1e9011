// Tessera console: small progressive enhancements. Loaded as a file (the CSP allows no inline script);
// every page works without it except the clipboard button, which needs the Clipboard API.
(function () {
  "use strict";

  function copy(button) {
    var input = document.getElementById(button.getAttribute("data-copy-target"));
    var status = document.getElementById("copy-status");
    if (!input) { return; }
    var done = function () {
      button.textContent = "Copied";
      button.classList.add("button-done");
      if (status) { status.textContent = button.getAttribute("data-copied") || "The token is on your clipboard."; }
      window.setTimeout(function () { button.textContent = "Copy"; button.classList.remove("button-done"); }, 2500);
    };
    var fallback = function () {
      input.focus();
      input.select();
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
      if (ok) { done(); } else if (status) { status.textContent = "Copying is blocked here: the value is selected, press Ctrl+C (⌘C) to copy it."; }
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(input.value).then(done, fallback);
    } else {
      fallback();
    }
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy-target]");
    if (button) {
      event.preventDefault();
      copy(button);
    }
  });

  // An invitation link carries its secret after "#", which browsers never send: move it into the form that
  // presents it (in the POST body), and drop it from the address bar and history.
  var invitation = document.getElementById("invitation-token");
  if (invitation && window.location.hash.indexOf("#tsi_") === 0) {
    invitation.value = window.location.hash.substring(1);
    window.history.replaceState(null, "", window.location.pathname);
  }

  document.addEventListener("focusin", function (event) {
    if (event.target.matches && event.target.matches("[data-select-on-focus]")) {
      event.target.select();
    }
  });
})();
