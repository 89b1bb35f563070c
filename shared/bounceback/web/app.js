// Bounceback web form: plain JavaScript, no build step. Stored data is only ever
// written with textContent, never parsed as HTML.
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("config").textContent || "{}");
  var TOKEN = "bounceback.token";
  var STATE = "bounceback.login-state";
  var KIND_LABELS = {
    acknowledgement: "A kind word after the rejection",
    ask_feedback: "Ask for feedback",
    replay: "Replay the interview",
    week_plan: "A plan for the week",
    gap: "A nudge back into the search",
    follow_up: "Follow up on an application",
    no_response_check: "Mark silent applications",
    digest: "Weekly digest",
    congratulations: "Congratulations"
  };
  var STATUS_LABELS = {
    applied: "Applied", screening: "Screening", interviewing: "Interviewing", offer: "Offer",
    accepted: "Accepted", rejected: "Rejected", withdrawn: "Withdrawn", no_response: "No response"
  };

  function $(id) { return document.getElementById(id); }

  function el(tag, text, className) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    if (className) { node.className = className; }
    return node;
  }

  function say(message) {
    $("alert").hidden = true;
    $("status").textContent = message;
  }

  function alarm(message) {
    $("status").textContent = "";
    var box = $("alert");
    box.textContent = message;
    box.hidden = false;
  }

  // ---------------------------------------------------------------- the token

  function claimsOf(token) {
    try {
      var part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
      while (part.length % 4) { part += "="; }
      return JSON.parse(decodeURIComponent(escape(atob(part))));
    } catch (e) {
      return null;
    }
  }

  function currentToken() {
    var token = sessionStorage.getItem(TOKEN);
    if (!token) { return null; }
    var claims = claimsOf(token);
    if (!claims || (claims.exp && claims.exp * 1000 <= Date.now())) { return "expired"; }
    return token;
  }

  function Expired() { this.message = "expired"; }

  function expired() {
    sessionStorage.removeItem(TOKEN);
    showSignin();
    alarm("Your sign-in has expired. Please sign in again; nothing you saved is lost.");
    return new Expired();
  }

  // ---------------------------------------------------------------- the API

  function api(method, path, body) {
    var token = currentToken();
    if (!token || token === "expired") { return Promise.reject(expired()); }
    var headers = { "Authorization": "Bearer " + token, "Accept": "application/json" };
    var init = { method: method, headers: headers };
    if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    return fetch(path, init).then(function (response) {
      if (response.status === 401) { throw expired(); }
      return response.text().then(function (text) {
        var data = null;
        try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
        return { status: response.status, data: data };
      });
    });
  }

  function values(form) {
    var out = {};
    new FormData(form).forEach(function (value, name) {
      var text = String(value).trim();
      if (text !== "") { out[name] = text; }
    });
    return out;
  }

  function clearErrors(form) {
    form.querySelectorAll(".error").forEach(function (p) { p.textContent = ""; });
    form.querySelectorAll("[aria-invalid]").forEach(function (c) { c.removeAttribute("aria-invalid"); });
  }

  // Put each of the API's 422 details next to its field; what has no field goes on top.
  function showErrors(form, prefix, answer) {
    var details = (answer.data && answer.data.details) || [];
    var unplaced = [];
    var first = null;
    details.forEach(function (detail) {
      var field = String(detail.field || "").split(".")[0];
      var slot = $(prefix + field + "-error");
      if (!slot) { unplaced.push(detail.field + ": " + detail.message); return; }
      slot.textContent = (slot.textContent ? slot.textContent + " " : "") + detail.message;
      var control = $(prefix + field) || $(prefix + field + "-group");
      if (control) {
        control.setAttribute("aria-invalid", "true");
        if (!first) { first = control; }
      }
    });
    var message = (answer.data && answer.data.message) || "Something went wrong (" + answer.status + ").";
    alarm(unplaced.length ? message + " — " + unplaced.join("; ") : "Please check the marked fields: " + message);
    if (first && first.focus) { first.focus(); }
  }

  function failed(error) {
    if (error instanceof Expired) { return; }
    alarm("Could not reach Bounceback. Check your connection and try again.");
  }

  function submitting(form, run) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      clearErrors(form);
      var button = form.querySelector("button[type=submit]");
      button.disabled = true;
      Promise.resolve().then(run).catch(failed).then(function () { button.disabled = false; });
    });
  }

  // ---------------------------------------------------------------- rendering

  function renderApplications(items) {
    var list = $("applications");
    var select = $("out-application");
    var chosen = select.value;
    list.replaceChildren();
    select.replaceChildren();
    $("applications-empty").hidden = items.length > 0;
    items.forEach(function (item) {
      var li = el("li");
      var title = el("div", item.company + " — " + item.role, "item-title");
      title.appendChild(el("span", STATUS_LABELS[item.status] || item.status, "badge " + item.status));
      li.appendChild(title);
      var detail = "Applied " + item.applied_on;
      if (item.events && item.events.length) {
        detail += " · " + item.events.length + " update" + (item.events.length > 1 ? "s" : "");
      }
      li.appendChild(el("div", detail, "muted"));
      list.appendChild(li);
      var option = el("option", item.company + " — " + item.role);
      option.value = item.id;
      select.appendChild(option);
    });
    if (chosen) { select.value = chosen; }
    if (!items.length) {
      var none = el("option", "Add an application first");
      none.value = "";
      select.appendChild(none);
    }
  }

  function stat(grid, label, value) {
    var box = el("div");
    box.appendChild(el("dt", label));
    box.appendChild(el("dd", value));
    grid.appendChild(box);
  }

  function renderSummary(answer) {
    var box = $("summary");
    box.replaceChildren();
    if (answer.status !== 200 || !answer.data) {
      box.appendChild(el("p", "The summary is not available yet.", "muted"));
      return;
    }
    var s = answer.data;
    if (s.on_break) {
      var note = "You are on a recovery break. Take it easy: no nudges" +
        (s.break_ends_on ? " until your comeback day, " + s.break_ends_on : " for now") + ".";
      box.appendChild(el("p", note, "break-note"));
    }
    var grid = el("dl", null, "stats");
    stat(grid, "Days since your last activity",
      s.days_since_last_activity === null || s.days_since_last_activity === undefined ? "—" : s.days_since_last_activity);
    if (s.this_week) {
      stat(grid, "Applications this week", s.this_week.applications +
        (s.last_week ? " (last week " + s.last_week.applications + ")" : ""));
      stat(grid, "Activities this week", s.this_week.activities +
        (s.last_week ? " (last week " + s.last_week.activities + ")" : ""));
    }
    if (typeof s.response_rate === "number") {
      stat(grid, "Response rate", Math.round(s.response_rate * 100) + "%");
    }
    box.appendChild(grid);
    var counts = s.counts_by_status || {};
    var names = Object.keys(counts).filter(function (k) { return counts[k] > 0; });
    if (names.length) {
      box.appendChild(el("p", names.map(function (k) {
        return (STATUS_LABELS[k] || k) + ": " + counts[k];
      }).join(" · "), "muted"));
    }
  }

  function when(text) {
    var date = new Date(text);
    return isNaN(date.getTime()) ? String(text) :
      date.toLocaleString(undefined, { weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" });
  }

  function renderNudges(answer) {
    var box = $("nudges");
    box.replaceChildren();
    if (answer.status !== 200 || !answer.data) {
      box.appendChild(el("p", "Upcoming nudges are not available yet.", "muted"));
      return;
    }
    var upcoming = answer.data.upcoming || [];
    var sent = answer.data.sent || [];
    if (!upcoming.length) {
      box.appendChild(el("p", "Nothing planned right now.", "muted"));
    } else {
      var list = el("ul", null, "items");
      upcoming.forEach(function (n) {
        var li = el("li");
        li.appendChild(el("div", (KIND_LABELS[n.kind] || n.kind) + " — " + when(n.due_at), "item-title"));
        li.appendChild(el("div", n.reason, "muted"));
        list.appendChild(li);
      });
      box.appendChild(list);
    }
    if (sent.length) {
      box.appendChild(el("h3", "Already sent"));
      var done = el("ul", null, "items");
      sent.forEach(function (n) {
        var kinds = (n.kinds || []).map(function (k) { return KIND_LABELS[k] || k; }).join(", ");
        var li = el("li");
        li.appendChild(el("div", kinds + " — " + when(n.sent_at || n.due_at), "item-title"));
        li.appendChild(el("div", n.reason, "muted"));
        done.appendChild(li);
      });
      box.appendChild(done);
    }
  }

  function refresh() {
    return Promise.all([
      api("GET", "/applications?limit=100").then(function (a) {
        renderApplications(a.status === 200 && a.data ? a.data.items : []);
      }),
      api("GET", "/summary").then(renderSummary),
      api("GET", "/nudges").then(renderNudges)
    ]).catch(failed);
  }

  // ---------------------------------------------------------------- sign-in

  function showApp() {
    var claims = claimsOf(sessionStorage.getItem(TOKEN)) || {};
    $("who-email").textContent = claims.email || "";
    $("who").hidden = false;
    $("signin").hidden = true;
    $("app").hidden = false;
    return refresh();
  }

  function hostedLoginUrl() {
    var state = Math.random().toString(36).slice(2) + Date.now().toString(36);
    sessionStorage.setItem(STATE, state);
    return config.authDomain + "/login?response_type=token&scope=openid+email" +
      "&client_id=" + encodeURIComponent(config.clientId) +
      "&redirect_uri=" + encodeURIComponent(location.origin + "/") +
      "&state=" + encodeURIComponent(state);
  }

  function showSignin() {
    $("who").hidden = true;
    $("app").hidden = true;
    $("signin").hidden = false;
    // The local stack answers /_local/clock; a deployed API does not have it.
    fetch("/_local/clock").then(function (r) { return r.ok; }, function () { return false; })
      .then(function (local) {
        $("local-login").hidden = !local;
        $("hosted-login").hidden = local;
        if (!local) { $("hosted-login-link").href = hostedLoginUrl(); }
      });
  }

  function takeTokenFromFragment() {
    if (!location.hash || location.hash.indexOf("id_token=") < 0) { return; }
    var params = new URLSearchParams(location.hash.slice(1));
    var expected = sessionStorage.getItem(STATE);
    sessionStorage.removeItem(STATE);
    if (params.get("id_token") && expected && params.get("state") === expected) {
      sessionStorage.setItem(TOKEN, params.get("id_token"));
    }
    history.replaceState(null, "", location.pathname + location.search);
  }

  submitting($("local-login"), function () {
    var form = $("local-login");
    return fetch("/_local/login", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(values(form))
    }).then(function (response) {
      return response.json().then(function (data) {
        if (response.status !== 200) { return showErrors(form, "login-", { status: response.status, data: data }); }
        sessionStorage.setItem(TOKEN, data.token);
        say("Signed in.");
        return showApp();
      });
    });
  });

  $("sign-out").addEventListener("click", function () {
    sessionStorage.removeItem(TOKEN);
    say("Signed out.");
    showSignin();
  });

  // ---------------------------------------------------------------- the forms

  submitting($("add-application"), function () {
    var form = $("add-application");
    var body = values(form);
    return api("POST", "/applications", body).then(function (answer) {
      if (answer.status !== 201) { return showErrors(form, "app-", answer); }
      form.reset();
      say("Added " + answer.data.company + " — " + answer.data.role + ".");
      return refresh();
    });
  });

  function syncChannel() {
    var rejection = $("out-type").value === "rejection";
    var group = $("out-channel-group");
    group.hidden = !rejection;
    group.querySelectorAll("input").forEach(function (input) { input.disabled = !rejection; });
  }
  $("out-type").addEventListener("change", syncChannel);
  syncChannel();

  submitting($("record-outcome"), function () {
    var form = $("record-outcome");
    var body = values(form);
    var id = body.application;
    delete body.application;
    if (!id) {
      $("out-application-error").textContent = "Add an application first, then record what happened.";
      $("out-application").setAttribute("aria-invalid", "true");
      return null;
    }
    if (body.occurred_at) { body.occurred_at = new Date(body.occurred_at).toISOString(); }
    return api("POST", "/applications/" + encodeURIComponent(id) + "/events", body).then(function (answer) {
      if (answer.status !== 201) { return showErrors(form, "out-", answer); }
      $("out-note").value = "";
      $("out-occurred_at").value = "";
      var app = answer.data.application;
      say("Recorded for " + app.company + ": " + (STATUS_LABELS[app.status] || app.status) + ".");
      return refresh();
    });
  });

  submitting($("log-activity"), function () {
    var form = $("log-activity");
    return api("POST", "/activities", values(form)).then(function (answer) {
      if (answer.status !== 201) { return showErrors(form, "act-", answer); }
      form.reset();
      say("Logged. Every bit of search work counts.");
      return refresh();
    });
  });

  // ---------------------------------------------------------------- start

  takeTokenFromFragment();
  var token = currentToken();
  if (token === "expired") {
    expired();
  } else if (token) {
    showApp();
  } else {
    showSignin();
  }
})();
