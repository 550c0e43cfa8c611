//! What digital signatures add to approving and issuing the reference report:
//! the signer's signature on the rendered copy, and the agency's incremental
//! signature that fills in number and date and places the seal.
//! Run: `cargo bench --bench signing`.

// `criterion_main!` writes the `main` function, without a doc comment.
#![allow(missing_docs)]

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use criterion::{Criterion, criterion_group, criterion_main};
use nhiemvu::render::Renderer;
use nhiemvu::services::{demo, printing};
use nhiemvu::signing::appearance::Face;
use nhiemvu::signing::keys::{TrustStore, open_pkcs12};
use nhiemvu::signing::{Request, Stamp, Widget, sign, verify};
use nhiemvu::storage::Db;
use nhiemvu::storage::files::LocalFiles;

const PKI: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/pki");

fn request(field: &str, stamps: Vec<Stamp>, widget: Widget) -> Request {
    Request {
        field: field.into(),
        name: "Phùng Thị Thanh Nga".into(),
        reason: "Ký duyệt ban hành văn bản".into(),
        location: "Bắc Sơn".into(),
        time: Utc::now(),
        widget,
        stamps,
    }
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let db = rt.block_on(Db::connect("sqlite::memory:", 1, Duration::from_secs(5))).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn nhiemvu::storage::files::BlobStore> = Arc::new(LocalFiles::new(dir.path()).unwrap());
    let files = LocalFiles::new(dir.path()).unwrap();
    let loaded = rt.block_on(demo::load_reference_year(&db, &store)).unwrap();
    let renderer = Arc::new(Renderer::new(None, None).unwrap());
    let p = rt.block_on(printing::printable_for_signing(&db.conn, &files, loaded.document_id)).unwrap();
    let (pdf, marks) = renderer.render_marked(p.template, &p.data, &p.assets, p.date, &p.ident).unwrap();
    let read = |f: &str| std::fs::read(format!("{PKI}/{f}")).unwrap();
    let signer = open_pkcs12(&read("signer-aes.p12"), "nhiemvu-test").unwrap();
    let agency = open_pkcs12(&read("issuer.p12"), "nhiemvu-test").unwrap();
    let seal = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/seal.png")).unwrap();
    let stamps: Vec<Stamp> = marks
        .iter()
        .filter(|m| m.label.starts_with("slot-"))
        .map(|m| Stamp {
            page: m.page,
            x: m.x,
            baseline: m.y,
            width: 26.0,
            flush_right: false,
            size: 13.0,
            face: Face::Italic,
            text: "28".into(),
        })
        .collect();
    let bx = marks.iter().find(|m| m.label == "signature-box").unwrap();
    let seal_widget = Widget { page: bx.page, rect: Some([bx.x, bx.y, 96.0, 96.0]), image: Some(seal) };

    let mut group = c.benchmark_group("signing");
    group.sample_size(50);
    group.bench_function("signer_signature", |b| {
        b.iter(|| sign(&pdf, &request("NguoiKy", Vec::new(), Widget::default()), &signer, None).unwrap())
    });
    let signed = sign(&pdf, &request("NguoiKy", Vec::new(), Widget::default()), &signer, None).unwrap();
    group.bench_function("agency_signature_with_number_date_and_seal", |b| {
        b.iter(|| sign(&signed, &request("CoQuanBanHanh", stamps.clone(), seal_widget.clone()), &agency, None).unwrap())
    });
    let issued = sign(&signed, &request("CoQuanBanHanh", stamps.clone(), seal_widget.clone()), &agency, None).unwrap();
    let trust = TrustStore::load(Some(std::path::Path::new(PKI))).unwrap();
    group.bench_function("verify_two_signatures", |b| b.iter(|| verify(&issued, &trust)));
    // Files a unit officer could upload as evidence to make verification expensive.
    let hostile = [
        ("verify_hostile_dicts_0_4mb", b"1 0 obj << /ByteRange [0 1 2 3] >>\n".repeat(12_000)),
        ("verify_hostile_dicts_10mb", b"1 0 obj << /ByteRange [0 1 2 3] >>\n".repeat(300_000)),
        ("verify_hostile_bare_0_8mb", b"/ByteRange ".repeat(75_000)),
        ("verify_hostile_bare_10mb", b"/ByteRange ".repeat(950_000)),
        ("verify_hostile_nested_10mb", b"<< /A [1 2 3] /ByteRange ".repeat(400_000)),
        ("verify_hostile_open_strings_10mb", b"<< /ByteRange (".repeat(700_000)),
        ("verify_hostile_open_hex_10mb", b"<< /ByteRange <0".repeat(650_000)),
    ];
    group.sample_size(10);
    for (name, bytes) in &hostile {
        group.bench_function(*name, |b| b.iter(|| verify(bytes, &trust)));
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
