/* Copy-link buttons. Without this script the link is a plain link to the page
   (readers copy it as any link); with it, the link becomes a button that copies the
   address and says so in the status next to it. No inline script, no framework. */
(function () {
  "use strict";
  if (!navigator.clipboard || !window.isSecureContext) {
    return;
  }
  document.querySelectorAll("a[data-share-copy]").forEach(function (link) {
    var button = document.createElement("button");
    var status = link.parentElement.querySelector(".share-status");
    var label = link.querySelector(".social-visually-hidden");
    button.type = "button";
    button.className = link.className;
    if (label) {
      label.textContent = link.dataset.label;
    }
    while (link.firstChild) {
      button.appendChild(link.firstChild);
    }
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(link.href).then(
        function () {
          if (status) status.textContent = link.dataset.copied;
        },
        function () {
          if (status) status.textContent = link.dataset.failed;
        }
      );
    });
    link.replaceWith(button);
  });
})();
