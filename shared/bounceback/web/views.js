// Bounceback web app, part 3: the views. Each `show*` loads what its view needs.

var me = { profile: null };
var PAGE = 20;

function emptyTo(list, box, text) {
  box.textContent = text;
  box.hidden = list.children.length > 0;
}

// ---------------------------------------------------------------- applications

function renderSummary(answer) {
  var box = $("summary");
  box.replaceChildren();
  if (answer.status !== 200 || !answer.data) {
    box.appendChild(el("p", "The summary is not available right now.", "muted"));
    return;
  }
  var s = answer.data;
  if (s.on_break) {
    box.appendChild(el("p", "You are on a recovery break. Take it easy: no nudges" +
      (s.break_ends_on ? " until your comeback day, " + day(s.break_ends_on) : " for now") + ".", "break-note"));
  }
  var grid = el("dl", null, "stats");
  function stat(name, value) {
    var cell = el("div");
    cell.appendChild(el("dt", name));
    cell.appendChild(el("dd", value));
    grid.appendChild(cell);
  }
  stat("Days since your last activity", s.days_since_last_activity === null ? "—" : s.days_since_last_activity);
  stat("Applications this week", s.this_week.applications + " (last week " + s.last_week.applications + ")");
  stat("Activities this week", s.this_week.activities + " (last week " + s.last_week.activities + ")");
  stat("Response rate", Math.round(s.response_rate * 100) + "%");
  box.appendChild(grid);
  var counts = s.counts_by_status || {};
  var names = Object.keys(counts).filter(function (k) { return counts[k] > 0; });
  if (names.length) {
    box.appendChild(el("p", names.map(function (k) { return label("status", k) + ": " + counts[k]; }).join(" · "), "muted"));
  }
}

function applicationItem(item) {
  var li = el("li");
  var title = el("div", null, "item-title");
  var link = el("a", item.company + " — " + item.role);
  link.href = "#/application/" + encodeURIComponent(item.id);
  title.appendChild(link);
  title.appendChild(el("span", label("status", item.status), "badge " + item.status));
  li.appendChild(title);
  var detail = "Applied " + day(item.applied_on);
  if (item.events.length) {
    detail += " · " + item.events.length + " update" + (item.events.length > 1 ? "s" : "");
  }
  li.appendChild(el("div", detail, "muted"));
  return li;
}

var listing = { cursor: null };

function loadApplications(more) {
  var filter = $("filter-status").value;
  var query = new URLSearchParams({ limit: String(PAGE) });
  if (filter) { query.set("status", filter); }
  if (more && listing.cursor) { query.set("cursor", listing.cursor); }
  return api("GET", "/applications?" + query.toString()).then(function (answer) {
    var list = $("applications");
    if (!more) { list.replaceChildren(); }
    if (answer.status !== 200) { return showErrors("", answer); }
    var firstNew = null;
    answer.data.items.forEach(function (item) {
      var li = applicationItem(item);
      if (!firstNew) { firstNew = li; }
      list.appendChild(li);
    });
    listing.cursor = answer.data.next_cursor;
    $("applications-more").hidden = !listing.cursor;
    emptyTo(list, $("applications-empty"), filter ?
      "No applications with the status " + label("status", filter) + "." : "No applications yet.");
    if (more && firstNew) { firstNew.querySelector("a").focus(); }
  });
}

function showApplications() {
  return Promise.all([api("GET", "/summary").then(renderSummary), loadApplications(false)]);
}

$("filter-status").addEventListener("change", function () { loadApplications(false).catch(failed); });
$("applications-more").addEventListener("click", function () { loadApplications(true).catch(failed); });

function requireFilled(form, prefix, names, words) {
  var first = null;
  names.forEach(function (name, i) {
    if (!String(form.elements[name].value).trim()) {
      var control = fieldError(prefix, name, words[i]);
      if (!first) { first = control; }
    }
  });
  if (first) { alarm("Please check the marked fields."); first.focus(); }
  return !first;
}

