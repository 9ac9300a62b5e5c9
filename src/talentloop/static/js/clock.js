// Clocking in and out: before a clock form is sent, ask the browser once for the position at this
// moment and put it in the form's hidden fields. Nothing is watched or sent between punches. When the
// position is refused or unavailable the form is sent without it (an office network or a reason will
// do). The form is then sent as the person pressed it, with the pressed button's direction.
(function () {
  "use strict";
  function field(form, name) { return form.querySelector("input[name=" + name + "]"); }
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches("form[data-clock]") || form.dataset.located) { return; }
    var lat = field(form, "latitude");
    if (!lat || lat.value || !("geolocation" in navigator)) { return; }
    event.preventDefault();
    var submitter = event.submitter || form.querySelector("button[name=direction]");
    var status = form.querySelector("[data-clock-status]");
    if (status) { status.hidden = false; status.textContent = status.dataset.locating || ""; }
    form.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
    function send() {
      form.dataset.located = "1";
      form.querySelectorAll("button").forEach(function (b) { b.disabled = false; });
      if (form.requestSubmit && submitter) { form.requestSubmit(submitter); return; }
      if (submitter && submitter.name) {
        var hidden = document.createElement("input");
        hidden.type = "hidden"; hidden.name = submitter.name; hidden.value = submitter.value;
        form.appendChild(hidden);
      }
      form.submit();
    }
    navigator.geolocation.getCurrentPosition(function (position) {
      lat.value = position.coords.latitude.toFixed(6);
      field(form, "longitude").value = position.coords.longitude.toFixed(6);
      field(form, "accuracy_m").value = Math.round(position.coords.accuracy || 0);
      send();
    }, function () {
      if (status) { status.textContent = status.dataset.unavailable || ""; }
      send();
    }, { enableHighAccuracy: true, timeout: 10000, maximumAge: 0 });
  });
})();
