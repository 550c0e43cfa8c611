//! Digital signatures end to end: the signer's at approval, the agency's at issue,
//! checked with poppler's `pdfsig` and with our own verifier; keys that fail stop
//! before anything is frozen; the prepare → external signature → finalize flow.

use std::path::Path;

use base64::Engine as _;
use nhiemvu::services::signatures::{ISSUER_REASON, SIGNER_REASON, Signing};
use nhiemvu::signing::keys::{KeyStore, TrustStore};
use sea_orm::EntityTrait;
use serde_json::{Value, json};

use crate::helpers::{People, TestApp, spawn_app_with};
use crate::poppler;

pub(crate) const PKI: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/pki");
pub(crate) const PASS: &str = "nhiemvu-test";

/// Keys, passphrase files and the trust store in a temporary folder.
pub(crate) struct Keys {
    pub dir: tempfile::TempDir,
}

impl Keys {
    pub fn new() -> Keys {
        let dir = tempfile::tempdir().unwrap();
        for sub in ["keys/signers", "keys/issuers", "secrets/signers", "secrets/issuers", "trust"] {
            std::fs::create_dir_all(dir.path().join(sub)).unwrap();
        }
        std::fs::copy(Path::new(PKI).join("root-ca.pem"), dir.path().join("trust/root-ca.pem")).unwrap();
        Keys { dir }
    }

    pub fn signing(&self) -> Signing {
        Signing {
            enabled: true,
            keys: KeyStore {
                keys_dir: self.dir.path().join("keys"),
                passphrase_dir: Some(self.dir.path().join("secrets")),
            },
            trust: TrustStore::load(Some(&self.dir.path().join("trust"))).unwrap(),
            kek: None,
            tsa: None,
            session_minutes: 30,
            images_required: false,
            allow_untrusted: false,
            match_names: true,
        }
    }

    /// Installs fixture `p12` as the key of `folder/name` with `pass`.
    pub fn install(&self, folder: &str, name: &str, p12: &str, pass: &str) {
        std::fs::copy(Path::new(PKI).join(p12), self.dir.path().join(format!("keys/{folder}/{name}.p12"))).unwrap();
        std::fs::write(self.dir.path().join(format!("secrets/{folder}/{name}.pass")), format!("{pass}\n")).unwrap();
    }
}

pub async fn username(app: &TestApp, id: uuid::Uuid) -> String {
    nhiemvu::storage::entities::users::Entity::find_by_id(id).one(&app.db.conn).await.unwrap().unwrap().username
}

async fn issuer_code(app: &TestApp, p: &People) -> String {
    app.as_admin().get(&format!("/api/v1/issuers/{}", p.issuer)).await.expect(200)["code"].as_str().unwrap().to_owned()
}