submitting($("add-application"), function () {
  var form = $("add-application");
  if (!requireFilled(form, "app-", ["company", "role"], ["Enter the company's name", "Enter the role"])) { return null; }
  return api("POST", "/applications", values(form)).then(function (answer) {
    if (answer.status !== 201) { return showErrors("app-", answer); }
    form.reset();
    // The new application is the one to record things on: open it.
    pending.message = "Added " + answer.data.company + " — " + answer.data.role + ". Record here what happens next.";
    location.hash = "#/application/" + encodeURIComponent(answer.data.id);
  });
});

// ---------------------------------------------------------------- one application

var current = { app: null };

function renderHistory(app) {
  var list = $("history");
  list.replaceChildren();
  var applied = el("li");
  applied.appendChild(el("div", "Applied", "item-title"));
  applied.appendChild(el("div", day(app.applied_on), "muted"));
  list.appendChild(applied);
  app.events.forEach(function (event) {
    var li = el("li");
    var title = label("event", event.type);
    if (event.channel) { title += " — " + label("channel", event.channel).toLowerCase(); }
    li.appendChild(el("div", title, "item-title"));
    if (event.scheduled_for) {
      li.appendChild(el("div", "Scheduled for " + when(event.scheduled_for), "scheduled"));
      li.appendChild(el("div", "Recorded " + when(event.occurred_at), "muted"));
    } else {
      li.appendChild(el("div", when(event.occurred_at), "muted"));
    }
    if (event.note) { li.appendChild(el("p", event.note, "note")); }
    list.appendChild(li);
  });
}

function renderApplication(app) {
  current.app = app;
  $("detail-title").textContent = app.company + " — " + app.role;
  document.title = app.company + " — Bounceback";
  var status = $("detail-status");
  status.replaceChildren(document.createTextNode("Status: "));
  status.appendChild(el("span", label("status", app.status), "badge " + app.status));
  renderHistory(app);
  var form = $("edit-application");
  ["company", "role", "source", "applied_on", "url", "contact_name", "contact_email", "notes"].forEach(function (name) {
    form.elements[name].value = app[name] === null ? "" : app[name];
  });
}

function showApplication(id) {
  ["record-event", "edit-application"].forEach(function (f) { $(f).reset(); clearErrors($(f)); });
  syncType();
  $("ev-occurred_at-hint").textContent = "In your time zone, " + zone.name + ".";
  $("ev-scheduled_for-hint").textContent = "In your time zone, " + zone.name + "; at most a year ahead.";
  return api("GET", "/applications/" + encodeURIComponent(id)).then(function (answer) {
    if (answer.status !== 200) {
      current.app = null;
      $("detail-title").textContent = "Application not found";
      alarm("This application does not exist (it may have been deleted).");
      return;
    }
    renderApplication(answer.data);
  });
}

// A rejection asks for its channel; an interview may carry its start. Hidden fields are
// disabled, so the form never sends them.
function syncType() {
  var type = $("ev-type").value;
  var group = $("ev-channel");
  group.hidden = type !== "rejection";
  group.querySelectorAll("input").forEach(function (input) {
    input.disabled = group.hidden;
    input.required = !group.hidden;
  });
  $("ev-scheduled").hidden = type !== "interview";
  $("ev-scheduled_for").disabled = type !== "interview";
}
$("ev-type").addEventListener("change", syncType);

function pad(n) { return (n < 10 ? "0" : "") + n; }

// The user's zone's offset from UTC at `instant` (ms since the epoch), in minutes.
function zoneOffset(instant) {
  var p = {};
  new Intl.DateTimeFormat("en-US", { timeZone: zone.name, hourCycle: "h23", year: "numeric",
    month: "numeric", day: "numeric", hour: "numeric", minute: "numeric" })
    .formatToParts(new Date(instant)).forEach(function (part) { p[part.type] = +part.value; });
  return Math.round((Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute) - instant) / 60000);
}

