// Bounceback web app, part 2: signing in and out.
// Locally, POST /_local/login gives a token for any address. Deployed, the Cognito
// hosted UI with the authorization-code flow and PKCE (S256): the page sends only a
// hash of a secret it keeps (the verifier), then trades the code and the verifier for
// the tokens. The ID token is the bearer token (it carries the e-mail address).

var TOKEN = "bounceback.token";
var PKCE = "bounceback.pkce";

function claimsOf(token) {
  try {
    var part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    while (part.length % 4) { part += "="; }
    var bytes = Uint8Array.from(atob(part), function (c) { return c.charCodeAt(0); });
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch (e) {
    return null;
  }
}

// The stored token while it is still valid, else null (an expired one is dropped).
function currentToken() {
  var token = sessionStorage.getItem(TOKEN);
  if (!token) { return null; }
  var claims = claimsOf(token);
  if (!claims || (claims.exp && claims.exp * 1000 <= Date.now())) {
    sessionStorage.removeItem(TOKEN);
    return null;
  }
  return token;
}

function base64url(bytes) {
  var text = "";
  bytes.forEach(function (b) { text += String.fromCharCode(b); });
  return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function randomText(size) {
  var bytes = new Uint8Array(size);
  crypto.getRandomValues(bytes);
  return base64url(bytes);
}

function redirectUri() { return location.origin + "/"; }

function startHostedSignIn() {
  var verifier = randomText(32);
  var state = randomText(16);
  return crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier)).then(function (hash) {
    sessionStorage.setItem(PKCE, JSON.stringify({ verifier: verifier, state: state }));
    var query = new URLSearchParams({
      response_type: "code",
      client_id: config.clientId,
      redirect_uri: redirectUri(),
      scope: "openid email",
      state: state,
      code_challenge: base64url(new Uint8Array(hash)),
      code_challenge_method: "S256"
    });
    location.assign(config.authDomain + "/oauth2/authorize?" + query.toString());
  });
}

// Back from the hosted UI with ?code=&state=: check the state, trade code + verifier.
// Resolves true when a token was stored.
function finishHostedSignIn() {
  var query = new URLSearchParams(location.search);
  if (!query.has("code") && !query.has("error")) { return Promise.resolve(false); }
  history.replaceState(null, "", location.pathname + location.hash);
  var saved = null;
  try { saved = JSON.parse(sessionStorage.getItem(PKCE) || "null"); } catch (e) { saved = null; }
  sessionStorage.removeItem(PKCE);
  if (query.has("error")) {
    alarm("Signing in did not finish. Please try again.");
    return Promise.resolve(false);
  }
  if (!saved || query.get("state") !== saved.state) {
    alarm("That sign-in could not be checked (it did not start on this page). Please sign in again.");
    return Promise.resolve(false);
  }
  return fetch(config.authDomain + "/oauth2/token", {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "authorization_code",
      client_id: config.clientId,
      code: query.get("code"),
      redirect_uri: redirectUri(),
      code_verifier: saved.verifier
    }).toString()
  }).then(function (response) {
    return response.json().then(function (data) {
      if (!response.ok || !data.id_token) { throw new Error("token"); }
      sessionStorage.setItem(TOKEN, data.id_token);
      return true;
    });
  }).catch(function () {
    alarm("Signing in did not finish. Please try again.");
    return false;
  });
}

// Whether this is the local stack (it answers /_local/clock; a deployed API does not).
var isLocal = null;

function detectLocal() {
  if (isLocal !== null) { return Promise.resolve(isLocal); }
  return fetch("/_local/clock").then(function (r) { return r.ok; }, function () { return false; })
    .then(function (local) { isLocal = local; return local; });
}

function signOut(message) {
  sessionStorage.removeItem(TOKEN);
  return detectLocal().then(function (local) {
    if (!local && config.authDomain) {
      // The hosted UI's logout ends its own session too, then comes back here.
      var query = new URLSearchParams({ client_id: config.clientId, logout_uri: redirectUri() });
      location.assign(config.authDomain + "/logout?" + query.toString());
      return;
    }
    showSignin();
    say(message || "Signed out.");
  });
}
