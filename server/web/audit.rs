//! The administrators' audit log: newest first, each action and kind of record in
//! words, who did it by name.

use std::collections::HashMap;

use poem::http::StatusCode;
use poem::web::Data;
use poem::{Request, Response, handler};
use serde_json::{Value, json};
use uuid::Uuid;

use super::{respond, session};
use crate::model::Paging;
use crate::services::audit_log;
use crate::state::AppState;

#[handler]
pub(crate) async fn audit(state: Data<&AppState>, req: &Request) -> Response {
    let c = session!(state, req);
    let r = async {
        let page = audit_log::list_audit(
            &c.state.db,
            &c.actor,
            audit_log::AuditFilter::default(),
            Paging { page: 1, per_page: 200 },
        )
        .await?;
        // Who did it, by name: the few people behind a page of events, read once each.
        let mut name_of: HashMap<Uuid, String> = HashMap::new();
        for id in page.items.iter().filter_map(|e| e.actor_id) {
            if let std::collections::hash_map::Entry::Vacant(slot) = name_of.entry(id)
                && let Ok(u) = crate::services::users::get_user(&c.state.db, &c.actor, id).await
            {
                slot.insert(format!("{} ({})", u.data.name, u.data.username));
            }
        }
        // Newest first, as the log is read.
        let events: Vec<Value> = page
            .items
            .iter()
            .map(|e| {
                let actor = e.actor_id.map(|a| name_of.get(&a).cloned().unwrap_or_else(|| a.to_string()));
                json!({"seq": e.seq, "at": super::documents::vn_time(e.at), "actor": actor,
                    "action": action_label(&e.action), "entity": entity_label(&e.entity), "record": record_name(e), "entity_id": e.entity_id,
                    "short_id": e.entity_id.map(|i| i.simple().to_string()[..8].to_owned()), "client": e.client_addr, "hash": &e.hash[..12.min(e.hash.len())]})
            })
            .collect();
        Ok(c.page("audit.html", StatusCode::OK, json!({"events": events, "total": page.total})))
    }
    .await;
    respond(&c, r)
}

/// An audit action as the log page names it.
fn action_label(code: &str) -> &'static str {
    match code {
        "create" => "Tạo mới",
        "update" => "Sửa",
        "delete" => "Xóa",
        "submit" => "Gửi / trình",
        "accept" => "Chấp nhận",
        "return" => "Trả lại đơn vị",
        "reopen" => "Mở lại",
        "approve" => "Ký duyệt",
        "send_back" => "Trả lại Văn phòng",
        "issue" => "Ban hành",
        "correct" => "Đính chính",
        "archive" => "Lưu trữ",
        "restore" => "Khôi phục",
        "replace" => "Thay thế",
        "carry_forward" => "Chuyển sang năm sau",
        "copy_forward" => "Sao chép sang năm sau",
        "prepare_signature" => "Chuẩn bị ký số",
        "finalize" => "Hoàn tất ký số",
        "upload" => "Tải lên",
        "resend" => "Gửi lại thư",
        "set_password" | "password" => "Đổi mật khẩu",
        "set_signature_image" => "Cập nhật ảnh chữ ký",
        "set_seal_image" => "Cập nhật ảnh con dấu",
        "login" => "Đăng nhập",
        "login_failed" => "Đăng nhập sai",
        "logout" => "Đăng xuất",
        "token" => "Tạo mã truy cập API",
        "end_sessions" => "Kết thúc các phiên đăng nhập",
        "invite" => "Gửi thư mời",
        "deactivate" => "Khóa / ngừng hoạt động",
        "reactivate" => "Mở lại / hoạt động lại",
        "mail_test" => "Gửi thư thử",
        "reset_requested" => "Yêu cầu đặt lại mật khẩu",
        "import_signing_key" => "Cài khóa ký số",
        "retire_signing_key" => "Thôi dùng khóa ký số",
        "create_token" => "Tạo mã truy cập API",
        "revoke" | "revoke_token" => "Thu hồi mã truy cập API",
        "import" => "Nhập từ bảng tính",
        "fetch_signature_handoff" => "Công cụ ký lấy văn bản để ký",
        _ => "Thao tác khác",
    }
}

/// The record an event is about, as a person names it, from what the event itself
/// stored (a task's code, a document's subject, a person's name…); `None` when it
/// stored nothing to go by.
fn record_name(e: &crate::model::AuditEvent) -> Option<String> {
    let snapshot = e.after.as_ref().or(e.before.as_ref())?;
    // Some events store [record, co-operating units].
    let record = if snapshot.is_array() { snapshot.get(0)? } else { snapshot };
    let field = |k: &str| record.get(k).and_then(Value::as_str).map(str::to_owned);
    let name = match e.entity.as_str() {
        "tasks" | "task" => field("code").map(|c| format!("nhiệm vụ {c}")),
        "documents" => field("subject"),
        "users" | "user" => field("name").or_else(|| field("username")),
        "units" => field("short_name").or_else(|| field("name")),
        "plans" | "task_groups" => field("title"),
        "evidence" => field("file_name"),
        "issuers" => field("short_name").or_else(|| field("full_name")),
        "rubrics" => field("name"),
        "targets" => field("description"),
        _ => None,
    }?;
    Some(name.chars().take(80).collect())
}

/// A kind of record as the log page names it.
fn entity_label(code: &str) -> &'static str {
    match code {
        "plans" => "Kế hoạch",
        "task_groups" => "Nhóm nhiệm vụ",
        "tasks" | "task" => "Nhiệm vụ",
        "targets" => "Chỉ tiêu",
        "results" => "Kết quả",
        "contributions" => "Ý kiến phối hợp",
        "evidence" => "Minh chứng",
        "documents" => "Văn bản",
        "proposals" => "Đề xuất",
        "issuers" => "Cơ quan",
        "units" => "Đơn vị",
        "users" | "user" => "Người dùng",
        "sessions" => "Phiên đăng nhập",
        "rubrics" => "Bộ tiêu chí",
        "outbox" => "Thư đi",
        "signing_keys" => "Khóa ký số",
        _ => "Bản ghi khác",
    }
}