// A date-and-time input's value ("2027-02-10T14:00"), a time in the user's zone, as
// ISO 8601 with that zone's offset on that day ("2027-02-10T14:00:00+01:00").
function withOffset(local) {
  var m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(local.slice(0, 16));
  if (!m) { return local; }
  var wall = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5]);
  var offset = zoneOffset(wall - zoneOffset(wall) * 60000);
  var size = Math.abs(offset);
  return m[0] + ":00" + (offset < 0 ? "-" : "+") + pad(Math.floor(size / 60)) + ":" + pad(size % 60);
}

submitting($("record-event"), function () {
  var form = $("record-event");
  var body = values(form);
  var missing = null;
  if (!body.type) { missing = fieldError("ev-", "type", "Choose what happened"); }
  if (body.type === "rejection" && !body.channel) {
    missing = missing || fieldError("ev-", "channel", "Choose how the rejection reached you");
  }
  if (missing) { alarm("Please check the marked fields."); missing.focus(); return null; }
  // `occurred_at` goes without an offset (the API reads it in the user's zone); an
  // interview's start must carry one: the user's zone's, on that day.
  if (body.scheduled_for) { body.scheduled_for = withOffset(body.scheduled_for); }
  return api("POST", "/applications/" + encodeURIComponent(current.app.id) + "/events", body).then(function (answer) {
    if (answer.status === 409) {
      // The status cannot take this event (e.g. a second rejection): say it in the app's words.
      answer.data = { message: "“" + label("event", body.type) + "” cannot be recorded now: this application is " +
        label("status", current.app.status) };
    }
    if (answer.status !== 201) {
      ((answer.data || {}).details || []).forEach(function (d) {
        d.message = String(d.message).replace("occurred_at", "the time in “When”");
      });
      return showErrors("ev-", answer, null, "type");
    }
    form.reset();
    syncType();
    renderApplication(answer.data.application);
    var event = answer.data.event;
    confirmSaved(form, (event.scheduled_for ? "Scheduled: interview on " + when(event.scheduled_for) :
      "Recorded: " + label("event", event.type)) + ". The status is now " +
      label("status", answer.data.application.status) + ".");
  });
});

submitting($("edit-application"), function () {
  var form = $("edit-application");
  if (!requireFilled(form, "edit-", ["company", "role", "applied_on"],
    ["Enter the company's name", "Enter the role", "Enter the date you applied"])) { return null; }
  var changes = {};
  ["company", "role", "source", "applied_on", "url", "contact_name", "contact_email", "notes"].forEach(function (name) {
    var value = String(form.elements[name].value).trim();
    var before = current.app[name] === null ? "" : String(current.app[name]);
    if (value !== before) { changes[name] = value === "" ? null : value; }
  });
  if (!Object.keys(changes).length) { confirmSaved(form, "Nothing to save: no field changed."); return null; }
  return api("PATCH", "/applications/" + encodeURIComponent(current.app.id), changes).then(function (answer) {
    if (answer.status !== 200) { return showErrors("edit-", answer); }
    renderApplication(answer.data);
    confirmSaved(form, "Saved your changes.");
  });
});

$("delete-application").addEventListener("click", function () {
  var dialog = $("confirm-delete");
  $("confirm-text").textContent = current.app.company + " — " + current.app.role +
    " and its history will be deleted. This cannot be undone.";
  dialog.showModal();
  $("confirm-no").focus();
});
$("confirm-no").addEventListener("click", function () { $("confirm-delete").close(); });
$("confirm-yes").addEventListener("click", function () {
  var app = current.app;
  $("confirm-delete").close();
  api("DELETE", "/applications/" + encodeURIComponent(app.id)).then(function (answer) {
    if (answer.status !== 204) { return showErrors("", answer); }
    pending.message = "Deleted " + app.company + " — " + app.role + ".";
    location.hash = "#/applications";
  }).catch(failed);
});

// ---------------------------------------------------------------- activity

var activityListing = { cursor: null };

