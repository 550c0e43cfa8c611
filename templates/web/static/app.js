// nhiemvu: small enhancements; every page works without them.
(function () {
  "use strict";
  var csrf = (document.querySelector('meta[name="csrf"]') || {}).content || "";
  var user = (document.querySelector('meta[name="user"]') || {}).content || "";
  var two = function (n) { return (n < 10 ? "0" : "") + n; };
  var clock = function (d) { return two(d.getHours()) + ":" + two(d.getMinutes()); };

  // Irreversible steps ask first; a pressed button says it is working and cannot
  // be pressed twice.
  document.addEventListener("submit", function (e) {
    var form = e.target;
    var button = e.submitter;
    var question = button && button.dataset.confirm;
    if (question && !window.confirm(question)) { e.preventDefault(); return; }
    if (button && button.name) {
      // A disabled button is not sent: carry its value in a hidden field.
      var carry = document.createElement("input");
      carry.type = "hidden"; carry.name = button.name; carry.value = button.value;
      form.appendChild(carry);
    }
    form.dataset.submitting = "1";
    form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
    if (button) { button.textContent = button.dataset.busy || "Đang lưu…"; button.setAttribute("aria-busy", "true"); }
  });

  // Back to a page from the history: its buttons work again.
  window.addEventListener("pageshow", function (e) {
    if (!e.persisted) { return; }
    document.querySelectorAll("form[data-submitting]").forEach(function (f) {
      delete f.dataset.submitting;
      f.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = false; b.removeAttribute("aria-busy"); });
    });
  });

  // The session: a warning five minutes before it ends, and activity extends it.
  var expiresMeta = document.querySelector('meta[name="session-expires"]');
  var warning = document.getElementById("session-warning");
  var expires = expiresMeta ? Number(expiresMeta.content) * 1000 : 0;
  var lastPing = Date.now();
  var ping = function () {
    lastPing = Date.now();
    return fetch("/ui/session", { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (s) {
        if (!s || !s.expires_at) { return; }
        expires = s.expires_at * 1000; warning.hidden = true;
        // Logged in again (another tab): the same person's forms carry the new token.
        if (s.csrf && s.username === user && s.csrf !== csrf) {
          csrf = s.csrf;
          document.querySelectorAll('input[name="csrf"]').forEach(function (i) { i.value = csrf; });
        }
      });
  };
  // Back to this tab: the session may have been renewed or ended elsewhere.
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible" && user) { ping().catch(function () {}); }
  });
  // An ended session: said plainly, with a login in another tab so this page and
  // what is typed on it stay where they are.
  var ended = function () {
    if (!warning) { return; }
    warning.hidden = false;
    warning.textContent = "Phiên làm việc đã kết thúc. Nội dung bạn gõ vẫn được giữ trong trình duyệt này. ";
    var a = document.createElement("a");
    a.href = "/login?next=" + encodeURIComponent(location.pathname);
    a.target = "_blank"; a.rel = "noopener"; a.id = "relogin";
    a.textContent = "Đăng nhập lại (mở thẻ mới)";
    warning.appendChild(a);
    warning.appendChild(document.createTextNode(" rồi quay lại đây bấm lưu."));
  };
  if (expires && warning) {
    setInterval(function () {
      var left = expires - Date.now();
      if (left <= 0) {
        warning.hidden = false;
        ended();
      } else if (left < 5 * 60 * 1000) {
        warning.hidden = false;
        warning.textContent = "";
        warning.appendChild(document.createTextNode("Phiên làm việc sẽ hết hạn lúc " + clock(new Date(expires)) + ". "));
        var b = document.createElement("button");
        b.type = "button"; b.className = "secondary"; b.textContent = "Tiếp tục làm việc";
        b.addEventListener("click", ping);
        warning.appendChild(b);
      }
    }, 15000);
    ["keydown", "click"].forEach(function (ev) {
      document.addEventListener(ev, function () { if (Date.now() - lastPing > 5 * 60 * 1000) { ping(); } }, { passive: true });
    });
  }

  // Forms keep a draft on the server as the user types (at most a few seconds lost).
  document.querySelectorAll("form[data-autosave]").forEach(function (form) {
    var status = form.querySelector(".autosave-status") || document.querySelector(".autosave-status");
    var timer = null;
    var save = function () {
      if (form.dataset.submitting) { return; }
      var body = new URLSearchParams(new FormData(form));
      body.delete("csrf");
      fetch("/ui/draft?key=" + encodeURIComponent(form.dataset.autosave), {
        method: "POST", credentials: "same-origin", body: body,
        headers: { "X-CSRF-Token": csrf, "Content-Type": "application/x-www-form-urlencoded" }
      }).then(function (r) {
        return r.json().then(function (j) { return { status: r.status, body: j }; }, function () { return { status: r.status, body: {} }; });
      }).then(function (r) {
        if (!status) { return; }
        if (r.status === 200) {
          lastPing = Date.now();
          if (r.body.expires_at) { expires = r.body.expires_at * 1000; }
          status.textContent = "Đã tự lưu bản nháp lúc " + clock(new Date()) + " (chưa gửi).";
        } else if (r.status === 401) {
          status.textContent = "Phiên làm việc đã kết thúc; nội dung vẫn được giữ trong trình duyệt này.";
          ended();
        } else {
          status.textContent = "Chưa tự lưu được bản nháp; nội dung vẫn còn trên trang.";
        }
      }).catch(function () {
        if (status) { status.textContent = "Mất kết nối; nội dung vẫn còn trên trang, sẽ tự lưu khi có mạng."; }
      });
    };
    form.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(save, 1500); });
    form.addEventListener("change", function () { clearTimeout(timer); timer = setTimeout(save, 1500); });
    form.addEventListener("submit", function () { clearTimeout(timer); });
  });

  // A copy of what is typed in every form with free text stays in this browser until
  // the server confirms the save (the next page says "done=…"), and is offered back
  // on its page after a login, an ended session or a lost connection.
  var store = null;
  try { store = window.localStorage; } catch (e) { store = null; }
  var KEEP = "nhiemvu-keep:";
  var keepForms = user && store ? Array.prototype.filter.call(document.querySelectorAll('form[method="post"]'), function (f) {
    return f.dataset.autosave || f.querySelector("textarea");
  }) : [];
  var keyOf = function (f) { return KEEP + user + ":" + (f.dataset.autosave || (location.pathname + " " + f.getAttribute("action"))); };
  var fieldsOf = function (f) {
    var out = [];
    new FormData(f).forEach(function (v, k) { if (k !== "csrf" && typeof v === "string") { out.push([k, v]); } });
    return out;
  };
  var same = function (a, b) { return JSON.stringify(a) === JSON.stringify(b); };
  if (store && user) {
    var pending = null;
    try { pending = JSON.parse(store.getItem(KEEP + "pending") || "null"); } catch (e) { pending = null; }
    if (pending && new URLSearchParams(location.search).get("done")) {
      store.removeItem(pending.key);
      store.removeItem(KEEP + "pending");
    }
    // Copies older than a week are let go.
    for (var i = store.length - 1; i >= 0; i--) {
      var k = store.key(i);
      if (k && k.indexOf(KEEP) === 0 && k !== KEEP + "pending") {
        try { if (Date.now() - JSON.parse(store.getItem(k)).at > 7 * 864e5) { store.removeItem(k); } } catch (e) { store.removeItem(k); }
      }
    }
    document.addEventListener("submit", function (e) {
      var f = e.target;
      var kept = keepForms.indexOf(f) >= 0;
      if (kept) { store.setItem(keyOf(f), JSON.stringify({ at: Date.now(), fields: fieldsOf(f) })); }
      if (kept) { store.setItem(KEEP + "pending", JSON.stringify({ key: keyOf(f) })); } else { store.removeItem(KEEP + "pending"); }
    }, true);
  }
  var restore = function (f, fields) {
    var queue = {};
    fields.forEach(function (kv) { (queue[kv[0]] = queue[kv[0]] || []).push(kv[1]); });
    // Rows added after the page was drawn (targets) are added again first.
    var add = document.getElementById("add-target");
    var rows = (queue.target_description || []).length;
    while (add && rows > f.querySelectorAll('input[name="target_description"]').length) { add.click(); }
    Array.prototype.forEach.call(f.elements, function (el) {
      if (!el.name || el.name === "csrf" || el.type === "hidden" || el.type === "file" || el.type === "submit" || el.type === "button") { return; }
      var vals = queue[el.name] || [];
      if (el.type === "checkbox" || el.type === "radio") {
        el.checked = vals.indexOf(el.value) >= 0;
      } else if (el.multiple) {
        Array.prototype.forEach.call(el.options, function (o) { o.selected = vals.indexOf(o.value) >= 0; });
      } else if (vals.length) {
        el.value = vals.shift();
      }
      el.dispatchEvent(new Event("input", { bubbles: true }));
    });
  };
  keepForms.forEach(function (f, n) {
    var key = keyOf(f);
    var copy = null;
    try { copy = JSON.parse(store.getItem(key) || "null"); } catch (e) { copy = null; }
    if (copy && copy.fields) {
      if (same(copy.fields, fieldsOf(f))) {
        store.removeItem(key);
      } else {
        var at = new Date(copy.at);
        var box = document.createElement("div");
        box.className = "banner warn"; box.setAttribute("role", "status"); box.id = n ? "unsaved-" + n : "unsaved";
        box.appendChild(document.createTextNode("Trình duyệt còn giữ nội dung bạn gõ lúc " + clock(at) + " ngày " + two(at.getDate()) + "/" + two(at.getMonth() + 1) + " chưa được lưu. "));
        var yes = document.createElement("button");
        yes.type = "button"; yes.textContent = "Khôi phục nội dung chưa lưu"; yes.className = "restore-unsaved";
        var no = document.createElement("button");
        no.type = "button"; no.className = "secondary"; no.textContent = "Bỏ bản này";
        yes.addEventListener("click", function () {
          restore(f, copy.fields);
          box.textContent = "Đã khôi phục nội dung chưa lưu: hãy kiểm tra rồi bấm lưu.";
        });
        no.addEventListener("click", function () { store.removeItem(key); box.remove(); });
        box.appendChild(yes); box.appendChild(document.createTextNode(" ")); box.appendChild(no);
        f.parentNode.insertBefore(box, f);
      }
    }
    var t = null;
    var keep = function () {
      clearTimeout(t);
      t = setTimeout(function () { store.setItem(key, JSON.stringify({ at: Date.now(), fields: fieldsOf(f) })); }, 300);
    };
    f.addEventListener("input", keep);
    f.addEventListener("change", keep);
  });

  // "Sao chép" next to a one-time link: the link goes to the clipboard (or is
  // selected, for copying by hand where the clipboard is not allowed).
  document.querySelectorAll("button[data-copy]").forEach(function (b) {
    b.addEventListener("click", function () {
      var field = document.getElementById(b.dataset.copy);
      field.select();
      var said = function () { b.textContent = "Đã sao chép"; };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(said, function () { document.execCommand("copy"); said(); });
      } else { document.execCommand("copy"); said(); }
    });
  });

  // Writing without syntax: a small toolbar over each text with a preview puts the
  // marks in (bold, italic, a list, a footnote); the preview shows the result.
  document.querySelectorAll("textarea[data-preview]").forEach(function (area) {
    var bar = document.createElement("div");
    bar.className = "toolbar-marks"; bar.setAttribute("role", "toolbar"); bar.setAttribute("aria-label", "Định dạng");
    var wrap = function (mark) {
      var a = area.selectionStart, b = area.selectionEnd, v = area.value;
      var inner = v.slice(a, b) || "chữ";
      area.value = v.slice(0, a) + mark + inner + mark + v.slice(b);
      area.setSelectionRange(a + mark.length, a + mark.length + inner.length);
    };
    var list = function () {
      var a = area.value.lastIndexOf("\n", area.selectionStart - 1) + 1, b = area.selectionEnd, v = area.value;
      var lines = v.slice(a, b).split("\n").map(function (l) { return /^- /.test(l) ? l : "- " + l; });
      area.value = v.slice(0, a) + lines.join("\n") + v.slice(b);
    };
    var note = function () {
      var used = area.value.match(/\[\^(\d+)\]/g) || [];
      var n = used.reduce(function (m, x) { return Math.max(m, Number(x.replace(/\D/g, ""))); }, 0) + 1;
      var at = area.selectionEnd, v = area.value;
      area.value = v.slice(0, at) + "[^" + n + "]" + v.slice(at) + "\n\n[^" + n + "]: ";
      area.setSelectionRange(area.value.length, area.value.length);
    };
    [["Đậm", function () { wrap("**"); }], ["Nghiêng", function () { wrap("*"); }], ["Danh sách", list], ["Chú thích", note]].forEach(function (x) {
      var b = document.createElement("button");
      b.type = "button"; b.className = "secondary small"; b.textContent = x[0];
      b.addEventListener("click", function () { x[1](); area.focus(); area.dispatchEvent(new Event("input", { bubbles: true })); });
      bar.appendChild(b);
    });
    area.parentNode.insertBefore(bar, area);
  });

  // Nơi nhận as a two-column table (name, addresses) with the units offered with
  // their addresses; the table writes the textarea the form sends ("name | a, b").
  var rcpt = document.getElementById("recipients");
  if (rcpt && rcpt.dataset.units) {
    var units = [];
    try { units = JSON.parse(rcpt.dataset.units); } catch (e) { units = []; }
    var label = document.querySelector('label[for="recipients"]');
    if (label) { label.textContent = "Nơi nhận"; label.removeAttribute("for"); }
    var box = document.createElement("div");
    box.className = "recipients-editor"; box.id = "recipients-editor";
    var table = document.createElement("table");
    table.innerHTML = "<thead><tr><th>Nơi nhận</th><th>Địa chỉ thư (cách nhau bằng dấu phẩy)</th><th></th></tr></thead><tbody></tbody>";
    var body = table.querySelector("tbody");
    var write = function () {
      rcpt.value = Array.prototype.map.call(body.rows, function (r) {
        var name = r.cells[0].firstChild.value.trim(), mails = r.cells[1].firstChild.value.trim();
        return name && mails ? name + " | " + mails : name;
      }).filter(function (l) { return l; }).join("\n");
      rcpt.dispatchEvent(new Event("input", { bubbles: true }));
    };
    var addRow = function (name, mails) {
      var tr = document.createElement("tr");
      [[name, "Nơi nhận"], [mails, "Địa chỉ thư"]].forEach(function (x) {
        var td = document.createElement("td"); td.setAttribute("data-label", x[1]);
        var input = document.createElement("input"); input.value = x[0] || ""; input.setAttribute("aria-label", x[1]);
        input.addEventListener("input", write);
        td.appendChild(input); tr.appendChild(td);
      });
      var td = document.createElement("td");
      var drop = document.createElement("button");
      drop.type = "button"; drop.className = "secondary small"; drop.textContent = "Bỏ";
      drop.addEventListener("click", function () { tr.remove(); write(); });
      td.appendChild(drop); tr.appendChild(td);
      body.appendChild(tr);
      return tr;
    };
    rcpt.value.split("\n").forEach(function (l) {
      if (!l.trim()) { return; }
      var at = l.indexOf("|");
      addRow(at < 0 ? l.trim() : l.slice(0, at).trim(), at < 0 ? "" : l.slice(at + 1).trim());
    });
    var tools = document.createElement("p");
    tools.className = "recipients-tools";
    var pick = document.createElement("select");
    pick.id = "recipient-unit"; pick.setAttribute("aria-label", "Thêm một đơn vị");
    pick.innerHTML = "<option value=\"\">Thêm một đơn vị…</option>";
    units.forEach(function (u, i) {
      var o = document.createElement("option"); o.value = String(i); o.textContent = u.name; pick.appendChild(o);
    });
    pick.addEventListener("change", function () {
      var u = units[Number(pick.value)];
      if (!u) { return; }
      // Before the archive copy ("Lưu: …"), which stays last.
      var tr = addRow(u.name, (u.emails || []).join(", "));
      var last = body.rows[body.rows.length - 2];
      if (last && /^\s*-?\s*Lưu/.test(last.cells[0].firstChild.value)) { body.insertBefore(tr, last); }
      pick.value = ""; write();
    });
    var blank = document.createElement("button");
    blank.type = "button"; blank.className = "secondary small"; blank.textContent = "Thêm dòng";
    blank.addEventListener("click", function () { addRow("", "").querySelector("input").focus(); });
    tools.appendChild(pick); tools.appendChild(document.createTextNode(" ")); tools.appendChild(blank);
    box.appendChild(table); box.appendChild(tools);
    rcpt.hidden = true;
    rcpt.parentNode.insertBefore(box, rcpt);
  }

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
      var out = !isNaN(v) && (v < 0 || v > 100 || String(v) !== score.value.trim());
      implied.classList.toggle("field-error", out);
      if (out) { score.setAttribute("aria-invalid", "true"); } else { score.removeAttribute("aria-invalid"); }
      if (isNaN(v)) { implied.textContent = ""; return; }
      if (out) { implied.textContent = "Điểm là số nguyên từ 0 đến 100; chưa có xếp loại."; return; }
      var band = bands.filter(function (b) { return within(b, v); })[0];
      implied.textContent = band ? "Xếp loại tương ứng: " + band.label : "";
    };
    score.addEventListener("input", show);
    show();
  }

  // Another empty target row without a round trip (the form always carries one).
  var addTarget = document.getElementById("add-target");
  var targetRows = document.getElementById("target-rows");
  if (addTarget && targetRows) {
    addTarget.hidden = false;
    addTarget.addEventListener("click", function () {
      var rows = targetRows.querySelectorAll(".target-row");
      var copy = rows[rows.length - 1].cloneNode(true);
      copy.querySelectorAll("input").forEach(function (i) { if (i.type !== "checkbox") { i.value = ""; } });
      copy.querySelectorAll(".remove, .field-error").forEach(function (e) { e.remove(); });
      targetRows.appendChild(copy);
      copy.querySelector('input[name="target_description"]').focus();
    });
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
          small.textContent = " " + (body.size_bytes / 1024).toFixed(1).replace(".", ",") + " KB · ";
          var check = document.createElement("span");
          check.title = "SHA-256 " + body.sha256;
          check.textContent = "mã kiểm tra ";
          var code = document.createElement("code");
          code.className = "hash";
          code.textContent = body.sha256.slice(0, 12);
          check.appendChild(code);
          small.appendChild(check);
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

  // Signing key import: the file goes to the API as base64; an error keeps the
  // form as it is, with the Vietnamese half of the server's answer.
  var keyForm = document.getElementById("key-import");
  if (keyForm) {
    keyForm.addEventListener("submit", function (e) {
      e.preventDefault();
      var status = document.getElementById("key-status");
      var button = document.getElementById("key-submit");
      var file = document.getElementById("key-file").files[0];
      var holder = document.getElementById("key-holder").value.split(":");
      var vi = function (m) { return String(m || "").split(" / ")[0]; };
      var done = function (text) {
        status.textContent = text;
        button.disabled = false; button.textContent = "Cài khóa"; button.removeAttribute("aria-busy");
        delete keyForm.dataset.submitting;
      };
      if (!file) { done("Hãy chọn tệp khóa."); return; }
      if (file.size > 65536) { done("Tệp lớn hơn 64 KB nên không phải tệp khóa .p12."); return; }
      status.textContent = "Đang kiểm tra chứng thư và cài khóa…";
      var reader = new FileReader();
      reader.onload = function () {
        var b64 = String(reader.result).split(",")[1] || "";
        var url = "/api/v1/" + (holder[0] === "issuer" ? "issuers/" : "users/") + holder[1] + "/signing-keys";
        fetch(url, {
          method: "POST", credentials: "same-origin",
          headers: { "X-CSRF-Token": csrf, "Content-Type": "application/json" },
          body: JSON.stringify({ pkcs12_base64: b64, passphrase: document.getElementById("key-pass").value })
        }).then(function (r) {
          return r.json().then(function (b) { return [r.status, b]; }, function () { return [r.status, {}]; });
        }).then(function (rb) {
          if (rb[0] === 201) {
            window.location.href = "/admin/keys?done=key_imported&at=" + Math.floor(Date.now() / 1000);
            return;
          }
          if (rb[0] === 401) { done("Phiên đăng nhập đã hết hạn: hãy đăng nhập lại rồi cài khóa lần nữa."); return; }
          var b = rb[1];
          var fields = b.fields ? Object.keys(b.fields).map(function (k) { return vi(b.fields[k]); }) : [];
          done("Không cài được khóa: " + (fields.length ? fields.join(" ") : vi(b.message) || ("lỗi " + rb[0])));
        }, function () { done("Mất kết nối; hãy thử lại."); });
      };
      reader.onerror = function () { done("Không đọc được tệp đã chọn."); };
      reader.readAsDataURL(file);
    });
  }

  // Signature and seal images: the PNG goes to the API as it is; an error is said
  // under the form in Vietnamese, and the page moves on only once it is stored.
  document.querySelectorAll("form.image-upload").forEach(function (form) {
    var label = form.querySelector("button").textContent;
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var status = form.querySelector(".upload-status");
      var button = form.querySelector("button");
      var file = form.querySelector("input[type=file]").files[0];
      var vi = function (m) { return String(m || "").split(" / ")[0]; };
      var done = function (text) {
        status.textContent = text;
        button.disabled = false; button.removeAttribute("aria-busy"); button.textContent = label;
      };
      if (!file) { done("Hãy chọn một ảnh PNG."); return; }
      if (file.size > Number(form.dataset.max) * 1024) { done("Ảnh lớn hơn " + Number(form.dataset.max) / 1024 + " MB; hãy thu nhỏ ảnh."); return; }
      button.disabled = true; button.setAttribute("aria-busy", "true");
      status.textContent = "Đang tải lên…";
      fetch(form.dataset.url, {
        method: "PUT", credentials: "same-origin",
        headers: { "X-CSRF-Token": csrf, "Content-Type": "application/octet-stream" },
        body: file
      }).then(function (r) {
        if (r.ok) {
          window.location.href = form.dataset.done + "&at=" + Math.floor(Date.now() / 1000);
          return;
        }
        if (r.status === 401) { done("Phiên đăng nhập đã hết hạn: hãy đăng nhập lại rồi tải ảnh lên lần nữa."); return; }
        if (r.status === 415) { done("Không lưu được ảnh: chỉ nhận ảnh PNG (nên có nền trong suốt)."); return; }
        if (r.status === 413) { done("Không lưu được ảnh: ảnh lớn hơn " + Number(form.dataset.max) / 1024 + " MB."); return; }
        return r.json().then(function (b) { done("Không lưu được ảnh: " + (vi(b.message) || ("lỗi " + r.status))); },
          function () { done("Không lưu được ảnh (lỗi " + r.status + ")."); });
      }, function () { done("Mất kết nối; hãy thử lại."); });
    });
  });

  // Choosing the signer's account fills the name (unless another was typed) and,
  // when empty, the position with the head's title; the server does the same.
  var signerAccount = document.getElementById("signer_user_id");
  if (signerAccount) {
    var signerName = document.getElementById("signer_name");
    var signerPosition = document.getElementById("signer_position");
    var picked = function () { var o = signerAccount.options[signerAccount.selectedIndex]; return (o && o.dataset.name) || ""; };
    var before = picked();
    signerAccount.addEventListener("change", function () {
      var now = picked();
      if (signerName && (!signerName.value.trim() || signerName.value === before)) { signerName.value = now; }
      if (signerPosition && !signerPosition.value.trim() && now) { signerPosition.value = signerAccount.dataset.position || ""; }
      before = now;
    });
  }

  // Choosing another group suggests that group's next code, unless the code was typed.
  document.querySelectorAll("select[data-code-for]").forEach(function (select) {
    var code = document.getElementById(select.getAttribute("data-code-for"));
    if (!code) { return; }
    var suggested = code.value;
    select.addEventListener("change", function () {
      var next = select.options[select.selectedIndex].getAttribute("data-next") || "";
      if (code.value === suggested) { code.value = next; suggested = next; }
    });
  });

  // A browser that cannot show a PDF inline (most phones) does not get an empty
  // frame; the pages are offered as images below it, drawn only when opened.
  var frame = document.getElementById("pdf-frame");
  var images = document.getElementById("page-images");
  // On a phone an embedded PDF is too small to read: the page images open instead.
  var narrow = window.matchMedia && window.matchMedia("(max-width: 700px)").matches;
  if (frame && images && (navigator.pdfViewerEnabled === false || narrow)) {
    frame.hidden = true;
    images.classList.add("only-view");
    images.open = true;
  }
})();
