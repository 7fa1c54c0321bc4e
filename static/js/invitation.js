// The invitation link is /invite/#<token>. Browsers never send the fragment, so the token appears in
// no access log; this script posts it (a POST body is not logged) and removes it from the address bar.
(function () {
  "use strict";
  var form = document.getElementById("invitation-token-form");
  var token = window.location.hash.slice(1);
  if (!form || !token) {
    return;
  }
  window.history.replaceState(null, "", window.location.pathname);
  form.elements.token.value = token;
  form.submit();
})();
