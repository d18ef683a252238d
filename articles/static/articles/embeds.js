// Embeds load the provider's frame only when the reader asks (privacy, speed). Without
// JavaScript the embed stays a plain link to the post or video.
"use strict";
document.querySelectorAll("figure.embed[data-frame-src]").forEach((embed) => {
  const button = embed.querySelector(".embed-load");
  if (!button) return;
  button.hidden = false;
  button.addEventListener("click", () => {
    const frame = document.createElement("iframe");
    frame.src = embed.dataset.frameSrc;
    frame.title = embed.dataset.frameTitle;
    frame.loading = "lazy";
    frame.allow = "autoplay; encrypted-media; picture-in-picture; fullscreen";
    frame.referrerPolicy = "strict-origin-when-cross-origin";
    button.replaceWith(frame);
    frame.focus();
  }, { once: true });
});
