// Small enhancements; every page works without them. Texts come translated from data-* attributes.
"use strict";

(function () {
  var doc = document;

  function each(selector, fn, root) {
    Array.prototype.forEach.call((root || doc).querySelectorAll(selector), fn);
  }

  doc.documentElement.classList.add("js");

  // ------------------------------------------------------------ print
  each("[data-print]", function (button) {
    button.addEventListener("click", function () { window.print(); });
  });

  // ------------------------------------------------------------ confirm before deleting
  each("[data-confirm]", function (button) {
    button.addEventListener("click", function (event) {
      if (!window.confirm(button.getAttribute("data-confirm"))) { event.preventDefault(); }
    });
  });

  // ------------------------------------------------------------ a busy note on plain forms
  each("form.text-form, form.recheck", function (form) {
    form.addEventListener("submit", function () {
      var status = form.querySelector(".status");
      if (status) { status.textContent = form.getAttribute("data-reading"); }
      form.classList.add("busy");
      each("button[type=submit]", function (b) { b.disabled = true; }, form);
    });
  });

  // ------------------------------------------------------------ compare needs two checks
  var compareForm = doc.getElementById("compare-form");
  if (compareForm) {
    compareForm.addEventListener("submit", function (event) {
      if (compareForm.querySelectorAll("input[name=id]:checked").length < 2) {
        event.preventDefault();
        compareForm.querySelector(".status").textContent = compareForm.getAttribute("data-min");
      }
    });
  }

  // ------------------------------------------------------------ upload: drop files, check them one by one
  var form = doc.getElementById("upload-form");
  if (form) { setUpUpload(form); }

  function setUpUpload(form) {
    var picker = doc.getElementById("file");
    var camera = doc.getElementById("photo");
    var zone = doc.getElementById("dropzone");
    var status = doc.getElementById("upload-status");
    var list = doc.getElementById("upload-results");
    var text = function (name) { return form.getAttribute("data-" + name) || ""; };

    ["dragenter", "dragover"].forEach(function (type) {
      zone.addEventListener(type, function (event) {
        event.preventDefault();
        zone.classList.add("dragging");
      });
    });
    ["dragleave", "drop"].forEach(function (type) {
      zone.addEventListener(type, function () { zone.classList.remove("dragging"); });
    });
    zone.addEventListener("drop", function (event) {
      event.preventDefault();
      if (event.dataTransfer && event.dataTransfer.files.length) {
        picker.files = event.dataTransfer.files;
        picker.dispatchEvent(new Event("change"));
      }
    });

    form.addEventListener("submit", function (event) {
      var files = [].concat(Array.prototype.slice.call(camera.files || []),
                            Array.prototype.slice.call(picker.files || []));
      event.preventDefault();
      if (!files.length) { status.textContent = text("none"); return; }
      checkAll(files);
    });

    function checkAll(files) {
      var button = form.querySelector("button[type=submit]");
      var token = form.querySelector("input[name=csrf_token]").value;
      button.disabled = true;
      form.classList.add("busy");
      list.textContent = "";
      var rows = files.map(function (file) { return addRow(file.name); });
      status.textContent = text("reading");
      var results = [];
      var chain = Promise.resolve();
      files.forEach(function (file, i) {
        chain = chain.then(function () {
          rows[i].state.textContent = text("reading");
          rows[i].item.className = "running";
          return checkOne(file, token).then(function (result) {
            results.push(result);
            showResult(rows[i], result);
          });
        });
      });
      chain.then(function () {
        button.disabled = false;
        form.classList.remove("busy");
        status.textContent = text("done").replace("{count}", String(files.length));
        if (files.length === 1 && results[0] && results[0].url) { window.location.assign(results[0].url); }
      });
    }

    function addRow(name) {
      var item = doc.createElement("li");
      var file = doc.createElement("span");
      var state = doc.createElement("span");
      file.className = "file";
      file.textContent = name + ": ";
      state.className = "state";
      state.textContent = text("waiting");
      item.className = "waiting";
      item.appendChild(file);
      item.appendChild(state);
      list.appendChild(item);
      return { item: item, state: state };
    }

    function checkOne(file, token) {
      var data = new FormData();
      data.append("csrf_token", token);
      data.append("file", file, file.name);
      return fetch(form.action, {
        method: "POST", body: data, credentials: "same-origin",
        headers: { "Accept": "application/json" }
      }).then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (type.indexOf("application/json") === 0) { return response.json(); }
        if (response.status === 413) { return { error: { message: text("too-large") } }; }
        if (response.status === 400) { return { error: { message: text("expired") } }; }
        return { error: { message: "HTTP " + response.status } };
      }).catch(function (err) {
        return { error: { message: String(err) } };
      });
    }

    function showResult(row, result) {
      row.state.textContent = "";
      if (result.error) {
        row.item.className = "failed";
        row.state.textContent = text("failed") + ": " + result.error.message;
        return;
      }
      row.item.className = "done";
      var verdict = doc.createElement("span");
      verdict.className = "verdict-word verdict-" + (result.verdict || "none");
      verdict.textContent = result.verdict_title + ", ";
      var link = doc.createElement("a");
      link.href = result.url;
      link.textContent = text("open");
      row.state.appendChild(verdict);
      row.state.appendChild(link);
    }
  }

  // ------------------------------------------------------------ report: a finding lights up its place
  var findings = doc.querySelectorAll(".finding[data-finding]");
  if (findings.length) { setUpHighlights(); }

  function setUpHighlights() {
    var pinned = null;

    function parts(id) {
      var out = [];
      each('.box-finding[data-finding="' + id + '"]', function (el) { out.push(el); });
      each(".evidence-mark", function (el) {
        if ((" " + el.getAttribute("data-findings") + " ").indexOf(" " + id + " ") >= 0) { out.push(el); }
      });
      return out;
    }

    function clear() {
      each(".is-highlighted", function (el) { el.classList.remove("is-highlighted"); });
    }

    function show(id) {
      clear();
      if (!id) { return; }
      var item = doc.getElementById("finding-" + id);
      if (item) { item.classList.add("is-highlighted"); }
      parts(id).forEach(function (el) { el.classList.add("is-highlighted"); });
    }

    Array.prototype.forEach.call(findings, function (item) {
      var id = item.getAttribute("data-finding");
      item.addEventListener("mouseenter", function () { show(id); });
      item.addEventListener("mouseleave", function () { show(pinned); });
      item.addEventListener("focus", function () { show(id); });
      item.addEventListener("blur", function () { show(pinned); });
      item.addEventListener("click", function () {  // a tap on a phone pins the highlight
        pinned = pinned === id ? null : id;
        show(pinned);
        var box = parts(id)[0];
        if (pinned && box && box.scrollIntoView && !inView(box)) {
          box.scrollIntoView({ block: "center", behavior: "smooth" });
        }
      });
    });

    each(".box-finding[data-finding]", function (box) {
      box.addEventListener("click", function () {
        var item = doc.getElementById("finding-" + box.getAttribute("data-finding"));
        if (item) { item.focus(); item.scrollIntoView({ block: "center", behavior: "smooth" }); }
      });
    });
  }

  function inView(el) {
    var r = el.getBoundingClientRect();
    return r.top >= 0 && r.bottom <= (window.innerHeight || doc.documentElement.clientHeight);
  }
})();
