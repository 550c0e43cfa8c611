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
                    "action": action_label(&e.action), "entity": entity_label(&e.entity), "entity_id": e.entity_id, "client": e.client_addr, "hash": &e.hash[..12.min(e.hash.len())]})
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
