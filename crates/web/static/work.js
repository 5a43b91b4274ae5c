// The public form's proof of work (see crates/web/src/intake.rs): while the family types, find a
// nonce such that SHA-256(token + ":" + nonce) begins with `data-bits` zero bits, and put it in
// the form's "work" field. Sending before it is found waits for it. Without this script (or
// without WebCrypto), the form is still accepted, after a longer wait.
(function () {
  "use strict";
  var form = document.querySelector("form[data-work-bits]");
  if (!form || !window.crypto || !window.crypto.subtle || !window.TextEncoder) return;
  var field = form.querySelector("input[name='work']");
  var token = form.querySelector("input[name='csrf']").value;
  var bits = parseInt(form.getAttribute("data-work-bits"), 10);
  var encoder = new TextEncoder();
  var found = field.value !== "";
  var sending = false;

  function zeros(bytes) {
    var n = 0;
    for (var i = 0; i < bytes.length; i++) {
      if (bytes[i] === 0) { n += 8; continue; }
      return n + Math.clz32(bytes[i]) - 24;
    }
    return n;
  }

  function search(nonce) {
    var batch = [];
    for (var i = 0; i < 256; i++) {
      batch.push(crypto.subtle.digest("SHA-256", encoder.encode(token + ":" + (nonce + i))));
    }
    Promise.all(batch).then(function (hashes) {
      for (var i = 0; i < hashes.length; i++) {
        if (zeros(new Uint8Array(hashes[i])) >= bits) {
          field.value = String(nonce + i);
          found = true;
          if (sending) form.submit();
          return;
        }
      }
      setTimeout(function () { search(nonce + 256); }, 0);
    });
  }

  form.addEventListener("submit", function (event) {
    if (found) return;
    event.preventDefault();
    sending = true;
    var button = form.querySelector("button[type='submit']");
    if (button) {
      button.disabled = true;
      button.textContent = button.getAttribute("data-sending") || button.textContent;
    }
  });
  if (!found) search(0);
})();