/// A submitted report with the signer's signature image and the issuer's seal on file.
pub(crate) async fn submitted_report(app: &TestApp, p: &People) -> String {
    app.as_admin()
        .put_bytes(
            &format!("/api/v1/users/{}/signature-image", p.ids["signer"]),
            include_bytes!("../fixtures/signature.png").to_vec(),
        )
        .await
        .expect(204);
    app.put_bytes(&format!("/api/v1/issuers/{}/seal-image", p.issuer), include_bytes!("../fixtures/seal.png").to_vec())
        .await
        .expect(204);
    let body = json!({"issuer_id": p.issuer, "plan_id": p.plan, "kind": "report",
        "subject": "Báo cáo kết quả thực hiện nhiệm vụ trọng tâm năm 2024",
        "signer_collective": "ỦY BAN NHÂN DÂN", "signer_position": "CHỦ TỊCH", "signer_name": "Phùng Thị Thanh Nga",
        "signer_user_id": p.ids["signer"], "recipients": [{"label": "TT. Đảng ủy"}, {"label": "Lưu: VT"}]});
    let id = app.act_as(p.token("office")).post("/api/v1/documents", body).await.expect(201)["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.post(&format!("/api/v1/documents/{id}/submit"), json!({})).await.expect(200);
    id
}

/// `pdfsig`'s report, or `None` (with the reason printed) when poppler is absent.
fn pdfsig(pdf: &[u8]) -> Option<String> {
    if std::process::Command::new("pdfsig").arg("-v").output().is_err() {
        crate::helpers::skip("`pdfsig` (poppler-utils); tests/run.sh installs it");
        return None;
    }
    let mut f = tempfile::NamedTempFile::new().unwrap();
    std::io::Write::write_all(&mut f, pdf).unwrap();
    let out = std::process::Command::new("pdfsig").arg(f.path()).output().unwrap();
    // pdfsig exits 0 even for a broken signature: the text is what counts.
    Some(format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
}

/// `pdf` rewritten by qpdf with object streams and a cross-reference stream, or `None`
/// (with the reason printed) when qpdf is absent.
fn with_object_streams(pdf: &[u8]) -> Option<Vec<u8>> {
    if std::process::Command::new("qpdf").arg("--version").output().is_err() {
        crate::helpers::skip("`qpdf`; tests/run.sh installs it");
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    let (input, output) = (dir.path().join("in.pdf"), dir.path().join("out.pdf"));
    std::fs::write(&input, pdf).unwrap();
    let status = std::process::Command::new("qpdf")
        .args(["--object-streams=generate", "--compress-streams=y"])
        .arg(&input)
        .arg(&output)
        .status()
        .unwrap();
    assert!(status.success(), "qpdf rewrote the file");
    Some(std::fs::read(output).unwrap())
}

async fn pdf_of(app: &TestApp, id: &str) -> Vec<u8> {
    let (status, _, pdf) = app.get_bytes(&format!("/api/v1/documents/{id}/pdf")).await;
    assert_eq!(status, 200);
    pdf
}

fn save(name: &str, pdf: &[u8]) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/test-artifacts");
    let _ = std::fs::create_dir_all(&dir).and_then(|_| std::fs::write(dir.join(name), pdf));
}

#[tokio::test]
async fn an_issued_document_carries_the_signers_and_the_agencys_signatures_and_both_verify() {
    let keys = Keys::new();
    let app = spawn_app_with(keys.signing()).await;
    let p = app.demo_people().await;
    keys.install("signers", &username(&app, p.ids["signer"]).await, "signer-aes.p12", PASS);
    keys.install("issuers", &issuer_code(&app, &p).await, "issuer.p12", PASS);
    // Evidence on file: the report gets an appendix whose caption repeats the number and date.
    let task = app.as_admin().get(&format!("/api/v1/tasks?plan_id={}&per_page=1", p.plan)).await.expect(200)["items"]
        [0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let plain = app.upload(&task, "Quyết định.pdf", b"%PDF-1.4 quyet dinh".to_vec(), None).await.expect(201);
    assert_eq!(plain["signatures"], json!([]), "an unsigned PDF has no signatures: {plain}");
    let id = submitted_report(&app, &p).await;

    // Approval: the signer's signature on the copy with blank number and date.
    let approved =
        app.act_as(p.token("signer")).post(&format!("/api/v1/documents/{id}/approve"), json!({})).await.expect(200);
    assert_eq!(approved["state"], "approved");
    assert!(approved["signed_pdf_sha256"].is_string());
    let sigs = app.get(&format!("/api/v1/documents/{id}/signatures")).await.expect(200);
    assert_eq!(sigs.as_array().unwrap().len(), 1, "{sigs}");
    assert_eq!(sigs[0]["signer"], "Phùng Thị Thanh Nga");
    assert_eq!((sigs[0]["intact"].as_bool(), sigs[0]["covers_whole_file"].as_bool()), (Some(true), Some(true)));
    let signed_copy = pdf_of(&app, &id).await;
    if let Some(text) = poppler::run("pdftotext", &["-layout", "-enc", "UTF-8"], &signed_copy) {
        assert!(!text.contains("Số: 0"), "no number before issue:\n{}", &text[..600.min(text.len())]);
    }

    // Issue: number, date and seal added under the agency's signature.
    let issued =
        app.act_as(p.token("office")).post(&format!("/api/v1/documents/{id}/issue"), json!({})).await.expect(200);
    let issued_at: chrono::DateTime<chrono::Utc> = issued["issued_at"].as_str().unwrap().parse().unwrap();
    let pdf = pdf_of(&app, &id).await;
    save("report-signed.pdf", &pdf);
    assert!(pdf.starts_with(&signed_copy), "the agency's signature is an incremental update of the signed copy");

    let sigs = app.get(&format!("/api/v1/documents/{id}/signatures")).await.expect(200);
    let sigs = sigs.as_array().unwrap();
    assert_eq!(sigs.len(), 2, "{sigs:?}");
    assert_eq!(sigs[0]["reason"], SIGNER_REASON);
    assert_eq!(sigs[1]["reason"], ISSUER_REASON);
    assert_eq!(sigs[1]["signer"], "Ủy ban nhân dân huyện Bắc Sơn");
    assert_eq!(sigs[1]["issuer"], "nhiemvu Test Root CA");
    for s in sigs {
        assert_eq!((s["intact"].as_bool(), s["trusted"].as_bool()), (Some(true), Some(true)), "{s}");
    }
    assert_eq!(
        (sigs[0]["covers_whole_file"].as_bool(), sigs[1]["covers_whole_file"].as_bool()),
        (Some(false), Some(true))
    );
    let vn = chrono::FixedOffset::east_opt(7 * 3600).unwrap();
    let signed_at: chrono::DateTime<chrono::FixedOffset> = sigs[1]["signing_time"].as_str().unwrap().parse().unwrap();
    assert!((signed_at.with_timezone(&chrono::Utc) - issued_at).num_seconds().abs() <= 1, "{signed_at} vs {issued_at}");
    assert!(sigs[1]["signing_time"].as_str().unwrap().ends_with("+07:00"));

    // The number and date the agency filled in read as part of the lines they belong to.
    let number = issued["number"].as_i64().unwrap();
    let date = issued_at.with_timezone(&vn).date_naive();
    if let Some(text) = poppler::run("pdftotext", &["-layout", "-enc", "UTF-8"], &pdf) {
        let folded = poppler::normalise(&text);
        assert!(folded.contains(&format!("Số: {number:02}/BC-UBND")), "number line:\n{}", &text[..800.min(text.len())]);
        let day = format!(
            "ngày {} tháng {}",
            nhiemvu::domain::format::two_digits(chrono::Datelike::day(&date)),
            nhiemvu::domain::format::month(chrono::Datelike::month(&date))
        );
        assert!(folded.contains(&day), "date line ({day}):\n{}", &text[..800.min(text.len())]);
        let caption = format!(
            "(Kèm theo Báo cáo số {number:02}/BC-UBND ngày {} của Ủy ban nhân dân huyện Bắc Sơn)",
            date.format("%d/%m/%Y")
        );
        assert!(folded.contains(&caption), "{caption} in the appendix:\n{folded}");
    }

    // poppler agrees: two valid signatures, a real signing time, the whole file covered by the last.
    if let Some(out) = pdfsig(&pdf) {
        assert_eq!(out.matches("Signature is Valid").count(), 2, "{out}");
        assert!(!out.contains("1970"), "{out}");
        assert!(out.contains("Total document signed"), "{out}");
        assert!(out.contains("Phùng Thị Thanh Nga"), "{out}");
    }

    // One byte changed inside the signed range: both verifiers say so.
    let mut tampered = pdf.clone();
    let at = tampered.windows(6).position(|w| w == b"stream").unwrap() + 20;
    tampered[at] ^= 0x01;
    if let Some(out) = pdfsig(&tampered) {
        assert!(out.contains("Digest Mismatch") || out.contains("Signature is Invalid"), "{out}");
        assert_eq!(out.matches("Signature is Valid").count(), 0, "{out}");
    }
    let reports = nhiemvu::signing::verify(&tampered, &TrustStore::default());
    assert_eq!(reports.len(), 2);
    assert!(reports.iter().all(|r| !r.intact && r.problem.is_some()), "{reports:?}");

    // `nhiemvu verify` on the file: exit 0 on the issued PDF, 1 on the tampered one.
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes, ok) in [("ok.pdf", &pdf, true), ("bad.pdf", &tampered, false)] {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_nhiemvu"))
            .arg("verify")
            .arg(&path)
            .env("APP__SIGNING__TRUST_DIR", keys.dir.path().join("trust"))
            .env("APP__DATABASE__URL", "sqlite::memory:")
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.success(), ok, "{text}{}", String::from_utf8_lossy(&out.stderr));
        assert!(text.contains("Phùng Thị Thanh Nga") && text.contains(ISSUER_REASON), "{text}");
    }

    // The signed PDF as evidence of next year's task (this year is closed now): the
    // evidence list shows its signatures.
    let (_, group) = app.as_admin().plan_with_group(&p.issuer, 2025).await;
    let task = app.task(&group, "1.1", Some(&p.tckh), "2025-06-30").await;
    let ev = app.upload(&task, "bao-cao-da-ky.pdf", pdf.clone(), None).await.expect(201);
    assert_eq!(ev["signatures"].as_array().map(Vec::len), Some(2), "{ev}");
    let listed = app.get(&format!("/api/v1/tasks/{task}/evidence")).await.expect(200);
    let item = listed.as_array().unwrap().iter().find(|e| e["id"] == ev["id"]).unwrap().clone();
    assert_eq!(item["signatures"][1]["reason"], ISSUER_REASON);
}

#[tokio::test]
async fn a_wrong_passphrase_a_missing_key_or_an_expired_certificate_is_a_clear_error_and_nothing_is_frozen() {
    let keys = Keys::new();
    let app = spawn_app_with(keys.signing()).await;
    let p = app.demo_people().await;
    let signer = username(&app, p.ids["signer"]).await;
    let code = issuer_code(&app, &p).await;
    let id = submitted_report(&app, &p).await;
    let approve = format!("/api/v1/documents/{id}/approve");

    let e =
        app.act_as(p.token("signer")).post(&approve, json!({})).await.expect_error(409, "signing_key_missing", None);
    assert!(e["message"].as_str().unwrap().contains(&signer), "{e}");
    keys.install("signers", &signer, "signer-legacy.p12", "not the passphrase");
    let e = app.post(&approve, json!({})).await.expect_error(409, "signing_key_unreadable", None);
    assert!(!e["message"].as_str().unwrap().contains("not the passphrase"), "the passphrase never shows: {e}");
    let doc = app.get(&format!("/api/v1/documents/{id}")).await.expect(200);
    assert_eq!((doc["state"].as_str(), doc["signed_pdf_sha256"].as_str()), (Some("submitted"), None));
    keys.install("signers", &signer, "expired.p12", PASS);
    app.post(&approve, json!({})).await.expect_error(409, "certificate_expired", None);
    // A key whose certificate no trusted authority issued is not used.
    keys.install("signers", &signer, "untrusted.p12", PASS);
    let e = app.post(&approve, json!({})).await.expect_error(409, "certificate_untrusted", None);
    assert!(e["message"].as_str().unwrap().contains("Ký ngoài"), "{e}");
    // A trusted certificate of someone else: the body's key installed as the chairman's.
    keys.install("signers", &signer, "issuer.p12", PASS);
    let e = app.post(&approve, json!({})).await.expect_error(409, "certificate_not_holders", None);
    assert!(e["message"].as_str().unwrap().contains("Phùng Thị Thanh Nga"), "names whose it should be: {e}");
    // Each language's half speaks its own language only.
    let (vi, en) = e["message"].as_str().unwrap().split_once(" / the certificate").expect("two halves");
    assert!(vi.contains("không phải của người ký Phùng Thị Thanh Nga (") && !vi.contains("signer"), "{vi}");
    assert!(en.contains("does not belong to signer Phùng Thị Thanh Nga (") && !en.contains("người ký"), "{en}");

    // A legacy (3DES) PKCS#12 loads.
    keys.install("signers", &signer, "signer-legacy.p12", PASS);
    app.post(&approve, json!({})).await.expect(200);

    // The agency's certificate has expired: the document stays approved, no number is used.
    keys.install("issuers", &code, "expired.p12", PASS);
    let issue = format!("/api/v1/documents/{id}/issue");
    let e = app.act_as(p.token("office")).post(&issue, json!({})).await.expect_error(409, "certificate_expired", None);
    assert!(e["message"].as_str().unwrap().contains("2001-01-01T07:00:00+07:00"), "{e}");
    let doc = app.get(&format!("/api/v1/documents/{id}")).await.expect(200);
    assert_eq!(
        (doc["state"].as_str(), doc["number"].as_i64(), doc["pdf_sha256"].as_str()),
        (Some("approved"), None, None)
    );
    assert!(app.files.get(&format!("documents/{id}.pdf")).is_err(), "no issued PDF stored");
    keys.install("issuers", &code, "untrusted.p12", PASS);
    app.post(&issue, json!({})).await.expect_error(409, "certificate_untrusted", None);
    // The chairman's own certificate is not the body's.
    keys.install("issuers", &code, "signer-aes.p12", PASS);
    let e = app.post(&issue, json!({})).await.expect_error(409, "certificate_not_holders", None);
    assert!(e["message"].as_str().unwrap().contains("HUYỆN BẮC SƠN"), "{e}");

    keys.install("issuers", &code, "issuer.p12", PASS);
    let issued = app.post(&issue, json!({})).await.expect(200);
    assert_eq!(issued["number"].as_i64(), Some(1), "the failed attempt used no number");
}

#[tokio::test]
async fn a_remote_signer_signs_the_prepared_digest_and_finalize_embeds_it() {
    let keys = Keys::new();
    let app = spawn_app_with(keys.signing()).await;
    let p = app.demo_people().await;
    keys.install("issuers", &issuer_code(&app, &p).await, "issuer.p12", PASS);
    let id = submitted_report(&app, &p).await;
    // The signer's key is on a token, not on the server.
    app.act_as(p.token("signer")).post(&format!("/api/v1/documents/{id}/approve"), json!({})).await.expect_error(
        409,
        "signing_key_missing",
        None,
    );
    app.act_as(p.token("office")).post(&format!("/api/v1/documents/{id}/signing/prepare"), json!({})).await.expect(403);

    let prep = app.act_as(p.token("signer")).post(&format!("/api/v1/documents/{id}/signing/prepare"), json!({})).await;
    let prep = prep.expect(200);
    assert_eq!(prep["digest_algorithm"], "SHA-256");
    let digest = hex::decode(prep["digest_hex"].as_str().unwrap()).unwrap();

    // The external party: a software key standing in for the token.
    let p12 = std::fs::read(Path::new(PKI).join("signer-aes.p12")).unwrap();
    let token = nhiemvu::signing::keys::open_pkcs12(&p12, PASS).expect("token key");
    let b64 = |der: Vec<u8>| base64::engine::general_purpose::STANDARD.encode(der);
    let finalize = format!("/api/v1/documents/{id}/signing/finalize");

    // A signature over some other digest is refused, and nothing changes.
    let wrong = nhiemvu::signing::cms::sign(&[7u8; 32], &token.key, &token.chain, chrono::Utc::now()).unwrap();
    let body = json!({"session_id": prep["session_id"], "signature": b64(wrong)});
    app.post(&finalize, body).await.expect_error(422, "validation_failed", Some("signature"));
    let body = json!({"session_id": prep["session_id"], "signature": "not base64!"});
    app.post(&finalize, body).await.expect_error(422, "validation_failed", Some("signature"));

    // A certificate nobody trusts (self-signed) is refused, naming it, and nothing changes.
    let p12 = std::fs::read(Path::new(PKI).join("untrusted.p12")).unwrap();
    let stranger = nhiemvu::signing::keys::open_pkcs12(&p12, PASS).expect("untrusted key");
    let cms = nhiemvu::signing::cms::sign(&digest, &stranger.key, &stranger.chain, chrono::Utc::now()).unwrap();
    let refused = app.post(&finalize, json!({"session_id": prep["session_id"], "signature": b64(cms)})).await;
    let refused = refused.expect_error(409, "certificate_untrusted", None);
    assert!(refused["message"].as_str().unwrap().contains("Ký ngoài"), "{refused}");
    let doc: Value = app.get(&format!("/api/v1/documents/{id}")).await.expect(200);
    assert_eq!(doc["state"], "submitted", "an untrusted signature approves nothing");
    let sigs: Value = app.get(&format!("/api/v1/documents/{id}/signatures")).await.expect(200);
    assert_eq!(sigs.as_array().map(Vec::len), Some(0), "no signed copy was stored: {sigs}");

    let cms = nhiemvu::signing::cms::sign(&digest, &token.key, &token.chain, chrono::Utc::now()).unwrap();
    let approved =
        app.post(&finalize, json!({"session_id": prep["session_id"], "signature": b64(cms)})).await.expect(200);
    assert_eq!(approved["state"], "approved");
    let sigs: Value = app.get(&format!("/api/v1/documents/{id}/signatures")).await.expect(200);
    assert_eq!(sigs[0]["signer"], "Phùng Thị Thanh Nga");
    assert_eq!((sigs[0]["intact"].as_bool(), sigs[0]["trusted"].as_bool()), (Some(true), Some(true)));

    app.act_as(p.token("office")).post(&format!("/api/v1/documents/{id}/issue"), json!({})).await.expect(200);
    let pdf = pdf_of(&app, &id).await;
    if let Some(out) = pdfsig(&pdf) {
        assert_eq!(out.matches("Signature is Valid").count(), 2, "{out}");
    }
}

#[tokio::test]
async fn a_separately_attached_file_gets_the_agencys_signature_with_number_and_time_at_the_top_right() {
    let keys = Keys::new();
    keys.install("issuers", "bac-son", "issuer.p12", PASS);
    keys.install("issuers", "het-han", "expired.p12", PASS);
    let app = spawn_app_with(keys.signing()).await;
    let (_, _, report) = app.load_demo().await;
    let attachment = pdf_of(&app, &report).await;
    let dir = tempfile::tempdir().unwrap();
    let (input, output) = (dir.path().join("phu-luc.pdf"), dir.path().join("phu-luc-da-ky.pdf"));
    std::fs::write(&input, &attachment).unwrap();
    let run = |issuer: &str| run_sign_attachment(&keys, issuer, "280/BC-UBND", &input, &output);
    let expired = run("het-han");
    assert!(!expired.status.success());
    assert!(String::from_utf8_lossy(&expired.stderr).contains("hết hạn"), "{expired:?}");
    assert!(!output.exists(), "nothing written with an expired certificate");

    let ok = run("bac-son");
    assert!(ok.status.success(), "{ok:?}");
    let signed = std::fs::read(&output).unwrap();
    let reports = nhiemvu::signing::verify(&signed, &keys.signing().trust);
    assert_eq!(reports.len(), 1);
    assert!(reports[0].intact && reports[0].covers_whole_file && reports[0].trusted, "{reports:?}");
    if let Some(out) = pdfsig(&signed) {
        assert!(out.contains("Signature is Valid") && out.contains("Total document signed"), "{out}");
    }
    // "280/BC-UBND 2026-…T…+07:00" in 10 pt, flush with the right margin (15 mm) at the top of page 1.
    if let Some(pages) = poppler::layout(&signed) {
        let page = &pages[0];
        let words: Vec<&poppler::Word> = page.lines.iter().flatten().collect();
        let time = words.iter().find(|w| w.text.ends_with("+07:00")).expect("the signing time is printed");
        let number = words.iter().find(|w| w.text == "280/BC-UBND").expect("the number is printed");
        let right = page.width - 15.0 * 72.0 / 25.4;
        assert!((time.x_max - right).abs() < 2.0, "flush right: {} vs {right}", time.x_max);
        assert!(time.y_max < 20.0 * 72.0 / 25.4, "in the top margin: {}", time.y_max);
        assert!(number.x_max < time.x_min && (number.y_max - time.y_max).abs() < 1.0, "one line");
        let height = time.y_max - time.y_min;
        assert!((8.0..13.0).contains(&height), "10 pt text: {height}");
        assert_eq!(
            reports[0].signing_time.as_deref(),
            Some(time.text.as_str()),
            "the printed time is the signing time"
        );
    }
}

/// Runs `nhiemvu sign-attachment` on `input` as `issuer`, writing `output`.
fn run_sign_attachment(
    keys: &Keys,
    issuer: &str,
    reference: &str,
    input: &Path,
    output: &Path,
) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_nhiemvu"))
        .args(["sign-attachment", "--issuer", issuer, "--reference", reference, "--location", "Bắc Sơn"])
        .arg(input)
        .arg("-o")
        .arg(output)
        .env("APP__SIGNING__KEYS_DIR", keys.dir.path().join("keys"))
        .env("APP__SIGNING__PASSPHRASE_DIR", keys.dir.path().join("secrets"))
        .env("APP__SIGNING__TRUST_DIR", keys.dir.path().join("trust"))
        .env("APP__DATABASE__URL", "sqlite::memory:")
        .output()
        .unwrap()
}

