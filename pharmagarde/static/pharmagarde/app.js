// Pharmagarde: small progressive enhancements. Every page works without this file.
document.addEventListener("submit", function (event) {
  // Forms that destroy something ask once more: <form data-confirm="Message">.
  var message = event.target.getAttribute("data-confirm");
  if (message && !window.confirm(message)) {
    event.preventDefault();
  }
});
