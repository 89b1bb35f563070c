// Bounceback web app, part 4: your data (download, import, calendar feed, delete account).

function download(path, fallbackName) {
  return api("GET", path).then(function (answer) {
    if (answer.status !== 200) { return showErrors("", answer); }
    var type = answer.response.headers.get("Content-Type") || "application/octet-stream";
    var link = document.createElement("a");
    link.href = URL.createObjectURL(new Blob([answer.text], { type: type }));
    link.download = fallbackName;
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(function () { URL.revokeObjectURL(link.href); }, 10000);
    $("download-saved").textContent = "Downloaded " + fallbackName + ".";
    say("Downloaded " + fallbackName + ".");
  });
}

$("download-json").addEventListener("click", function () {
  download("/me/export", "bounceback-data.json").catch(failed);
});
$("download-csv").addEventListener("click", function () {
  download("/me/export?format=csv", "bounceback-applications.csv").catch(failed);
});

function showData() {
  ["delete-account", "import-form"].forEach(function (f) { $(f).reset(); clearErrors($(f)); });
  chosen(null);
  $("download-saved").textContent = "";
  $("erase-address").textContent = me.profile ? me.profile.email : "";
  return showCalendar();
}

// ---------------------------------------------------------------- import, previewed first

var IMPORT_MAX_BYTES = 2 * 1024 * 1024;
var TOO_BIG = "This file is too big to import at once: at most 5,000 rows and 2 MB. " +
  "Split it into smaller files and import them one after the other";
var IMPORT_FIELDS = { company: "Company", role: "Role", applied_on: "Date applied", status: "Status",
  source: "Source", channel: "Rejection channel", url: "Link", contact_name: "Contact name",
  contact_email: "Contact e-mail", notes: "Notes", events: "Events", kind: "Activity", date: "Date" };
var upload = { file: null, order: "mdy", dates: [], scanned: Promise.resolve() };

function plural(n, one, many) { return n + " " + (n === 1 ? one : many); }

function mediaType(file) {
  if (/\.csv$/i.test(file.name) || file.type === "text/csv") { return "text/csv"; }
  if (/\.json$/i.test(file.name) || file.type === "application/json") { return "application/json"; }
  return file.type || "application/octet-stream";
}

// "02/03/2027" as the date it is, read month first (mdy) or day first (dmy).
function slashedDay(text, order) {
  var m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(text);
  return m[3] + "-" + pad(+(order === "mdy" ? m[1] : m[2])) + "-" + pad(+(order === "mdy" ? m[2] : m[1]));
}

// A CSV's slashed dates: those that read both ways, and the order the others prove
// (a first number over 12 is a day, a second one a month).
function scanDates(text) {
  var found = { either: [], order: "mdy" };
  var pattern = /\b(\d{1,2})\/(\d{1,2})\/(\d{4})\b/g;
  var m;
  while ((m = pattern.exec(text))) {
    if (+m[1] > 12 && +m[2] <= 12) { found.order = "dmy"; }
    if (+m[1] <= 12 && +m[2] <= 12 && m[1] !== m[2] && found.either.indexOf(m[0]) < 0) { found.either.push(m[0]); }
  }
  return found;
}

// A new file (or none): forget the last preview, and ask the date order where it matters.
function chosen(file) {
  upload.file = file;
  upload.dates = [];
  upload.order = "mdy";
  $("import-date_order").hidden = true;
  forgetPreview();
  if (!file || mediaType(file) !== "text/csv") { upload.scanned = Promise.resolve(); return; }
  upload.scanned = file.slice(0, IMPORT_MAX_BYTES).text().then(function (text) {
    if (upload.file !== file) { return; }
    var found = scanDates(text);
    upload.dates = found.either;
    upload.order = found.order;
    if (!found.either.length) { return; }
    var example = found.either[0];
    $("import-date_order-why").textContent = "Dates such as " + example + " could be read either way.";
    $("import-mdy").textContent = "Month first: " + example + " is " + day(slashedDay(example, "mdy"));
    $("import-dmy").textContent = "Day first: " + example + " is " + day(slashedDay(example, "dmy"));
    $("import-form").elements.date_order.value = found.order;
    $("import-date_order").hidden = false;
  }, function () { return null; });
}

