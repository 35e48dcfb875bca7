// Claimdesk: keyboard review on the claim list, and "select text to add a missed claim" on articles.
// Everything here is an enhancement; every action also works through plain forms without JavaScript.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // ------------------------------------------------------------ claim list keyboard
  var STATUS_KEYS = { v: "verified", u: "unverified", f: "false" };
  var selectedId = null;

  function rows() { return Array.prototype.slice.call(document.querySelectorAll("tr.claim-row")); }

  function select(row) {
    document.querySelectorAll("tr.claim-row.selected").forEach(function (r) { r.classList.remove("selected"); });
    if (!row) { return; }
    row.classList.add("selected");
    selectedId = row.id;
    row.scrollIntoView({ block: "nearest" });
  }

  function current() { return selectedId ? document.getElementById(selectedId) : null; }

  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey) { return; }
    if (event.target.closest("input, select, textarea, [contenteditable]")) { return; }
    var list = rows();
    if (!list.length) { return; }
    var row = current();
    var index = row ? list.indexOf(row) : -1;
    if (event.key === "j") {
      select(list[Math.min(index + 1, list.length - 1)]);
    } else if (event.key === "k") {
      select(list[Math.max(index - 1, 0)]);
    } else if (event.key === "Enter" && row && !event.target.closest("a, button")) {
      window.location.href = row.dataset.url;
    } else if (event.key === "x" && row) {
      var box = row.querySelector("input[name=ids]");
      if (box) { box.checked = !box.checked; }
    } else if (STATUS_KEYS[event.key] && row) {
      var form = row.querySelector("form.inline-status");
      if (!form) { return; }
      form.querySelector("select[name=status]").value = STATUS_KEYS[event.key];
      form.requestSubmit();
    } else {
      return;
    }
    event.preventDefault();
  });

  document.addEventListener("click", function (event) {
    var row = event.target.closest("tr.claim-row");
    if (row) { select(row); }
    var all = event.target.closest("input.select-all");
    if (all) {
      document.querySelectorAll("tr.claim-row input[name=ids]").forEach(function (box) { box.checked = all.checked; });
    }
  });

  // A row swapped by htmx is a new element: keep it selected.
  document.addEventListener("htmx:afterSettle", function () {
    var row = current();
    if (row) { row.classList.add("selected"); }
  });

  // Filter forms: leave empty fields out of the query string, so a shared URL says only what is filtered.
  document.addEventListener("htmx:configRequest", function (event) {
    var elt = event.detail.elt;
    if (!elt.matches || !elt.matches("form[data-drop-empty]")) { return; }
    var params = event.detail.parameters;
    Object.keys(params).forEach(function (key) {
      if (params[key] === "") { delete params[key]; }
    });
  });

  // ------------------------------------------------------------ article: select text to add a claim
  function paragraphOf(node) {
    var element = node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement;
    return element ? element.closest("#article-body p[data-start]") : null;
  }

  function bodyOffset(paragraph, node, offset) {
    // Rendered paragraphs hold the body text exactly (escaped, never rewritten), so lengths are offsets.
    var range = document.createRange();
    range.setStart(paragraph, 0);
    range.setEnd(node, offset);
    return Number(paragraph.dataset.start) + range.toString().length;
  }

  var pending = null;
  document.addEventListener("selectionchange", function () {
    clearTimeout(pending);
    pending = setTimeout(fillAddClaimForm, 250);
  });

  function fillAddClaimForm() {
    var form = document.getElementById("add-claim-form");
    var selection = window.getSelection();
    if (!form || !selection || selection.isCollapsed || !selection.rangeCount) { return; }
    var range = selection.getRangeAt(0);
    var first = paragraphOf(range.startContainer);
    var last = paragraphOf(range.endContainer);
    if (!first || !last) { return; }
    var start = bodyOffset(first, range.startContainer, range.startOffset);
    var end = bodyOffset(last, range.endContainer, range.endOffset);
    if (end <= start) { return; }
    form.elements.start.value = start;
    form.elements.end.value = end;
    form.elements.text.value = selection.toString().trim();
    form.classList.add("has-selection");
  }
})();
