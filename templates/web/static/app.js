// nhiemvu: small enhancements; every page works without them.
(function () {
  "use strict";
  var csrf = (document.querySelector('meta[name="csrf"]') || {}).content || "";

  // Live preview of the restricted Markdown, rendered by the server (escaped there).
  var narrative = document.getElementById("narrative");
  var preview = document.getElementById("preview");
  if (narrative && preview) {
    var timer = null;
    var refresh = function () {
      fetch("/ui/preview", { method: "POST", headers: { "X-CSRF-Token": csrf, "Content-Type": "text/plain; charset=utf-8" }, body: narrative.value, credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.text() : ""; })
        .then(function (html) { preview.innerHTML = html; });
    };
    narrative.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(refresh, 250); });
    refresh();
  }

  // The rating the self-score implies, from the plan's rubric bands.
  var score = document.getElementById("self_score");
  var implied = document.getElementById("implied-rating");
  if (score && implied) {
    var bands = [];
    try { bands = JSON.parse(score.dataset.bands || "[]"); } catch (e) { bands = []; }
    var within = function (b, v) {
      var lo = b.lower == null || (b.lower_inclusive ? v >= b.lower : v > b.lower);
      var hi = b.upper == null || (b.upper_inclusive ? v <= b.upper : v < b.upper);
      return lo && hi;
    };
    var show = function () {
      var v = parseInt(score.value, 10);
      if (isNaN(v)) { implied.textContent = ""; return; }
      var band = bands.filter(function (b) { return within(b, v); })[0];
      implied.textContent = band ? "Xếp loại tương ứng: " + band.label : (v < 0 || v > 100 ? "Điểm phải từ 0 đến 100" : "");
    };
    score.addEventListener("input", show);
    show();
  }

  // Evidence upload with progress; the server answers with the file's SHA-256.
  var box = document.querySelector(".upload");
  if (box) {
    var input = document.getElementById("evidence-file");
    var bar = document.getElementById("evidence-progress");
    var status = document.getElementById("evidence-status");
    var list = document.getElementById("evidence-list");
    input.addEventListener("change", function () {
      var file = input.files[0];
      if (!file) { return; }
      if (file.size > Number(box.dataset.max)) {
        status.textContent = "Tệp lớn hơn giới hạn " + Math.round(Number(box.dataset.max) / 1048576) + " MB.";
        return;
      }
      var form = new FormData();
      form.append("file", file);
      var xhr = new XMLHttpRequest();
      xhr.open("POST", "/api/v1/tasks/" + box.dataset.task + "/evidence");
      xhr.setRequestHeader("X-CSRF-Token", csrf);
      bar.hidden = false; bar.value = 0;
      status.textContent = "Đang tải lên " + file.name + "…";
      xhr.upload.onprogress = function (e) { if (e.lengthComputable) { bar.value = Math.round(100 * e.loaded / e.total); } };
      xhr.onload = function () {
        var body = {};
        try { body = JSON.parse(xhr.responseText); } catch (e) { body = {}; }
        if (xhr.status === 201) {
          bar.value = 100;
          status.textContent = "Đã tải lên " + body.file_name + " · SHA-256 " + body.sha256;
          var none = document.getElementById("no-evidence");
          if (none) { none.remove(); }
          var li = document.createElement("li");
          var a = document.createElement("a");
          a.href = "/api/v1/evidence/" + body.id + "/file";
          a.textContent = body.file_name;
          var small = document.createElement("small");
          small.className = "muted";
          small.textContent = " " + (body.size_bytes / 1024).toFixed(1) + " KB · SHA-256 ";
          var code = document.createElement("code");
          code.className = "hash";
          code.textContent = body.sha256;
          small.appendChild(code);
          li.appendChild(a); li.appendChild(small);
          list.appendChild(li);
          input.value = "";
        } else {
          status.textContent = "Không tải lên được: " + (body.message || xhr.status);
        }
      };
      xhr.onerror = function () { status.textContent = "Mất kết nối khi tải lên; hãy thử lại."; };
      xhr.send(form);
    });
  }
})();
