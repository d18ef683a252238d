// The article form: autosave of the typed text in this browser, a warning before leaving
// with unsaved changes, and no warning when the form itself is submitted.
(function () {
  "use strict";
  const form = document.getElementById("article_form");
  const panel = document.querySelector("[data-desk-article]");
  if (!form) return;
  const key = "newsroom-article-draft:" + (panel ? panel.dataset.deskArticle : "new");
  const version = panel ? panel.dataset.deskVersion : "0";
  const texts = document.getElementById("desk-texts");
  const panelText = (name) => (texts ? texts.dataset[name] : "");
  let dirty = false;
  let submitting = false;

  function fields() {
    return Array.from(form.elements).filter(
      (el) => el.name && !el.hasAttribute("data-desk-ignore") &&
        el.name !== "csrfmiddlewaretoken" && el.name !== "lock_version" &&
        (el.tagName === "TEXTAREA" || (el.tagName === "INPUT" && ["text", "url", ""].includes(el.type)))
    );
  }

  function save() {
    const values = {};
    fields().forEach((el) => { values[el.name] = el.value; });
    try {
      localStorage.setItem(key, JSON.stringify({ version: version, savedAt: Date.now(), values: values }));
    } catch (error) { /* storage full or refused: the warning on leaving still protects */ }
  }

  function offerRestore() {
    let saved = null;
    try { saved = JSON.parse(localStorage.getItem(key) || "null"); } catch (error) { saved = null; }
    if (!saved || saved.version !== version) return;
    const differs = fields().some((el) => el.name in saved.values && saved.values[el.name] !== el.value);
    if (!differs) return;
    const note = document.createElement("div");
    note.className = "messagelist";
    note.setAttribute("role", "status");
    const button = document.createElement("button");
    button.type = "button";
    button.className = "button";
    button.textContent = panelText("restore");
    button.addEventListener("click", () => {
      fields().forEach((el) => { if (el.name in saved.values) el.value = saved.values[el.name]; });
      dirty = true;
      note.remove();
    });
    note.append(panelText("kept") + " ", button);
    form.prepend(note);
  }

  form.addEventListener("input", (event) => {
    if (event.target.hasAttribute && event.target.hasAttribute("data-desk-ignore")) return;
    dirty = true;
    save();
  });
  // Submitted: the server saves it, or shows the form again with everything typed in it.
  form.addEventListener("submit", () => {
    submitting = true;
    localStorage.removeItem(key);
  });
  window.addEventListener("beforeunload", (event) => {
    if (dirty && !submitting) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
  offerRestore();

  // The rich-text editor draws its own editing area beside the textarea: give that area
  // the language and direction of its field (an English body is written left to right).
  document.querySelectorAll("textarea[data-django-prose-editor-configurable][lang], textarea[data-django-prose-editor][lang]").forEach((area) => {
    const row = area.closest(".form-row") || area.parentElement;
    const mark = () => {
      const editor = row.querySelector(".ProseMirror");
      if (!editor) return false;
      editor.parentElement.setAttribute("dir", area.getAttribute("dir"));
      editor.parentElement.setAttribute("lang", area.getAttribute("lang"));
      return true;
    };
    if (!mark()) {
      const watcher = new MutationObserver(() => { if (mark()) watcher.disconnect(); });
      watcher.observe(row, { childList: true, subtree: true });
    }
  });
  window.addEventListener("pageshow", () => { submitting = false; });
})();
