/* Suggestions as you type: the search box as a WAI-ARIA 1.2 combobox with a listbox popup (list
   autocomplete, manual selection). Focus stays in the box; the active option is aria-activedescendant.
   ArrowDown/ArrowUp move through the options (Alt+ArrowDown opens them), Enter searches the active one,
   Escape closes the list, a click searches an option. Without JavaScript the box is a plain search box. */
(function () {
  "use strict";

  var DELAY = 120;  // ms after the last keystroke before asking the server
  var KINDS = {zone: "开发区", place: "地名", company: "企业", word: "词语", phrase: "短语", headline: "标题"};

  function init() {
    var box = document.getElementById("q");
    var list = document.getElementById("q-suggestions");
    if (!box || !list || !box.dataset.suggest || !window.fetch) return;
    var form = box.form;
    var options = [];
    var active = -1;
    var timer = null;
    var asked = 0;  // the number of the latest request: older answers are dropped
    var composing = false;

    function isOpen() { return box.getAttribute("aria-expanded") === "true"; }

    function open() {
      if (!options.length) return;
      list.hidden = false;
      box.setAttribute("aria-expanded", "true");
    }

    function close() {
      list.hidden = true;
      box.setAttribute("aria-expanded", "false");
      setActive(-1);
    }

    function setActive(i) {
      if (active >= 0 && options[active]) {
        options[active].setAttribute("aria-selected", "false");
        options[active].classList.remove("is-active");
      }
      active = i;
      if (i >= 0 && options[i]) {
        options[i].setAttribute("aria-selected", "true");
        options[i].classList.add("is-active");
        box.setAttribute("aria-activedescendant", options[i].id);
        if (options[i].scrollIntoView) options[i].scrollIntoView({block: "nearest"});
      } else {
        box.removeAttribute("aria-activedescendant");
      }
    }

    function choose(i) {
      box.value = options[i].dataset.value;
      close();
      if (form.requestSubmit) form.requestSubmit(); else form.submit();
    }

    function render(suggestions) {
      list.textContent = "";
      options = suggestions.map(function (s, i) {
        var li = document.createElement("li");
        li.id = list.id + "-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        li.className = "suggestion";
        li.dataset.value = s.text;
        var text = document.createElement("span");
        text.className = "suggestion-text";
        text.textContent = s.text;
        var kind = document.createElement("span");
        kind.className = "suggestion-kind kind-" + s.kind;
        kind.textContent = KINDS[s.kind] || "";
        li.appendChild(text);
        li.appendChild(kind);
        // mousedown, not click: the box must not lose focus (and close the list) first
        li.addEventListener("mousedown", function (event) {
          event.preventDefault();
          choose(i);
        });
        li.addEventListener("mousemove", function () { if (active !== i) setActive(i); });
        list.appendChild(li);
        return li;
      });
      active = -1;
      box.removeAttribute("aria-activedescendant");
      if (options.length && document.activeElement === box) open(); else close();
    }

    function ask() {
      var prefix = box.value.trim();
      var mine = ++asked;
      if (!prefix) { render([]); return; }
      fetch(box.dataset.suggest + "?q=" + encodeURIComponent(prefix), {headers: {Accept: "application/json"}})
        .then(function (response) { return response.ok ? response.json() : {suggestions: []}; })
        .then(function (data) { if (mine === asked) render(data.suggestions || []); })
        .catch(function () { if (mine === asked) render([]); });
    }

    function later() {
      clearTimeout(timer);
      timer = setTimeout(ask, DELAY);
    }

    box.addEventListener("compositionstart", function () { composing = true; });
    box.addEventListener("compositionend", function () { composing = false; later(); });
    box.addEventListener("input", function (event) {
      if (composing || event.isComposing) return;  // an input method is still composing the characters
      later();
    });
    box.addEventListener("keydown", function (event) {
      if (event.isComposing) return;
      switch (event.key) {
        case "ArrowDown":
          event.preventDefault();
          if (!isOpen()) { open(); if (!event.altKey && options.length) setActive(0); }
          else if (options.length) setActive(active + 1 < options.length ? active + 1 : -1);
          break;
        case "ArrowUp":
          event.preventDefault();
          if (!isOpen()) { open(); if (options.length) setActive(options.length - 1); }
          else if (options.length) setActive(active > 0 ? active - 1 : (active === 0 ? -1 : options.length - 1));
          break;
        case "Enter":
          if (isOpen() && active >= 0) {
            event.preventDefault();
            choose(active);
          }
          break;
        case "Escape":
          if (isOpen()) {
            event.preventDefault();
            close();
          }
          break;
      }
    });
    box.addEventListener("blur", close);
    box.addEventListener("focus", function () { if (options.length && box.value.trim()) open(); });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