/// Signs `pdf` with `nhiemvu sign-attachment` as issuer `bac-son`; the signed bytes.
fn sign_attachment_cli(keys: &Keys, pdf: &[u8], reference: &str) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let (input, output) = (dir.path().join("in.pdf"), dir.path().join("out.pdf"));
    std::fs::write(&input, pdf).unwrap();
    let out = run_sign_attachment(keys, "bac-son", reference, &input, &output);
    assert!(out.status.success(), "{out:?}");
    std::fs::read(output).unwrap()
}

#[tokio::test]
async fn files_made_by_libreoffice_and_by_qpdf_with_object_streams_are_signed_and_verified() {
    let keys = Keys::new();
    keys.install("issuers", "bac-son", "issuer.p12", PASS);
    let app = spawn_app_with(keys.signing()).await;
    let (_, _, report) = app.load_demo().await;
    let mut made = vec![(
        "LibreOffice Writer",
        std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/libreoffice/phu-luc.pdf")).unwrap(),
    )];
    if let Some(pdf) = with_object_streams(&pdf_of(&app, &report).await) {
        made.push(("qpdf --object-streams=generate", pdf));
    }
    let trust = keys.signing().trust;
    let p12 = std::fs::read(Path::new(PKI).join("signer-aes.p12")).unwrap();
    let signer = nhiemvu::signing::keys::open_pkcs12(&p12, PASS).unwrap();
    for (maker, pdf) in made {
        let text = String::from_utf8_lossy(&pdf);
        if maker.starts_with("qpdf") {
            assert!(text.contains("/ObjStm") && text.contains("/XRef"), "object and cross-reference streams");
        } else {
            // "/Producer (LibreOffice 7.4)" in UTF-16.
            assert!(text.contains("<FEFF004C0069006200720065004F0066006600690063006500"), "made by LibreOffice");
        }
        // The signer's signature, then the agency's on top of that first update.
        let request = nhiemvu::signing::Request {
            field: "NguoiKy".into(),
            name: "Phùng Thị Thanh Nga".into(),
            reason: "Ký duyệt".into(),
            location: "Bắc Sơn".into(),
            time: chrono::Utc::now(),
            widget: nhiemvu::signing::Widget::default(),
            stamps: Vec::new(),
        };
        let once = nhiemvu::signing::sign(&pdf, &request, &signer, None).unwrap_or_else(|e| panic!("{maker}: {e}"));
        let twice = sign_attachment_cli(&keys, &once, "13/BC-UBND");
        save(&format!("{}.pdf", maker.split_whitespace().next().unwrap()), &twice);
        let reports = nhiemvu::signing::verify(&twice, &trust);
        assert_eq!(reports.len(), 2, "{maker}: {reports:?}");
        assert!(reports.iter().all(|r| r.intact && r.trusted), "{maker}: {reports:?}");
        assert!(!reports[0].covers_whole_file && reports[1].covers_whole_file, "{maker}: {reports:?}");
        if let Some(out) = pdfsig(&twice) {
            assert_eq!(out.matches("Signature is Valid").count(), 2, "{maker}: {out}");
        }
        if let Some(pages) = poppler::layout(&twice) {
            let words: Vec<&str> = pages[0].lines.iter().flatten().map(|w| w.text.as_str()).collect();
            assert!(words.contains(&"13/BC-UBND"), "{maker}: the number is printed: {words:?}");
        }
    }
}

