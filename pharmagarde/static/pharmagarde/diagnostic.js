// Diagnostic: small enhancements of the answering pages. Every page works without this file.
(function () {
  "use strict";

  // htmx "settles" the class and style attributes of swapped elements; copying a style
  // attribute is an inline style that our CSP (style-src 'self') refuses. Classes only.
  if (window.htmx) {
    window.htmx.config.attributesToSettle = ["class", "width", "height"];
  }

  // An exclusive choice ("Aucune", "Je ne sais pas") unticks the others, and the others
  // untick it. Capture phase: the boxes are right before htmx reads the form on "change".
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches(".answer-form input[type=checkbox]") || !input.checked) {
      return;
    }
    var boxes = input.closest(".choices").querySelectorAll("input[type=checkbox]");
    var exclusive = input.hasAttribute("data-exclusive");
    boxes.forEach(function (box) {
      if (box !== input && (exclusive || box.hasAttribute("data-exclusive"))) {
        box.checked = false;
      }
    });
  }, true);

  // A refused answer (422) or a conflict (409) comes with the question to show again.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    if (status === 409 || status === 422) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  // The network or the server failed: say so next to the question, in plain words (the
  // form's data-failure attribute carries the message, translated by the template).
  function statusOf(form) {
    var block = form.classList.contains("answer-form") ? form : form.closest(".evidence");
    return block && block.querySelector(".save-state, .evidence__status");
  }
  function reportFailure(event) {
    var form = event.detail.elt && event.detail.elt.closest && event.detail.elt.closest("form");
    var status = form && statusOf(form);
    if (status && form.hasAttribute("data-failure")) {
      status.textContent = form.getAttribute("data-failure");
      status.classList.add("save-state--failed");
    }
  }
  document.addEventListener("htmx:sendError", reportFailure);
  document.addEventListener("htmx:responseError", reportFailure);
  document.addEventListener("htmx:beforeRequest", function (event) {
    var form = event.detail.elt && event.detail.elt.closest && event.detail.elt.closest("form");
    var status = form && statusOf(form);
    if (status) {
      status.classList.remove("save-state--failed");
    }
  });
})();
