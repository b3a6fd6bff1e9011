// Tessera console: small progressive enhancements. Loaded as a file (the CSP allows no inline script);
// every page works without it except the clipboard buttons, which need the Clipboard API.
(function () {
  "use strict";

  // Copy: a [data-copy-target] button copies its input's value (selected for Ctrl+C where the Clipboard API is
  // blocked); a [data-copy-text] button (the Tokens list's "Copy id", hidden without script) copies that text.
  function copy(button) {
    var input = button.hasAttribute("data-copy-target") ? document.getElementById(button.getAttribute("data-copy-target")) : null;
    var text = input ? input.value : button.getAttribute("data-copy-text");
    var status = document.getElementById("copy-status");
    if (text === null) { return; }
    var label = button.getAttribute("data-label") || button.textContent;
    button.setAttribute("data-label", label);
    var done = function () {
      button.textContent = "Copied";
      button.classList.add("button-done");
      if (status) { status.textContent = button.getAttribute("data-copied") || "The token is on your clipboard."; }
      window.setTimeout(function () { button.textContent = label; button.classList.remove("button-done"); }, 2500);
    };
    var fallback = function () {
      var ok = false;
      if (input) {
        input.focus();
        input.select();
        try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
      }
      if (ok) { done(); } else if (status) {
        status.textContent = input ? "Copying is blocked here: the value is selected, press Ctrl+C (⌘C) to copy it." : "Copying is blocked here; the id is " + text + ".";
      }
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, fallback);
    } else {
      fallback();
    }
  }

  function reveal(root) {
    root.querySelectorAll("[data-copy-text][hidden]").forEach(function (button) { button.hidden = false; });
  }
  reveal(document);

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy-target], [data-copy-text]");
    if (button) {
      event.preventDefault();
      copy(button);
      return;
    }
    // A Tokens row's Cancel: the confirmation as a modal dialog (without script, or without <dialog>, the link opens
    // the page's confirmation section instead). Nothing is posted until "Cancel token" in it is pressed.
    var cancel = event.target.closest("[data-confirm-cancel]");
    var dialog = document.getElementById("cancel-dialog");
    if (cancel && dialog && typeof dialog.showModal === "function") {
      event.preventDefault();
      dialog.querySelector("[data-fill=name]").textContent = cancel.getAttribute("data-token-name");
      dialog.querySelector("[data-fill=id]").value = cancel.getAttribute("data-token-id");
      dialog.querySelector("[data-fill=version]").value = cancel.getAttribute("data-token-version");
      dialog.querySelector("[data-fill=return]").value = cancel.getAttribute("data-return");
      dialog.showModal();
      return;
    }
    var close = event.target.closest("[data-close-dialog]");
    if (close && close.closest("dialog")) {
      close.closest("dialog").close();
    }
  });

  // Filters apply as they change (issue 21). The form stays a plain GET form whose Apply button is the no-script path;
  // with script the list is fetched from the very URL the form would open, the page's [data-swap] regions replaced
  // by the new ones, and the address bar set to that URL (a view can still be shared), while focus stays in the field.
  // A response with a field's message (a date that does not read) is opened as a whole page, to show it beside the field.
  function autoApply(form) {
    var timer = null;
    var pending = null;
    var last = null;
    form.classList.add("auto-apply");
    var target = function () {
      var params = new URLSearchParams();
      new FormData(form).forEach(function (value, name) {
        if (typeof value === "string" && value.trim() !== "") { params.append(name, value); }
      });
      var query = params.toString();
      return form.getAttribute("action") + (query ? "?" + query : "");
    };
    var apply = function () {
      window.clearTimeout(timer);
      var url = target();
      if (url === last) { return; }
      last = url;
      if (pending) { pending.abort(); }
      var controller = pending = new AbortController();
      form.setAttribute("aria-busy", "true");
      fetch(url, { credentials: "same-origin", signal: controller.signal, headers: { "Accept": "text/html" } })
        .then(function (response) {
          if (!response.ok || response.redirected) { throw new Error("status " + response.status); }
          return response.text();
        })
        .then(function (html) {
          if (controller !== pending) { return; }
          pending = null;
          var next = new DOMParser().parseFromString(html, "text/html");
          var fresh = next.getElementById(form.id);
          if (!fresh || fresh.querySelector("[aria-invalid=true]") || form.querySelector("[aria-invalid=true]")) {
            window.location.assign(url);
            return;
          }
          document.querySelectorAll("[data-swap]").forEach(function (region) {
            var replacement = next.getElementById(region.id);
            if (replacement) { region.replaceWith(document.importNode(replacement, true)); }
          });
          document.querySelectorAll("[data-swap-text]").forEach(function (element) {
            var replacement = next.getElementById(element.id);
            if (replacement) { element.textContent = replacement.textContent; }
          });
          document.querySelectorAll("[data-swap-href]").forEach(function (element) {
            var replacement = next.getElementById(element.id);
            if (replacement) { element.setAttribute("href", replacement.getAttribute("href")); }
          });
          reveal(document);
          window.history.replaceState(null, "", url);
          form.removeAttribute("aria-busy");
        })
        .catch(function (error) {
          if (error.name !== "AbortError") { last = null; window.location.assign(url); }
        });
    };
    form.addEventListener("change", apply);
    // Typed text applies after a pause; a date-and-time field only when it is left or Enter is pressed (half a date
    // would only be refused).
    form.addEventListener("input", function (event) {
      if (event.target.tagName === "INPUT" && !event.target.classList.contains("utc-input")) {
        window.clearTimeout(timer);
        timer = window.setTimeout(apply, 400);
      }
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      apply();
    });
  }
  document.querySelectorAll("form[data-auto-apply]").forEach(autoApply);

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