/// Runs `tests/support/external_signer.sh` against `url` with the signer's test key;
/// `None` (with the reason printed) when curl or openssl is absent.
fn external_signer(url: &str) -> Option<std::process::Output> {
    for tool in ["curl", "openssl"] {
        if std::process::Command::new(tool).arg("--version").output().is_err() {
            crate::helpers::skip(&format!("`{tool}`; tests/run.sh installs it"));
            return None;
        }
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/external_signer.sh");
    Some(
        std::process::Command::new("bash")
            .arg(script)
            .arg(url)
            .arg(Path::new(PKI).join("signer-aes.p12"))
            .arg(PASS)
            .output()
            .unwrap(),
    )
}

#[test]
fn a_token_tool_signs_through_the_one_time_hand_off_urls_without_anyone_copying_text() {
    use crate::process::{Served, bearer};
    let dir = tempfile::tempdir().unwrap();
    let served = Served::start_in(dir.path(), &["--demo"], &[]);
    let (office, chairman) = (bearer(&served, "vanphong"), bearer(&served, "chutich"));
    let (_, docs) = served.call("GET", "/api/v1/documents?kind=report", &office, None).unwrap();
    let id = docs["items"][0]["id"].as_str().unwrap().to_owned();
    let (status, doc) = served.call("POST", &format!("/api/v1/documents/{id}/submit"), &office, None).unwrap();
    assert_eq!(status, 200, "{doc}");
    let (status, prep) =
        served.call("POST", &format!("/api/v1/documents/{id}/signing/prepare"), &chairman, None).unwrap();
    assert_eq!(status, 200, "{prep}");
    let url = format!("http://127.0.0.1:{}{}", served.port, prep["handoff_url"].as_str().unwrap());

    let Some(out) = external_signer(&url) else { return };
    let said = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{said}");
    assert!(said.contains("signing for Phùng Thị Thanh Nga"), "the tool is told whose signature: {said}");
    let approved: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(approved["state"], "approved", "{approved}");

    // The link worked once: a second tool (or a thief) gets nothing.
    let again = external_signer(&url).unwrap();
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stdout).contains("signing_handoff_gone"), "{again:?}");

    let (status, issued) = served.call("POST", &format!("/api/v1/documents/{id}/issue"), &office, None).unwrap();
    assert_eq!(status, 200, "{issued}");
    let (_, sigs) = served.call("GET", &format!("/api/v1/documents/{id}/signatures"), &office, None).unwrap();
    let sigs = sigs.as_array().unwrap();
    assert_eq!(sigs.len(), 2, "{sigs:?}");
    assert!(sigs.iter().all(|s| s["intact"] == true && s["trusted"] == true), "{sigs:?}");
    assert_eq!(sigs[0]["signer"], "Phùng Thị Thanh Nga");
    let (_, audit) =
        served.call("GET", &format!("/api/v1/audit?entity_id={id}"), &bearer(&served, "admin"), None).unwrap();
    assert!(audit.to_string().contains("fetch_signature_handoff"), "the hand-off is audited: {audit}");
}

