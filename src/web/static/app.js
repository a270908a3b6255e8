// Roost web pages: small enhancements over plain forms. Every action works without this
// script; with it, the notification badge updates live, photo previews show before
// posting, and destructive buttons ask first. Loaded as a file (the Content-Security-
// Policy forbids inline script).
"use strict";

(function () {
  // Live unread-notification badge, from the user's server-sent event stream.
  function watchNotifications() {
    var badge = document.getElementById("unread-count");
    if (!badge || !window.EventSource) return;
    var stream = new EventSource("/api/v1/streaming/user/notification");
    stream.addEventListener("notification", function () {
      var count = parseInt(badge.textContent || "0", 10) || 0;
      badge.textContent = String(count + 1);
      badge.hidden = false;
      badge.setAttribute("aria-label", badge.textContent + " " + (badge.dataset.label || "unread"));
      var live = document.getElementById("live-region");
      if (live) live.textContent = badge.dataset.announce || "New notification";
    });
  }

  // Previews of the photos picked in the composer, beside their description fields.
  function previewUploads() {
    var inputs = document.querySelectorAll("input[type=file][data-preview]");
    Array.prototype.forEach.call(inputs, function (input) {
      input.addEventListener("change", function () {
        var target = document.getElementById(input.dataset.preview);
        if (!target) return;
        target.textContent = "";
        var file = input.files && input.files[0];
        if (!file || !/^image\//.test(file.type)) return;
        var img = document.createElement("img");
        img.alt = "";
        img.src = URL.createObjectURL(file);
        target.appendChild(img);
        var alt = document.getElementById(input.dataset.alt);
        if (alt) alt.focus();
      });
    });
  }

  // Buttons with data-confirm ask before submitting their form.
  function confirmDestructive() {
    document.addEventListener("submit", function (event) {
      var button = event.submitter;
      var message = (button && button.dataset.confirm) || event.target.dataset.confirm;
      if (message && !window.confirm(message)) event.preventDefault();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    watchNotifications();
    previewUploads();
    confirmDestructive();
  });
})();
