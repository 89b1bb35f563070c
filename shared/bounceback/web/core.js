// Bounceback web app, part 1: words, DOM helpers, time formatting, the API and its errors.
// Stored data is only ever written with textContent, never parsed as HTML.

var config = JSON.parse(document.getElementById("config").textContent || "{}");

var LABELS = {
  source: [["job_board", "Job board"], ["direct", "Applied directly"], ["referral", "Referral"],
    ["recruiter", "Recruiter"], ["agency", "Agency"], ["other", "Other"]],
  status: [["applied", "Applied"], ["screening", "Screening"], ["interviewing", "Interviewing"],
    ["offer", "Offer"], ["accepted", "Accepted"], ["rejected", "Rejected"],
    ["withdrawn", "Withdrawn"], ["no_response", "No response"]],
  event: [["screening", "Screening call"], ["interview", "Interview"], ["rejection", "Rejection"],
    ["offer", "Offer"], ["accepted", "I accepted an offer"], ["withdrawn", "I withdrew"],
    ["follow_up_sent", "I sent a follow-up"], ["feedback_received", "I got feedback"],
    ["no_response", "No response"]],
  channel: [["recruiter_call", "A call from a recruiter or the employer"],
    ["direct_email", "An e-mail written by a person"], ["automated_email", "An automated e-mail"],
    ["agency", "Through an agency"], ["no_response", "They never answered"]],
  activity: [["networking_event", "Networking event"], ["contacts_reviewed", "Reviewed my contacts"],
    ["resume_updated", "Updated my CV"], ["industry_news", "Read industry news"],
    ["interview_practice", "Interview practice"], ["exercise", "Exercise"],
    ["other", "Something else"]],
  nudge: [["acknowledgement", "A kind word after the rejection"], ["ask_feedback", "Ask for feedback"],
    ["replay", "Replay the interview"], ["week_plan", "A plan for the week"],
    ["gap", "A nudge back into the search"], ["follow_up", "Follow up on an application"],
    ["no_response_check", "Mark silent applications"], ["digest", "Weekly digest"],
    ["congratulations", "Congratulations"]]
};

function label(kind, value) {
  var found = LABELS[kind].filter(function (pair) { return pair[0] === value; })[0];
  return found ? found[1] : String(value);
}

function $(id) { return document.getElementById(id); }

function el(tag, text, className) {
  var node = document.createElement(tag);
  if (text !== undefined && text !== null) { node.textContent = String(text); }
  if (className) { node.className = className; }
  return node;
}

function option(value, text) {
  var node = el("option", text);
  node.value = value;
  return node;
}

// Fill the selects and radio groups marked data-options from LABELS (one list of words).
function fillOptions() {
  document.querySelectorAll("[data-options]").forEach(function (box) {
    var kind = box.getAttribute("data-options");
    if (box.tagName === "SELECT") {
      if (box.hasAttribute("data-all")) { box.appendChild(option("", box.getAttribute("data-all"))); }
      if (box.hasAttribute("data-choose")) { box.appendChild(option("", box.getAttribute("data-choose"))); }
      LABELS[kind].forEach(function (pair) { box.appendChild(option(pair[0], pair[1])); });
      return;
    }
    LABELS[kind].forEach(function (pair) {
      var line = el("label", null, "choice");
      var input = document.createElement("input");
      input.type = "radio";
      input.name = kind;
      input.value = pair[0];
      line.appendChild(input);
      line.appendChild(document.createTextNode(" " + pair[1]));
      box.appendChild(line);
    });
  });
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

function quiet() {
  $("alert").hidden = true;
  $("status").textContent = "";
}

// ---------------------------------------------------------------- times, in the user's zone

var zone = { name: "UTC" };

function formatIn(date, options) {
  try {
    return new Intl.DateTimeFormat(undefined, Object.assign({ timeZone: zone.name }, options)).format(date);
  } catch (e) {
    return new Intl.DateTimeFormat(undefined, Object.assign({ timeZone: "UTC" }, options)).format(date);
  }
}

// An instant (ISO 8601 with offset) as the user's local date and time, zone named.
function when(text) {
  var date = new Date(text);
  if (isNaN(date.getTime())) { return String(text); }
  return formatIn(date, { weekday: "short", day: "numeric", month: "short", year: "numeric",
    hour: "2-digit", minute: "2-digit", timeZoneName: "short" });
}

// A local date ("2027-02-01") as words; it is already the user's date, no conversion.
function day(text) {
  var parts = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(text || ""));
  if (!parts) { return String(text); }
  var date = new Date(Date.UTC(+parts[1], +parts[2] - 1, +parts[3]));
  return new Intl.DateTimeFormat(undefined, { timeZone: "UTC", weekday: "short", day: "numeric",
    month: "short", year: "numeric" }).format(date);
}

