// Tessera console, Import CSV (issue 17). Loaded as a file (the CSP allows no inline script). Without it the form
// still works: it posts the file and the answer downloads. With it: a preview of the chosen file's first rows, a fresh
// Idempotency-Key per file, the row errors as a table, a progress bar fed by the streamed answer, and the answer
// offered once as a download held only in this tab.
(function () {
  "use strict";

  var form = document.getElementById("import-form");
  if (!form || !window.fetch || !window.ReadableStream || !window.TextDecoder) { return; }

  var fileInput = document.getElementById("file");
  var keyInput = document.getElementById("idempotency-key");
  var submit = document.getElementById("import-submit");
  var preview = document.getElementById("import-preview");
  var previewTable = document.getElementById("preview-table");
  var previewSummary = document.getElementById("preview-summary");
  var errors = document.getElementById("import-errors");
  var errorsSummary = document.getElementById("errors-summary");
  var errorsBody = document.querySelector("#errors-table tbody");
  var progress = document.getElementById("import-progress");
  var bar = document.getElementById("import-bar");
  var count = document.getElementById("import-count");
  var result = document.getElementById("import-result");
  var resultSummary = document.getElementById("result-summary");
  var download = document.getElementById("import-download");
  var downloaded = document.getElementById("import-downloaded");
  var alertsAnchor = document.getElementById("import-choose");
  var numbers = new Intl.NumberFormat("en-US");
  var previewRows = 5;
  var holding = false;

  function newKey() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return "console-" + Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  // RFC 4180 records of text (quoted fields may hold commas, quotes and line breaks); at most max records.
  function records(text, max) {
    var out = [], row = [], field = "", quoted = false, i = 0, c;
    if (text.charCodeAt(0) === 0xFEFF) { i = 1; }
    for (; i < text.length && out.length < max; i++) {
      c = text[i];
      if (quoted) {
        if (c === "\"") {
          if (text[i + 1] === "\"") { field += "\""; i++; } else { quoted = false; }
        } else { field += c; }
      } else if (c === "\"") {
        quoted = true;
      } else if (c === ",") {
        row.push(field); field = "";
      } else if (c === "\n" || c === "\r") {
        if (c === "\r" && text[i + 1] === "\n") { i++; }
        row.push(field); field = "";
        if (row.length > 1 || row[0] !== "") { out.push(row); }
        row = [];
      } else {
        field += c;
      }
    }
    if (out.length < max && (field !== "" || row.length > 0)) { row.push(field); out.push(row); }
    return out;
  }

  // Records counted as text arrives in pieces: line ends outside quotes (rows of the answer hold no line breaks,
  // but a quoted one would not be miscounted).
  function recordCounter() {
    var quoted = false, total = 0;
    return function (chunk) {
      for (var i = 0; i < chunk.length; i++) {
        var c = chunk.charCodeAt(i);
        if (c === 34) { quoted = !quoted; } else if (c === 10 && !quoted) { total++; }
      }
      return total;
    };
  }

  function cell(tag, text) {
    var element = document.createElement(tag);
    element.textContent = text;
    if (tag === "th") { element.scope = "col"; }
    return element;
  }

  function clear(element) { while (element.firstChild) { element.removeChild(element.firstChild); } }

  function showAlert(message) {
    var alert = document.getElementById("import-alert");
    if (!alert) {
      alert = document.createElement("div");
      alert.id = "import-alert";
      alert.className = "alert alert-error";
      alert.setAttribute("role", "alert");
      alertsAnchor.parentNode.insertBefore(alert, alertsAnchor);
    }
    alert.textContent = message;
    alert.hidden = !message;
  }

  function resetOutcome() {
    showAlert("");
    errors.hidden = true;
    clear(errorsBody);
    document.querySelectorAll(".alert-error:not(#import-alert)").forEach(function (e) { e.hidden = true; });
  }

  function showPreview(file) {
    clear(previewTable);
    previewSummary.textContent = "";
    preview.hidden = true;
    if (!file) { return; }
    file.text().then(function (text) {
      var rows = records(text, previewRows + 1);
      var all = records(text, Infinity).length - 1;
      if (rows.length === 0) {
        previewSummary.textContent = "The file is empty.";
        preview.hidden = false;
        return;
      }
      var head = document.createElement("thead"), headRow = document.createElement("tr");
      headRow.appendChild(cell("th", "Row"));
      rows[0].forEach(function (name) { headRow.appendChild(cell("th", name)); });
      head.appendChild(headRow);
      var body = document.createElement("tbody");
      rows.slice(1).forEach(function (values, index) {
        var tr = document.createElement("tr");
        var number = cell("td", String(index + 1));
        number.setAttribute("data-label", "Row");
        tr.appendChild(number);
        values.forEach(function (value, column) {
          var td = cell("td", value);
          td.setAttribute("data-label", rows[0][column] || "");
          tr.appendChild(td);
        });
        body.appendChild(tr);
      });
      previewTable.appendChild(head);
      previewTable.appendChild(body);
      previewSummary.textContent = (all > previewRows ? "The first " + previewRows + " of " : "All ") + numbers.format(Math.max(all, 0)) +
        (all === 1 ? " row" : " rows") + " of " + file.name + ". Nothing is sent until you import.";
      submit.textContent = "Import " + numbers.format(Math.max(all, 0)) + (all === 1 ? " token" : " tokens");
      preview.hidden = false;
    }, function () {
      previewSummary.textContent = "This browser could not read the file for a preview.";
      preview.hidden = false;
    });
  }

  function showProblem(problem) {
    var message = problem.detail || problem.title || "The import was refused.";
    if (typeof problem.row === "number") { message += " (row " + problem.row + ")"; }
    if (problem.code === "import_already_done") {
      message = "This file was already imported (" + numbers.format(problem.rowCount || 0) + " rows); its tokens' values were " +
        "offered only then. Choose the file again to import it once more.";
    }
    showAlert(message);
    if (problem.errors && problem.errors.length) {
      problem.errors.forEach(function (e) {
        var tr = document.createElement("tr");
        [["Row", String(e.row)], ["Field", e.field], ["Problem", e.message]].forEach(function (pair) {
          var td = cell("td", pair[1]);
          td.setAttribute("data-label", pair[0]);
          tr.appendChild(td);
        });
        errorsBody.appendChild(tr);
      });
      var total = problem.errorCount || problem.errors.length;
      errorsSummary.textContent = (total > problem.errors.length
        ? numbers.format(total) + " problems; the first " + numbers.format(problem.errors.length) + " are listed."
        : numbers.format(total) + (total === 1 ? " problem." : " problems.")) + " Nothing was created.";
      errors.hidden = false;
      errors.scrollIntoView({ block: "start" });
    }
  }

  function guard(event) {
    event.preventDefault();
    event.returnValue = "";
    return "";
  }

  function hold(on) {
    if (on && !holding) { window.addEventListener("beforeunload", guard); }
    if (!on && holding) { window.removeEventListener("beforeunload", guard); }
    holding = on;
  }

  function setProgress(done, total) {
    bar.max = Math.max(total, 1);
    bar.value = Math.min(done, bar.max);
    count.textContent = numbers.format(done) + " of " + numbers.format(total);
  }

  function offer(parts, created, total, cut) {
    var url = URL.createObjectURL(new Blob(parts, { type: "text/csv" }));
    parts.length = 0;
    download.href = url;
    download.hidden = false;
    downloaded.hidden = true;
    resultSummary.textContent = cut
      ? "The import stopped after " + numbers.format(created) + " of " + numbers.format(total) + " tokens. The file holds those created."
      : numbers.format(created) + (created === 1 ? " token was" : " tokens were") + " created.";
    result.hidden = false;
    download.addEventListener("click", function once() {
      download.removeEventListener("click", once);
      // Offered once: the value leaves this page with the download.
      window.setTimeout(function () {
        URL.revokeObjectURL(url);
        download.removeAttribute("href");
        download.hidden = true;
        downloaded.hidden = false;
        hold(false);
      }, 0);
    });
    download.focus();
  }

  function run(response) {
    var total = parseInt(response.headers.get("X-Import-Rows") || "0", 10);
    var reader = response.body.getReader();
    var decoder = new TextDecoder();
    var counter = recordCounter();
    var parts = [];
    var created = 0;
    progress.hidden = false;
    setProgress(0, total);
    hold(true);
    function pump() {
      return reader.read().then(function (step) {
        if (step.done) {
          created = Math.max(counter(decoder.decode()) - 1, 0);
          setProgress(created, total);
          offer(parts, created, total, created !== total);
          if (created !== total) { showAlert("The connection was cut before every token arrived. Do not import the file again: the tokens created are in the download."); }
          return;
        }
        parts.push(step.value);
        created = Math.max(counter(decoder.decode(step.value, { stream: true })) - 1, 0);
        setProgress(created, total);
        return pump();
      });
    }
    return pump().catch(function () {
      offer(parts, created, total, true);
      showAlert("The connection was cut before every token arrived. Do not import the file again: the tokens created are in the download.");
    });
  }

  fileInput.addEventListener("change", function () {
    keyInput.value = newKey();
    submit.textContent = "Import tokens";
    resetOutcome();
    showPreview(fileInput.files[0]);
  });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (!fileInput.files[0] || submit.disabled) { return; }
    resetOutcome();
    var data = new FormData(form);
    data.append("mode", "stream");
    submit.disabled = true;
    fileInput.disabled = true;
    fetch(window.location.pathname, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { Accept: "text/csv, application/problem+json" },
    }).then(function (response) {
      if (response.ok && response.body) {
        return run(response);
      }
      fileInput.disabled = false;
      submit.disabled = false;
      return response.json().then(showProblem, function () {
        showAlert("The server answered " + response.status + " " + response.statusText + "; nothing was created.");
      });
    }, function () {
      fileInput.disabled = false;
      submit.disabled = false;
      showAlert("The server could not be reached. Try again: with the same file chosen, an import that did reach it is refused, never made twice.");
    });
  });
})();