function forgetPreview() {
  $("import-outcome").hidden = true;
  ["import-rows", "import-problems"].forEach(function (id) { $(id).replaceChildren(); });
  $("import-go").hidden = true;
}

$("import-file").addEventListener("change", function () {
  clearErrors($("import-form"));
  chosen(this.files[0] || null);
});
$("import-date_order").addEventListener("change", forgetPreview);

function dateOrder() {
  return $("import-date_order").hidden ? upload.order : $("import-form").elements.date_order.value;
}

function refuseFile(words) {
  var control = fieldError("import-", "file", words);
  alarm("The file was not imported: see why next to it.");
  control.focus();
  return null;
}

// What the API said about a file it would not read, in the page's words.
function importRefused(answer) {
  var data = answer.data || {};
  var json = mediaType(upload.file) === "application/json";
  if (answer.status === 413) { return refuseFile(TOO_BIG); }
  if (answer.status === 415) {
    return refuseFile("Bounceback imports a CSV file, or the JSON file that “Download everything” saves. " +
      "Save your spreadsheet as CSV (UTF-8) and choose that file");
  }
  if (answer.status === 400) {
    return refuseFile(json ? "This file cannot be read as Bounceback's JSON: choose the file that " +
      "“Download everything (JSON)” saved, unchanged" : sentence(data.message || "this file cannot be read as CSV text"));
  }
  if (answer.status === 422) {
    return refuseFile((data.details || []).map(function (d) {
      return d.field === "header" ? "This file has " + String(d.message).split(";")[0] + ". Its first line must " +
        "name the columns, such as Company, Job Title, Date Applied and Status" : sentence(d.message);
    }).join(" ") || data.message);
  }
  return showErrors("import-", answer);
}

function sendImport(dryRun) {
  var order = dateOrder();
  var query = new URLSearchParams({ dry_run: String(dryRun), date_order: order });
  return api("POST", "/applications/import?" + query.toString(), upload.file, mediaType(upload.file))
    .then(function (answer) {
      if (answer.status !== 200) { return importRefused(answer); }
      showImport(answer.data, order);
    });
}

submitting($("import-form"), function () {
  forgetPreview();
  if (!upload.file) { return refuseFile("Choose the file to import"); }
  if (upload.file.size > IMPORT_MAX_BYTES) { return refuseFile(TOO_BIG); }
  return upload.scanned.then(function () { return sendImport(true); });
});

$("import-go").addEventListener("click", function () {
  var button = $("import-go");
  button.disabled = true;
  sendImport(false).catch(failed).then(function () { button.disabled = false; });
});

function fieldWords(field) {
  var parts = String(field).split(".");
  var activity = parts[0] === "activity";
  var name = activity ? parts[1] : parts[0];
  var words = IMPORT_FIELDS[name] || String(name || "row").replace(/_/g, " ");
  return activity && name !== "kind" ? "Activity " + words.toLowerCase() : words;
}

function issueList(title, issues) {
  var box = $("import-problems");
  if (!issues.length) { return; }
  box.appendChild(el("h4", title));
  var list = el("ul", null, "items");
  issues.slice(0, 100).forEach(function (issue) {
    list.appendChild(el("li", "Row " + issue.row + " · " + fieldWords(issue.field) + ": " + sentence(issue.message)));
  });
  if (issues.length > 100) { list.appendChild(el("li", "… and " + (issues.length - 100) + " more.", "muted")); }
  box.appendChild(list);
}