// Today in the user's zone, as the value of a date input.
function today() {
  var parts = {};
  new Intl.DateTimeFormat("en-CA", { timeZone: zone.name, year: "numeric", month: "2-digit", day: "2-digit" })
    .formatToParts(new Date()).forEach(function (p) { parts[p.type] = p.value; });
  return parts.year + "-" + parts.month + "-" + parts.day;
}

// ---------------------------------------------------------------- the API

function Expired() { this.message = "expired"; }

var session = { onExpired: function () {} };

// `body` goes as JSON, or as it is when `type` names its media type (a file).
function api(method, path, body, type) {
  var token = currentToken();
  if (!token) { session.onExpired(); return Promise.reject(new Expired()); }
  var headers = { "Authorization": "Bearer " + token, "Accept": "application/json" };
  var init = { method: method, headers: headers };
  if (body !== undefined) {
    headers["Content-Type"] = type || "application/json";
    init.body = type ? body : JSON.stringify(body);
  }
  return fetch(path, init).then(function (response) {
    if (response.status === 401) { session.onExpired(); throw new Expired(); }
    return response.text().then(function (text) {
      var data = null;
      try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
      return { status: response.status, data: data, response: response, text: text };
    });
  });
}

// ---------------------------------------------------------------- forms and their errors

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
  var saved = form.querySelector(".saved");
  if (saved) { saved.textContent = ""; }
}

function sentence(text) {
  text = String(text || "");
  return text.charAt(0).toUpperCase() + text.slice(1) + (/[.!?]$/.test(text) ? "" : ".");
}

// Mark one field as wrong, with the words next to it; returns the control to focus.
function fieldError(prefix, field, message) {
  var slot = $(prefix + field + "-error");
  if (!slot) { return null; }
  slot.textContent = (slot.textContent ? slot.textContent + " " : "") + sentence(message);
  var control = $(prefix + field);
  if (control) {
    control.setAttribute("aria-invalid", "true");
    if (control.tagName === "FIELDSET") { control = control.querySelector("input") || control; }
  }
  return control;
}

// Put each of the API's 422 details next to its field; what has no field goes on top.
// `aliases` maps an API field to the form's own name for it; `conflictField` takes a 409.
function showErrors(prefix, answer, aliases, conflictField) {
  var data = answer.data || {};
  var details = data.details || [];
  if (answer.status === 409 && conflictField) {
    details = [{ field: conflictField, message: data.message || "that is not possible now" }];
  }
  var unplaced = [];
  var first = null;
  details.forEach(function (detail) {
    var field = String(detail.field || "").split(".")[0];
    field = (aliases && aliases[field]) || field;
    var control = fieldError(prefix, field, detail.message);
    if (!control && !$(prefix + field + "-error")) { unplaced.push(detail.field + " " + detail.message); }
    if (control && !first) { first = control; }
  });
  if (unplaced.length || !details.length) {
    alarm(sentence(unplaced.length ? unplaced.join("; ") : (data.message || "Something went wrong (" + answer.status + ")")));
  } else {
    alarm("Please check the marked fields.");
  }
  if (first && first.focus) { first.focus(); }
}

function failed(error) {
  if (error instanceof Expired) { return; }
  alarm("Could not reach Bounceback. Check your connection and try again.");
}

// Run `run` on submit, with the button disabled meanwhile and errors cleared first.
function submitting(form, run) {
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    clearErrors(form);
    var button = form.querySelector("button[type=submit]");
    button.disabled = true;
    Promise.resolve().then(run).catch(failed).then(function () { button.disabled = false; });
  });
}

function confirmSaved(form, message) {
  var saved = form.querySelector(".saved");
  if (saved) { saved.textContent = message; }
  say(message);
}
