//! What a page says at its top after an action's redirect: `?done=…&at=…` names a
//! fixed text (a link cannot make a page say anything else) and the time it was done.

/// The message for `?done=…&at=…` (fixed texts only: a link cannot make a page say
/// anything else).
pub(crate) fn notice(query: &str) -> Option<String> {
    let mut what = None;
    let mut at = None;
    for (k, v) in form_urlencoded::parse(query.as_bytes()) {
        match k.as_ref() {
            "done" => what = Some(v.into_owned()),
            "at" => at = v.parse::<i64>().ok().and_then(|t| chrono::DateTime::from_timestamp(t, 0)),
            _ => {}
        }
    }
    let time = at.map(|t| t.with_timezone(&chrono::FixedOffset::east_opt(7 * 3600).expect("UTC+7")).format("%H:%M"));
    let time = time.map(|t| format!(" lúc {t}")).unwrap_or_default();
    let text = match what?.as_str() {
        "saved" | "draft" => format!("Đã lưu{time}."),
        "office_created" => format!("Đã thêm cơ quan{time}; hãy giao quản trị cho cơ quan này."),
        "submitted" => format!("Đã lưu và gửi Văn phòng{time}."),
        "contributed" => format!("Đã lưu ý kiến phối hợp{time}."),
        "task_saved" => format!("Đã lưu nhiệm vụ{time}."),
        "task_deleted" => format!("Đã xóa nhiệm vụ{time}."),
        "task_archived" => format!("Đã lưu trữ nhiệm vụ{time}; nhiệm vụ không còn tính vào số liệu và báo cáo."),
        "task_restored" => format!("Đã khôi phục nhiệm vụ{time}."),
        "change_requested" => format!("Đã gửi đề xuất{time}; người có thẩm quyền đã được báo qua thư."),
        "request_decided" => format!("Đã quyết định đề xuất{time}; đơn vị đã được báo qua thư."),
        "asked" => format!("Đã gửi{time}; đơn vị đã được báo qua thư."),
        "answered" => format!("Đã gửi trả lời{time}."),
        "urged" => format!("Đã đưa thư đôn đốc vào hàng gửi{time}; mỗi nhiệm vụ đã ghi “Đã đôn đốc”."),
        "urge_drafted" => format!("Đã soạn công văn đôn đốc{time}: kiểm tra, trình ký rồi ban hành."),
        "urge_drafted_many" => format!("Đã soạn các công văn đôn đốc{time}, mỗi đơn vị một công văn."),
        "rules_saved" => format!("Đã lưu quy tắc theo dõi hạn{time}."),
        "feed_revoked" => format!("Đã thu hồi địa chỉ lịch{time}."),
        "imported" => format!("Đã nhập nhiệm vụ từ bảng tính{time}."),
        "plan_copied" => {
            format!("Đã lập kế hoạch năm sau từ các nhiệm vụ của năm trước{time}; hãy xem lại hạn và chỉ tiêu.")
        }
        "task_created" => format!("Đã giao nhiệm vụ{time}."),
        "group_created" => format!("Đã thêm nhóm nhiệm vụ{time}."),
        "rubric_saved" => format!("Đã lưu thang điểm{time}."),
        "plan_created" => format!("Đã tạo kế hoạch{time}. Thêm nhóm nhiệm vụ rồi giao từng nhiệm vụ bên dưới."),
        "submit" | "document_submitted" => format!("Đã trình lãnh đạo ký{time}."),
        "saved_not_submitted" => {
            format!("Đã lưu{time} nhưng chưa trình ký: văn bản còn lỗi thể thức, xem mục “Kiểm tra thể thức” bên dưới.")
        }
        "approve" | "finalize" => format!("Đã ký duyệt{time}."),
        "send_back" => format!("Đã trả lại Văn phòng{time}."),
        "issue" => format!("Đã ban hành và đưa thư vào hàng gửi{time}."),
        "correction" => format!("Đã tạo bản đính chính{time}."),
        "accept" => format!("Đã chấp nhận kết quả{time}."),
        "return" => format!("Đã trả lại đơn vị{time}."),
        "reopen" => format!("Đã mở lại kết quả{time}."),
        "resent" => format!("Đã đưa thư vào hàng gửi lại{time}."),
        "key_retired" => format!("Đã thôi sử dụng khóa{time}."),
        "key_imported" => format!("Đã cài khóa ký số{time}."),
        "password_changed" => format!("Đã đổi mật khẩu{time}; các phiên đăng nhập khác đã kết thúc."),
        "unit_added" => format!("Đã thêm đơn vị{time}."),
        "unit_saved" => format!("Đã lưu đơn vị{time}."),
        "user_saved" => format!("Đã lưu người dùng{time}."),
        "email_changed" => format!("Đã đổi địa chỉ e-mail{time}."),
        "signature_saved" => format!("Đã lưu ảnh chữ ký{time}."),
        "seal_saved" => format!("Đã lưu ảnh con dấu{time}."),
        "units_added" => format!("Đã thêm các đơn vị{time}."),
        "unit_deactivated" => format!("Đã cho đơn vị ngừng hoạt động{time}; đơn vị vẫn còn trong mọi hồ sơ cũ."),
        "unit_reactivated" => format!("Đã cho đơn vị hoạt động lại{time}."),
        "user_deactivated" => format!("Đã khóa tài khoản{time}; mọi phiên đăng nhập của người này đã kết thúc."),
        "user_reactivated" => format!("Đã mở lại tài khoản{time}."),
        // The new office's mail: not in the outbox of the server administrator's own office.
        "admin_invited" => format!(
            "Đã đưa thư mời vào hàng gửi{time}: người được giao quản trị tự đặt mật khẩu qua liên kết trong thư."
        ),
        "invited" => format!(
            "Đã đưa thư mời vào hàng gửi{time} (xem “Thư đi”): người nhận tự đặt mật khẩu qua liên kết trong thư."
        ),
        _ => return None,
    };
    Some(text)
}
