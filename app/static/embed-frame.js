// Mentor Directory's embedded list: tells the page that frames it how tall it is, so that page's embed.js can size
// the frame to fit. Without either script the frame keeps the height its page gave it and scrolls.
(function () {
  "use strict";
  if (window.parent === window) { return; }
  var last = 0;
  function send() {
    var height = Math.ceil(document.documentElement.getBoundingClientRect().height);
    if (height !== last) {
      last = height;
      window.parent.postMessage({ mentordir: "embed-height", height: height }, "*");
    }
  }
  window.addEventListener("load", send);
  if (window.ResizeObserver) { new ResizeObserver(send).observe(document.documentElement); }
})();
