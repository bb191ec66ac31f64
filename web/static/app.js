/* Small enhancements; every page works without them. */
(function () {
  "use strict";

  // "/" focuses the search box (unless typing somewhere already).
  document.addEventListener("keydown", function (event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
    var target = event.target;
    if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) return;
    var box = document.getElementById("q");
    if (box) {
      event.preventDefault();
      box.focus();
      box.select();
    }
  });

  // Article page: bring the first match into view, and step through the matches.
  function initMatches() {
    var body = document.querySelector(".doc-body");
    var bar = document.querySelector(".match-bar");
    if (!body) return;
    // Step through the matches of what was typed; through the partial ones only when there are no others.
    var marks = Array.prototype.slice.call(body.querySelectorAll("mark:not(.partial)"));
    if (!marks.length) marks = Array.prototype.slice.call(body.querySelectorAll("mark"));
    if (!marks.length) return;
    var current = 0;

    function show(i, smooth) {
      marks[current].classList.remove("is-current");
      current = (i + marks.length) % marks.length;
      var mark = marks[current];
      mark.classList.add("is-current");
      mark.scrollIntoView({block: "center", behavior: smooth ? "smooth" : "auto"});
      if (position) position.textContent = "第 " + (current + 1) + " / " + marks.length + " 处";
    }

    var position = null;
    if (bar && marks.length > 1) {
      var nav = document.createElement("span");
      nav.className = "match-nav";
      var prev = document.createElement("button");
      prev.type = "button";
      prev.textContent = "上一处";
      var next = document.createElement("button");
      next.type = "button";
      next.textContent = "下一处";
      position = document.createElement("span");
      position.className = "match-pos";
      position.setAttribute("aria-live", "polite");
      nav.appendChild(prev);
      nav.appendChild(position);
      nav.appendChild(next);
      bar.appendChild(nav);
      prev.addEventListener("click", function () { show(current - 1, true); });
      next.addEventListener("click", function () { show(current + 1, true); });
    }
    var jump = document.querySelector(".match-jump");
    if (jump) {
      jump.addEventListener("click", function (event) {
        event.preventDefault();
        show(0, true);
      });
    }
    // On arrival, bring the first match into view (unless the URL already points somewhere, or it is
    // already on screen).
    var first = marks[0].getBoundingClientRect();
    if (!location.hash && (first.bottom > window.innerHeight - 40 || first.top < 0)) {
      show(0, false);
    } else {
      marks[0].classList.add("is-current");
      if (position) position.textContent = "第 1 / " + marks.length + " 处";
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", initMatches);
  else initMatches();
})();