function showImport(r, order) {
  forgetPreview();
  var adds = [r.created || !r.activities_created ? plural(r.created, "application", "applications") : "",
    r.activities_created ? plural(r.activities_created, "activity", "activities") : ""]
    .filter(Boolean).join(" and ");
  var rest = [];
  if (r.duplicates) { rest.push(plural(r.duplicates, "row is", "rows are") + " already in Bounceback (skipped)"); }
  if (r.errors.length) {
    var bad = {};
    r.errors.forEach(function (e) { bad[e.row] = true; });
    rest.push(plural(Object.keys(bad).length, "row has", "rows have") + " problems (listed below, not imported)");
  }
  var nothing = !r.created && !r.activities_created;
  $("import-outcome-title").textContent = r.dry_run ? "Preview: nothing is stored yet" : "Import done";
  $("import-summary").textContent = (r.dry_run ?
    "This file has " + plural(r.rows, "row", "rows") + ". " + (nothing ? "Nothing new to import." : "Importing it adds " + adds + ".") :
    (nothing ? "Nothing new was imported." : "Imported " + adds + ".")) + (rest.length ? " " + sentence(rest.join("; ")) : "");
  $("import-dates").textContent = upload.dates.length ? "Dates such as " + upload.dates[0] + " were read " +
    (order === "mdy" ? "month first" : "day first") + ": " + upload.dates.slice(0, 3).map(function (d) {
      return d + " as " + day(slashedDay(d, order));
    }).join("; ") + "." : "";
  var used = Object.keys(r.columns || {});
  $("import-columns").textContent = used.length ? "Columns read: " + used.join(", ") + "." +
    (r.ignored_columns.length ? " Not used: " + r.ignored_columns.join(", ") + "." : "") : "";
  if (r.dry_run && r.preview.length) {
    var rows = $("import-rows");
    rows.appendChild(el("h4", r.preview.length < r.created ? "The first " + r.preview.length + " to be added" : "To be added"));
    var list = el("ul", null, "items");
    r.preview.forEach(function (app) {
      var li = el("li");
      li.appendChild(el("div", app.company + " — " + app.role, "item-title"));
      li.appendChild(el("div", "Row " + app.row + " · applied " + day(app.applied_on) + " · " + label("status", app.status), "muted"));
      list.appendChild(li);
    });
    rows.appendChild(list);
  }
  issueList("Rows with problems (not imported)", r.errors);
  issueList("Guesses to check", r.notes);
  var go = $("import-go");
  go.hidden = !r.dry_run || nothing;
  go.textContent = "Import " + adds;
  $("import-outcome").hidden = false;
  if (!r.dry_run) { // done: the same file again would only find duplicates
    $("import-form").reset();
    upload.file = null;
    $("import-date_order").hidden = true;
  }
  say($("import-summary").textContent);
  $("import-outcome-title").focus();
}

// ---------------------------------------------------------------- calendar feed

function calendarSaid(message) {
  $("calendar-saved").textContent = message;
  say(message);
}

function showCalendar() {
  $("calendar-saved").textContent = "";
  return api("GET", "/me/calendar").then(function (answer) {
    $("calendar-url").value = answer.status === 200 ? answer.data.url : "";
    if (answer.status !== 200) { showErrors("", answer); }
  });
}

$("calendar-copy").addEventListener("click", function () {
  var field = $("calendar-url");
  var copying = navigator.clipboard ? navigator.clipboard.writeText(field.value) : Promise.reject(new Error("none"));
  copying.then(function () { calendarSaid("Copied the calendar address."); }, function () {
    // No clipboard for this page: select the address for the user to copy.
    field.focus();
    field.select();
    calendarSaid("The address is selected: press Ctrl+C (or ⌘C) to copy it.");
  });
});

$("calendar-rotate").addEventListener("click", function () {
  $("confirm-rotate").showModal();
  $("rotate-no").focus();
});
$("rotate-no").addEventListener("click", function () { $("confirm-rotate").close(); });
$("rotate-yes").addEventListener("click", function () {
  $("confirm-rotate").close();
  api("POST", "/me/calendar/rotate").then(function (answer) {
    if (answer.status !== 200) { return showErrors("", answer); }
    $("calendar-url").value = answer.data.url;
    calendarSaid("New address ready. The old one no longer works: subscribe again with this one.");
    $("calendar-copy").focus();
  }).catch(failed);
});

submitting($("delete-account"), function () {
  var form = $("delete-account");
  var typed = form.elements.email.value.trim().toLowerCase();
  var email = String(me.profile.email || "").toLowerCase();
  if (!typed || typed !== email) {
    var control = fieldError("erase-", "email", typed ?
      "That is not your address. Type " + me.profile.email + " to confirm" :
      "Type your e-mail address to confirm");
    alarm("Please check the marked field.");
    control.focus();
    return null;
  }
  return api("DELETE", "/me").then(function (answer) {
    if (answer.status !== 204) { return showErrors("erase-", answer); }
    me.profile = null;
    return signOut("Your account and all your data are deleted. Good luck out there.");
  });
});