function loadActivities(more) {
  var query = new URLSearchParams({ limit: String(PAGE) });
  if (more && activityListing.cursor) { query.set("cursor", activityListing.cursor); }
  return api("GET", "/activities?" + query.toString()).then(function (answer) {
    var list = $("activities");
    if (!more) { list.replaceChildren(); }
    if (answer.status !== 200) { return showErrors("", answer); }
    answer.data.items.forEach(function (item) {
      var li = el("li", null);
      li.appendChild(el("div", label("activity", item.kind), "item-title"));
      li.appendChild(el("div", day(item.date), "muted"));
      if (item.note) { li.appendChild(el("p", item.note, "note")); }
      li.tabIndex = -1;
      list.appendChild(li);
    });
    activityListing.cursor = answer.data.next_cursor;
    $("activities-more").hidden = !activityListing.cursor;
    $("activities-empty").hidden = list.children.length > 0;
  });
}

$("activities-more").addEventListener("click", function () {
  var before = $("activities").children.length;
  loadActivities(true).then(function () {
    var next = $("activities").children[before];
    if (next) { next.focus(); }
  }).catch(failed);
});

submitting($("log-activity"), function () {
  var form = $("log-activity");
  return api("POST", "/activities", values(form)).then(function (answer) {
    if (answer.status !== 201) { return showErrors("act-", answer); }
    form.reset();
    confirmSaved(form, "Logged: " + label("activity", answer.data.kind) + ". Every bit of search work counts.");
    return loadActivities(false);
  });
});

// ---------------------------------------------------------------- nudges

function showNudges() {
  return api("GET", "/nudges").then(function (answer) {
    var upcoming = $("upcoming");
    var sent = $("sent");
    upcoming.replaceChildren();
    sent.replaceChildren();
    if (answer.status !== 200) {
      upcoming.appendChild(el("p", "Nudges are not available right now.", "muted"));
      return;
    }
    if (!answer.data.upcoming.length) {
      upcoming.appendChild(el("p", "Nothing planned right now.", "muted"));
    } else {
      var list = el("ul", null, "items");
      answer.data.upcoming.forEach(function (n) {
        var li = el("li");
        li.appendChild(el("div", label("nudge", n.kind), "item-title"));
        li.appendChild(el("div", (n.state === "due" ? "Due now, planned for " : "") + when(n.due_at), "muted"));
        li.appendChild(el("p", n.reason, "note"));
        list.appendChild(li);
      });
      upcoming.appendChild(list);
    }
    if (!answer.data.sent.length) {
      sent.appendChild(el("p", "No e-mail sent yet.", "muted"));
      return;
    }
    var done = el("ul", null, "items");
    answer.data.sent.slice().reverse().forEach(function (n) {
      var li = el("li");
      li.appendChild(el("div", n.kinds.map(function (k) { return label("nudge", k); }).join(", "), "item-title"));
      var time = n.sent_at ? "Sent " + when(n.sent_at) : "For " + day(n.local_date);
      if (n.state === "unknown") { time += " (it may not have arrived)"; }
      li.appendChild(el("div", time, "muted"));
      li.appendChild(el("p", n.reason, "note"));
      done.appendChild(li);
    });
    sent.appendChild(done);
  });
}

// ---------------------------------------------------------------- settings

function zoneNames(current) {
  var names = [];
  try { names = Intl.supportedValuesOf("timeZone"); } catch (e) { names = []; }
  [current, "UTC", browserZone()].forEach(function (name) {
    if (name && names.indexOf(name) < 0) { names.push(name); }
  });
  return names.sort();
}

function browserZone() {
  try { return Intl.DateTimeFormat().resolvedOptions().timeZone || null; } catch (e) { return null; }
}

function fillNumbers(select, from, to, text) {
  if (select.options.length) { return; }
  for (var i = from; i <= to; i += 1) { select.appendChild(option(String(i), text(i))); }
}

