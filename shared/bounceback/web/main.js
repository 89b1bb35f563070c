// Bounceback web app, part 5: the router (#/view or #/application/<id>) and the start.

var VIEWS = {
  applications: { title: "Applications", show: showApplications, datesOnly: true },
  application: { title: "Application", show: showApplication },
  activities: { title: "Activity", show: function () { return loadActivities(false); }, datesOnly: true },
  nudges: { title: "Nudges", show: showNudges },
  settings: { title: "Settings", show: showSettings },
  data: { title: "Your data", show: showData }
};

// A message to say once the next view has loaded (after an add or a delete).
var pending = { message: null };

function route() {
  var parts = location.hash.replace(/^#\/?/, "").split("/");
  var name = VIEWS[parts[0]] ? parts[0] : "applications";
  return { name: name, id: parts[0] === "application" ? decodeURIComponent(parts[1] || "") : null };
}

function showView(id) {
  document.querySelectorAll("main > .view").forEach(function (view) { view.hidden = view.id !== "view-" + id; });
  document.querySelectorAll("#nav a").forEach(function (link) {
    var here = link.getAttribute("data-view") === id || (id === "application" && link.getAttribute("data-view") === "applications");
    if (here) { link.setAttribute("aria-current", "page"); } else { link.removeAttribute("aria-current"); }
  });
}

function openRoute(moveFocus) {
  if (!currentToken()) { return showSignin(); }
  var where = route();
  var view = VIEWS[where.name];
  showView(where.name);
  document.title = view.title + " — Bounceback";
  if (moveFocus) {
    // A new view: start reading (and tabbing) at its heading, as after a page load.
    var heading = document.querySelector("#view-" + where.name + " h1");
    if (heading) { heading.focus(); }
  }
  var message = pending.message;
  pending.message = null;
  if (message) { say(message); } else if (moveFocus) { quiet(); }
  // Busy until the view's data has arrived and filled it: screen readers wait, and so do tests.
  var element = $("view-" + where.name);
  element.setAttribute("aria-busy", "true");
  return Promise.resolve(view.show(where.id)).catch(failed).then(function () {
    element.removeAttribute("aria-busy");
  });
}

window.addEventListener("hashchange", function () {
  if (location.hash.indexOf("#/") !== 0) { return; } // the skip link and other anchors
  openRoute(true);
});

function showSignin() {
  $("who").hidden = true;
  $("nav").hidden = true;
  showView("signin");
  document.title = "Sign in — Bounceback";
  $("signin-wait").hidden = false;
  return detectLocal().then(function (local) {
    $("signin-wait").hidden = true;
    $("local-login").hidden = !local;
    $("hosted-login").hidden = local;
  });
}

session.onExpired = function () {
  showSignin();
  alarm("Your sign-in has expired. Please sign in again; nothing you saved is lost.");
};

// Signed in: who it is, the profile (its zone for every time shown), then the view.
// Views that show no instant (only local dates) load alongside the profile.
function startApp(moveFocus) {
  var claims = claimsOf(sessionStorage.getItem(TOKEN)) || {};
  $("who-email").textContent = claims.email || "";
  $("who").hidden = false;
  $("nav").hidden = false;
  var profile = api("GET", "/me").then(function (answer) {
    if (answer.status !== 200) { showErrors("", answer); return null; }
    me.profile = answer.data;
    zone.name = answer.data.timezone;
    return adoptBrowserZone(answer.data);
  });
  var opened = VIEWS[route().name].datesOnly ?
    Promise.all([profile, openRoute(moveFocus)]).then(function (both) { return both[0]; }) :
    profile.then(function (message) { return openRoute(moveFocus).then(function () { return message; }); });
  return opened.then(function (message) { if (message) { say(message); } }).catch(failed);
}

// First sign-in: while the zone is the default nobody chose, take the browser's.
// Resolves to the message that says so, or null.
function adoptBrowserZone(profile) {
  var browser = browserZone();
  if (profile.timezone_chosen || profile.timezone !== "UTC" || !browser || browser === "UTC") {
    return null;
  }
  return api("PATCH", "/me", { timezone: browser }).then(function (answer) {
    if (answer.status !== 200) { return null; } // a zone the server does not know: keep UTC
    me.profile = answer.data;
    zone.name = answer.data.timezone;
    return "Your time zone is now " + browser + ", from this browser: e-mails come at " +
      answer.data.send_hour + ":00 your time. You can change it in Settings.";
  });
}

submitting($("local-login"), function () {
  var form = $("local-login");
  if (!form.elements.email.value.trim()) {
    var control = fieldError("login-", "email", "Enter your e-mail address");
    alarm("Please check the marked field.");
    control.focus();
    return null;
  }
  return fetch("/_local/login", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(values(form))
  }).then(function (response) {
    return response.json().then(function (data) {
      if (response.status !== 200) { return showErrors("login-", { status: response.status, data: data }); }
      sessionStorage.setItem(TOKEN, data.token);
      form.reset();
      pending.message = pending.message || "Signed in.";
      return startApp(true);
    });
  });
});

$("hosted-login-button").addEventListener("click", function () {
  startHostedSignIn().catch(function () { alarm("Signing in could not start. Please try again."); });
});

$("sign-out").addEventListener("click", function () { signOut(); });

fillOptions();
finishHostedSignIn().then(function () {
  var stored = sessionStorage.getItem(TOKEN);
  if (currentToken()) { return startApp(false); }
  return showSignin().then(function () {
    if (stored) { alarm("Your sign-in has expired. Please sign in again; nothing you saved is lost."); }
  });
});
