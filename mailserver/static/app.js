// mailserver web admin: asks before destructive actions (forms with data-confirm).
// Everything works without it; it only adds the question.
"use strict";
document.addEventListener("submit", (event) => {
  const question = event.target.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});
