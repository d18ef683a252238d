// A click on the picture sets its focal point (the form's two coordinates, 0 to 1); the
// marker shows where it is. The numbers stay editable for those who cannot click.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const picture = document.querySelector(".focal-picture");
  const marker = document.querySelector(".focal-marker");
  const across = document.getElementById("id_focal_x");
  const down = document.getElementById("id_focal_y");
  if (!picture || !marker || !across || !down) return;
  const show = () => {
    // Physical left/top: the picture's pixels do not turn with the page's direction.
    marker.style.left = `${picture.offsetLeft + Number(across.value) * picture.clientWidth}px`;
    marker.style.top = `${picture.offsetTop + Number(down.value) * picture.clientHeight}px`;
  };
  picture.addEventListener("click", (event) => {
    const box = picture.getBoundingClientRect();
    across.value = ((event.clientX - box.left) / box.width).toFixed(3);
    down.value = ((event.clientY - box.top) / box.height).toFixed(3);
    show();
  });
  across.addEventListener("input", show);
  down.addEventListener("input", show);
  if (picture.complete) show();
  else picture.addEventListener("load", show);
  window.addEventListener("resize", show);
});