/// A key-encryption key for the tests (32 bytes, hex).
const KEK: &str = "0f1e2d3c4b5a69788796a5b4c3d2e1f00112233445566778899aabbccddeeff0";

/// `pdfsig`'s report with the test root trusted (an NSS database made with
/// `certutil`), or `None` (with the reason printed) when a tool is absent.
fn pdfsig_trusting_test_root(pdf: &[u8]) -> Option<String> {
    if std::process::Command::new("certutil").arg("-H").output().is_err() {
        crate::helpers::skip("`certutil` (libnss3-tools); tests/run.sh installs it");
        return None;
    }
    pdfsig(b"")?;
    let dir = tempfile::tempdir().unwrap();
    let nss = format!("sql:{}", dir.path().display());
    let run = |args: &[&str]| {
        let out = std::process::Command::new("certutil").args(args).output().unwrap();
        assert!(out.status.success(), "certutil {args:?}: {out:?}");
    };
    run(&["-N", "-d", &nss, "--empty-password"]);
    let root = Path::new(PKI).join("root-ca.pem");
    run(&["-A", "-d", &nss, "-n", "nhiemvu test root", "-t", "CT,C,C", "-i", root.to_str().unwrap()]);
    let file = dir.path().join("signed.pdf");
    std::fs::write(&file, pdf).unwrap();
    let out = std::process::Command::new("pdfsig").arg("-nssdir").arg(&nss).arg(&file).output().unwrap();
    Some(format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
}

fn p12_json(file: &str, pass: &str) -> Value {
    let bytes = std::fs::read(Path::new(PKI).join(file)).unwrap();
    json!({"pkcs12_base64": base64::engine::general_purpose::STANDARD.encode(bytes), "passphrase": pass})
}

/// Runs `nhiemvu keys …` against the test's database with the test's trust store
/// and key-encryption key.
fn keys_cli(app: &TestApp, keys: &Keys, args: &[&str], pass: &str) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_nhiemvu"))
        .arg("keys")
        .args(args)
        .env("APP__DATABASE__URL", &app.url)
        .env("APP__SIGNING__TRUST_DIR", keys.dir.path().join("trust"))
        .env("NHIEMVU_KEK", KEK)
        .env("NHIEMVU_P12_PASS", pass)
        .output()
        .unwrap()
}

