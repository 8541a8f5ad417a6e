// Mentor Directory: size each framed list to its content. Put this script on the page that frames /embed; it takes
// heights only from frames served by the site this script came from.
(function () {
  "use strict";
  var script = document.currentScript;
  var origin = script ? new URL(script.src, location.href).origin : "";
  window.addEventListener("message", function (event) {
    var data = event.data;
    if (event.origin !== origin || !data || data.mentordir !== "embed-height") { return; }
    var height = Number(data.height);
    if (!(height > 0 && height < 100000)) { return; }
    var frames = document.getElementsByTagName("iframe");
    for (var i = 0; i < frames.length; i++) {
      if (frames[i].contentWindow === event.source) { frames[i].style.height = height + "px"; }
    }
  });
})();
