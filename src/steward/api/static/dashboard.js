// One press per form: a second click while the server signs would only earn a "409 executing".
document.addEventListener("submit", function (event) {
  var button = event.target.querySelector("button[type=submit]");
  if (!button || button.disabled) { return; }
  if (button.dataset.busy) { button.textContent = button.dataset.busy; }
  setTimeout(function () { button.disabled = true; }, 0);
});
