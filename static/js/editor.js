// Live preview for the content editor: the server checks and renders the unsaved text, so the
// preview and the problems are exactly what saving would give. Without JavaScript the
// "Check and preview" button does the same with a page load.
(function () {
  "use strict";
  var form = document.querySelector("form.editor");
  if (!form) { return; }
  var textarea = form.querySelector("textarea");
  var pane = document.getElementById("preview-pane");
  var status = document.getElementById("preview-status");
  var token = form.querySelector("input[name=csrf_token]").value;
  var timer = null;
  var latest = 0;
  // The status words come from the page, in the trainer's language.
  var words = form.dataset;

  function refresh() {
    var request = ++latest;
    var body = new FormData(form);
    status.textContent = words.textChecking || "Checking…";
    fetch(form.dataset.previewUrl, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "X-CSRFToken": token }
    }).then(function (response) {
      if (!response.ok) { throw new Error(response.status); }
      return response.text();
    }).then(function (html) {
      if (request !== latest) { return; }  // an older answer arriving late
      pane.innerHTML = html;  // rendered and sanitised by the server
      status.textContent = words.textUpdated || "Preview updated";
    }).catch(function () {
      status.textContent = words.textUnavailable || "Preview unavailable; use Check and preview.";
    });
  }

  textarea.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(refresh, 600);
  });

  // "Line 12" in the problem list selects that line in the editor.
  pane.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-line]");
    if (!button) { return; }
    var line = parseInt(button.dataset.line, 10);
    var lines = textarea.value.split("\n");
    var start = 0;
    for (var i = 0; i < Math.max(0, line - 1) && i < lines.length; i++) { start += lines[i].length + 1; }
    var end = start + (lines[line - 1] || "").length;
    textarea.focus();
    textarea.setSelectionRange(start, end);
    var lineHeight = textarea.scrollHeight / Math.max(lines.length, 1);
    textarea.scrollTop = Math.max(0, (line - 5) * lineHeight);
  });
})();

// Leaving the editor with unsaved text asks first; saving (or previewing) does not.
(function () {
  "use strict";
  var form = document.querySelector("form.editor");
  if (!form) { return; }
  var textarea = form.querySelector("textarea");
  var original = textarea.value;
  var submitting = false;
  form.addEventListener("submit", function () { submitting = true; });
  window.addEventListener("beforeunload", function (event) {
    if (!submitting && textarea.value !== original) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
})();
