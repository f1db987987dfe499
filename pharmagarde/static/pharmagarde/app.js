// Pharmagarde: small progressive enhancements. Every page works without this file.
document.addEventListener("submit", function (event) {
  // Forms that destroy something ask once more: <form data-confirm="Message">.
  var message = event.target.getAttribute("data-confirm");
  if (message && !window.confirm(message)) {
    event.preventDefault();
  }
});

// Copy buttons: <button data-copy="ID" data-copied="Copié" hidden> copies the value of the
// field #ID. Hidden until this script runs: without it, the text is selected by hand.
(function () {
  var buttons = document.querySelectorAll("button[data-copy]");
  if (!buttons.length) {
    return;
  }
  var status = document.querySelector("[data-copy-status]");
  function copied(button, field) {
    var label = button.getAttribute("data-copied");
    if (status && label) {
      status.textContent = label + " : " + (field.labels && field.labels[0] ? field.labels[0].textContent : "");
    }
    button.classList.add("is-copied");
    window.setTimeout(function () { button.classList.remove("is-copied"); }, 2000);
  }
  function fallback(button, field) {
    field.focus();
    field.select();
    try {
      if (document.execCommand("copy")) {
        copied(button, field);
      }
    } catch (error) {
      // The text stays selected: the person copies it by hand.
    }
  }
  Array.prototype.forEach.call(buttons, function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var field = document.getElementById(button.getAttribute("data-copy"));
      if (!field) {
        return;
      }
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(function () {
          copied(button, field);
        }, function () {
          fallback(button, field);
        });
      } else {
        fallback(button, field);
      }
    });
  });
})();

// Print buttons: <button data-print hidden> prints the page (reflex sheets, contacts).
// Hidden until this script runs: without it, the browser's own Print command does it.
Array.prototype.forEach.call(document.querySelectorAll("button[data-print]"), function (button) {
  button.hidden = false;
  button.addEventListener("click", function () { window.print(); });
});