#[tokio::test]
async fn a_new_office_installs_its_keys_through_the_api_and_the_cli_and_issues_a_document_pdfsig_trusts() {
    let keys = Keys::new();
    let kek = nhiemvu::signing::keys::Kek::parse(KEK);
    let app = spawn_app_with(Signing { kek, ..keys.signing() }).await;
    // A new commune, its chairman and its office, all through the API.
    let issuer = app
        .post(
            "/api/v1/issuers",
            json!({"code": "xa-hoa-binh", "name_lines": ["ỦY BAN NHÂN DÂN", "XÃ HÒA BÌNH"], "abbreviation": "UBND",
                "place_name": "Hòa Bình", "full_name": "Ủy ban nhân dân xã", "short_name": "UBND xã",
                "head_title": "CHỦ TỊCH"}),
        )
        .await
        .expect(201)["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let issuer_id: uuid::Uuid = issuer.parse().unwrap();
    app.administer(&issuer).await;
    let chairman = app
        .post(
            "/api/v1/users",
            json!({"issuer_id": issuer, "username": "an.nv", "name": "Nguyễn Văn An",
                "email": "an.nv@hoabinh.example.vn", "role": "signer"}),
        )
        .await
        .expect(201)["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (office_id, office) = app.user(issuer_id, "office", None).await;
    let signer_token = {
        use nhiemvu::storage::audit::Actor;
        let actor = Actor {
            user_id: Some(chairman.parse().unwrap()),
            client_addr: None,
            seen_rev: None,
            role: Some(nhiemvu::domain::Role::Signer),
            issuer_id: Some(issuer_id),
            unit_id: None,
            server_admin: false,
        };
        nhiemvu::services::auth::create_token(&app.db, &actor, nhiemvu::services::now(), "tests").await.unwrap().token
    };
    let audit_count = |app: &TestApp| {
        let db = app.db.conn.clone();
        async move {
            use sea_orm::{EntityTrait, PaginatorTrait};
            nhiemvu::storage::entities::audit_events::Entity::find().count(&db).await.unwrap()
        }
    };

    // Refused at import, with nothing stored: untrusted, another body's, wrong passphrase,
    // a non-signer, and only administrators may import.
    let before = audit_count(&app).await;
    let issuer_keys = format!("/api/v1/issuers/{issuer}/signing-keys");
    let refused = app.post(&issuer_keys, p12_json("untrusted.p12", PASS)).await;
    let body = refused.expect_error(409, "certificate_untrusted", None);
    assert!(body["message"].as_str().unwrap().contains("Ký ngoài"), "names the certificate: {body}");
    let body =
        app.post(&issuer_keys, p12_json("issuer.p12", PASS)).await.expect_error(409, "certificate_not_holders", None);
    assert!(body["message"].as_str().unwrap().contains("Ủy ban nhân dân huyện Bắc Sơn"), "{body}");
    app.post(&issuer_keys, p12_json("xa-issuer.p12", "sai mật khẩu")).await.expect_error(
        422,
        "validation_failed",
        Some("pkcs12_base64"),
    );
    app.post(&format!("/api/v1/users/{office_id}/signing-keys"), p12_json("xa-signer.p12", PASS)).await.expect_error(
        409,
        "not_a_signer",
        None,
    );
    app.act_as(&office).post(&issuer_keys, p12_json("xa-issuer.p12", PASS)).await.expect(403);
    app.as_admin();
    assert_eq!(app.get("/api/v1/signing-keys?all=true").await.expect(200), json!([]));
    assert_eq!(audit_count(&app).await, before, "a refused import records nothing");

    // A document cannot be approved before the chairman has a key: nothing is frozen.
    let doc = app
        .act_as(&office)
        .post(
            "/api/v1/documents",
            json!({"issuer_id": issuer, "kind": "letter", "subject": "Về việc chuẩn bị hội nghị tổng kết năm 2026",
                "signer_position": "CHỦ TỊCH", "signer_name": "Nguyễn Văn An", "signer_user_id": chairman,
                "recipients": [{"label": "Như trên"}, {"label": "Lưu: VT"}]}),
        )
        .await
        .expect(201)["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.post(&format!("/api/v1/documents/{doc}/submit"), json!({})).await.expect(200);
    app.act_as(&signer_token).post(&format!("/api/v1/documents/{doc}/approve"), json!({})).await.expect_error(
        409,
        "signing_key_missing",
        None,
    );

    // The body's key through the API, the chairman's through the CLI.
    let installed = app.as_admin().post(&issuer_keys, p12_json("xa-issuer.p12", PASS)).await.expect(201);
    assert_eq!(installed["subject"], "Ủy ban nhân dân xã Hòa Bình");
    assert_eq!(installed["issued_by"], "nhiemvu Test Root CA");
    assert_eq!(
        (installed["active"].as_bool(), installed["fingerprint"].as_str().map(str::len)),
        (Some(true), Some(64))
    );
    assert!(installed.get("sealed").is_none() && installed.get("passphrase").is_none(), "{installed}");
    let wrong = keys_cli(&app, &keys, &["import", "--signer", "an.nv", &format!("{PKI}/signer-aes.p12")], PASS);
    assert!(!wrong.status.success(), "another person's certificate is refused: {wrong:?}");
    assert!(String::from_utf8_lossy(&wrong.stderr).contains("Phùng Thị Thanh Nga"), "{wrong:?}");
    let out = keys_cli(&app, &keys, &["import", "--signer", "an.nv", &format!("{PKI}/xa-signer.p12")], PASS);
    assert!(out.status.success(), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("Nguyễn Văn An"), "{out:?}");
    let listed = app.get("/api/v1/signing-keys").await.expect(200);
    let holders: Vec<&str> = listed.as_array().unwrap().iter().map(|k| k["subject"].as_str().unwrap()).collect();
    assert_eq!(holders, ["Nguyễn Văn An", "Ủy ban nhân dân xã Hòa Bình"], "{listed}");
    let listed_cli = keys_cli(&app, &keys, &["list"], "");
    assert!(String::from_utf8_lossy(&listed_cli.stdout).contains("Nguyễn Văn An"), "{listed_cli:?}");

    // Approve and issue with the imported keys: two signatures pdfsig trusts.
    app.act_as(&signer_token).post(&format!("/api/v1/documents/{doc}/approve"), json!({})).await.expect(200);
    app.act_as(&office).post(&format!("/api/v1/documents/{doc}/issue"), json!({})).await.expect(200);
    let sigs = app.get(&format!("/api/v1/documents/{doc}/signatures")).await.expect(200);
    let signers: Vec<(&str, bool)> = sigs
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["signer"].as_str().unwrap(), s["intact"].as_bool().unwrap() && s["trusted"].as_bool().unwrap()))
        .collect();
    assert_eq!(signers, [("Nguyễn Văn An", true), ("Ủy ban nhân dân xã Hòa Bình", true)], "{sigs}");
    let pdf = pdf_of(&app, &doc).await;
    save("new-office-signed.pdf", &pdf);
    if let Some(text) = pdfsig_trusting_test_root(&pdf) {
        assert_eq!(text.matches("Signature is Valid.").count(), 2, "{text}");
        assert_eq!(text.matches("Certificate is Trusted.").count(), 2, "{text}");
        assert!(text.contains("Nguyễn Văn An") && text.contains("Ủy ban nhân dân xã Hòa Bình"), "{text}");
    }

    // `sign-attachment` signs with the body's imported key (no file anywhere).
    let dir = tempfile::tempdir().unwrap();
    let (input, output) = (dir.path().join("in.pdf"), dir.path().join("out.pdf"));
    std::fs::copy(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/libreoffice/phu-luc.pdf"), &input)
        .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_nhiemvu"))
        .args(["sign-attachment", "--issuer", "xa-hoa-binh", "--reference", "15/TB-UBND", "--location", "Hòa Bình"])
        .arg(&input)
        .arg("-o")
        .arg(&output)
        .env("APP__DATABASE__URL", &app.url)
        .env("APP__SIGNING__TRUST_DIR", keys.dir.path().join("trust"))
        .env("NHIEMVU_KEK", KEK)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let attached = nhiemvu::signing::verify(&std::fs::read(&output).unwrap(), &keys.signing().trust);
    assert_eq!(
        attached.last().map(|r| (r.signer.as_str(), r.intact, r.trusted)),
        Some(("Ủy ban nhân dân xã Hòa Bình", true, true))
    );

    // Replacing a key retires the old one; a retired key signs nothing.
    let again = app.as_admin().post(&issuer_keys, p12_json("xa-issuer.p12", PASS)).await.expect(201);
    let all = app.get("/api/v1/signing-keys?all=true").await.expect(200);
    let first = all.as_array().unwrap().iter().find(|k| k["id"] == installed["id"]).unwrap();
    assert_eq!(first["active"], false, "{all}");
    app.post(&format!("/api/v1/signing-keys/{}/retire", again["id"].as_str().unwrap()), json!({})).await.expect(200);
    app.post(&format!("/api/v1/signing-keys/{}/retire", again["id"].as_str().unwrap()), json!({})).await.expect_error(
        409,
        "signing_key_retired",
        None,
    );
    let audit = app.get("/api/v1/audit?entity=signing_keys&per_page=100").await.expect(200);
    let actions: Vec<&str> = audit["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions.iter().filter(|a| **a == "import_signing_key").count(), 3, "{audit}");
    assert_eq!(actions.iter().filter(|a| **a == "retire_signing_key").count(), 2, "{audit}");
    assert!(!audit.to_string().contains("sealed"), "the sealed key is not in the audit log");
}

/// `tests/support/tsa.py` running: a local RFC 3161 authority with the test TSA key.
struct LocalTsa {
    child: std::process::Child,
    url: String,
}

impl LocalTsa {
    /// Started, or `None` (with the reason printed) when python3 or openssl is absent.
    fn start() -> Option<LocalTsa> {
        for tool in ["python3", "openssl"] {
            if std::process::Command::new(tool).arg("--version").output().is_err() {
                crate::helpers::skip(&format!("`{tool}`; tests/run.sh installs it"));
                return None;
            }
        }
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/tsa.py");
        let mut child = std::process::Command::new("python3")
            .arg(script)
            .arg(PKI)
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        std::io::BufRead::read_line(&mut std::io::BufReader::new(child.stdout.take().unwrap()), &mut line).unwrap();
        let port = line.trim().strip_prefix("ready ").expect("the TSA says it is ready").to_owned();
        Some(LocalTsa { child, url: format!("http://127.0.0.1:{port}/tsa") })
    }
}

impl Drop for LocalTsa {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test]
async fn with_a_timestamp_authority_both_signatures_carry_its_timestamp_and_without_an_answer_nothing_is_signed() {
    use nhiemvu::signing::tsa::Tsa;
    let Some(local) = LocalTsa::start() else { return };
    let keys = Keys::new();
    let tsa = Tsa { url: local.url.clone(), timeout: std::time::Duration::from_secs(20) };
    let app = spawn_app_with(Signing { tsa: Some(tsa), ..keys.signing() }).await;
    let p = app.demo_people().await;
    keys.install("signers", &username(&app, p.ids["signer"]).await, "signer-aes.p12", PASS);
    keys.install("issuers", &issuer_code(&app, &p).await, "issuer.p12", PASS);
    let id = submitted_report(&app, &p).await;
    let before = chrono::Utc::now() - chrono::Duration::seconds(2);
    app.act_as(p.token("signer")).post(&format!("/api/v1/documents/{id}/approve"), json!({})).await.expect(200);
    app.act_as(p.token("office")).post(&format!("/api/v1/documents/{id}/issue"), json!({})).await.expect(200);
    let after = chrono::Utc::now() + chrono::Duration::seconds(2);
    let sigs = app.get(&format!("/api/v1/documents/{id}/signatures")).await.expect(200);
    let sigs = sigs.as_array().unwrap();
    assert_eq!(sigs.len(), 2, "{sigs:?}");
    for s in sigs {
        assert_eq!((s["intact"].as_bool(), s["trusted"].as_bool()), (Some(true), Some(true)), "{s}");
        assert_eq!(s["timestamp_authority"], "nhiemvu Test TSA", "{s}");
        let at: chrono::DateTime<chrono::Utc> = s["timestamp"].as_str().expect("a timestamp").parse().unwrap();
        assert!(before <= at && at <= after, "stamped while signing: {at}");
    }
    let pdf = pdf_of(&app, &id).await;
    save("report-timestamped.pdf", &pdf);
    if let Some(text) = pdfsig(&pdf) {
        assert_eq!(text.matches("Signature is Valid.").count(), 2, "a timestamp leaves the signatures valid: {text}");
    }
    // openssl agrees: the agency's token stamps its signature and chains to the test root.
    let at = pdf.windows(11).rposition(|w| w == b"/Contents <").unwrap() + 11;
    let end = at + pdf[at..].iter().position(|b| *b == b'>').unwrap();
    let cms = hex::decode(&pdf[at..end]).unwrap();
    let token = nhiemvu::signing::cms::timestamp_token(&cms).expect("the agency's signature carries a token");
    let imprint =
        hex::encode(<sha2::Sha256 as sha2::Digest>::digest(nhiemvu::signing::cms::signature_value(&cms).unwrap()));
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("token.der"), &token).unwrap();
    let out = std::process::Command::new("openssl")
        .args(["ts", "-verify", "-token_in", "-digest", &imprint, "-in"])
        .arg(dir.path().join("token.der"))
        .arg("-CAfile")
        .arg(Path::new(PKI).join("root-ca.pem"))
        .arg("-untrusted")
        .arg(Path::new(PKI).join("tsa.crt.pem"))
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("Verification: OK"), "{out:?}");
    // The command line shows it too.
    std::fs::write(dir.path().join("signed.pdf"), &pdf).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_nhiemvu"))
        .arg("verify")
        .arg(dir.path().join("signed.pdf"))
        .env("APP__SIGNING__TRUST_DIR", keys.dir.path().join("trust"))
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success() && said.matches("nhiemvu Test TSA").count() == 2, "{said}");

    // An authority that does not answer stops the approval: nothing is signed or stored.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/tsa", closed.local_addr().unwrap());
    drop(closed);
    let down = Tsa { url, timeout: std::time::Duration::from_secs(5) };
    let app = spawn_app_with(Signing { tsa: Some(down), ..keys.signing() }).await;
    let p = app.demo_people().await;
    keys.install("signers", &username(&app, p.ids["signer"]).await, "signer-aes.p12", PASS);
    let id = submitted_report(&app, &p).await;
    let refused = app.act_as(p.token("signer")).post(&format!("/api/v1/documents/{id}/approve"), json!({})).await;
    let body = refused.expect_error(409, "timestamp_unavailable", None);
    assert!(body["message"].as_str().unwrap().starts_with("Không lấy được dấu thời gian"), "{body}");
    let doc = app.get(&format!("/api/v1/documents/{id}")).await.expect(200);
    assert_eq!(doc["state"], "submitted");
    assert!(doc.get("signed_pdf_sha256").is_none_or(Value::is_null), "{doc}");
}