function renderSettings(profile) {
  var form = $("settings-form");
  var zones = $("set-timezone");
  zones.replaceChildren();
  zoneNames(profile.timezone).forEach(function (name) { zones.appendChild(option(name, name.replace(/_/g, " "))); });
  zones.value = profile.timezone;
  fillNumbers($("set-send_hour"), 0, 23, function (h) { return (h < 10 ? "0" : "") + h + ":00"; });
  fillNumbers($("set-break_days"), 1, 7, function (d) { return d + (d === 1 ? " day" : " days"); });
  fillNumbers($("set-gap_days"), 2, 14, function (d) { return d + " days"; });
  form.elements.send_hour.value = String(profile.send_hour);
  form.elements.break_days.value = String(profile.break_days);
  form.elements.gap_days.value = String(profile.gap_days);
  form.elements.digest_enabled.checked = profile.digest_enabled;
  form.elements.emails.checked = !profile.unsubscribed;
  form.elements.name.value = profile.name || "";
  $("suppressed-note").hidden = !profile.suppressed;
  var paused = profile.paused_until;
  $("pause-state").textContent = paused ? "E-mails are paused until " + day(paused) + " (that day included)." :
    "E-mails are not paused.";
  $("resume").hidden = !paused;
  $("pause-paused_until").min = today();
  $("pause-paused_until").value = paused || "";
}

function showSettings() {
  clearErrors($("settings-form"));
  clearErrors($("pause-form"));
  return api("GET", "/me").then(function (answer) {
    if (answer.status !== 200) { return showErrors("", answer); }
    me.profile = answer.data;
    renderSettings(answer.data);
  });
}

var SETTING_NAMES = { timezone: "time zone", send_hour: "send time", break_days: "break",
  gap_days: "quiet days", digest_enabled: "digest", unsubscribed: "e-mails", name: "name" };

submitting($("settings-form"), function () {
  var form = $("settings-form");
  var p = me.profile;
  var wanted = {
    timezone: form.elements.timezone.value,
    send_hour: Number(form.elements.send_hour.value),
    break_days: Number(form.elements.break_days.value),
    gap_days: Number(form.elements.gap_days.value),
    digest_enabled: form.elements.digest_enabled.checked,
    unsubscribed: !form.elements.emails.checked,
    name: form.elements.name.value.trim() || null
  };
  var changes = {};
  Object.keys(wanted).forEach(function (k) { if (wanted[k] !== p[k]) { changes[k] = wanted[k]; } });
  var names = Object.keys(changes).map(function (k) { return SETTING_NAMES[k]; });
  if (!names.length) { confirmSaved(form, "Nothing to save: no setting changed."); return null; }
  return api("PATCH", "/me", changes).then(function (answer) {
    if (answer.status !== 200) { return showErrors("set-", answer, { unsubscribed: "emails" }); }
    me.profile = answer.data;
    zone.name = answer.data.timezone;
    renderSettings(answer.data);
    confirmSaved(form, "Saved: " + names.join(", ") + ".");
  });
});

submitting($("pause-form"), function () {
  var form = $("pause-form");
  var until = form.elements.paused_until.value;
  if (!until) {
    var control = fieldError("pause-", "paused_until", "Choose the last day of the pause");
    alarm("Please check the marked fields.");
    control.focus();
    return null;
  }
  return api("PATCH", "/me", { paused_until: until }).then(function (answer) {
    if (answer.status !== 200) { return showErrors("pause-", answer); }
    me.profile = answer.data;
    renderSettings(answer.data);
    confirmSaved(form, "Paused: no e-mails until " + day(until) + ", that day included.");
  });
});

$("resume").addEventListener("click", function () {
  var form = $("pause-form");
  clearErrors(form);
  api("PATCH", "/me", { paused_until: null }).then(function (answer) {
    if (answer.status !== 200) { return showErrors("pause-", answer); }
    me.profile = answer.data;
    renderSettings(answer.data);
    confirmSaved(form, "Resumed: e-mails go out again.");
    form.elements.paused_until.focus();
  }).catch(failed);
});
