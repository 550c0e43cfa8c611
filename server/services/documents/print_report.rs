//! The printed year-end report: the results of the plan's tasks by group, next
//! year's proposals, and the appendices (commune-specific tasks, evidence).

use std::collections::HashMap;

use uuid::Uuid;

use crate::domain::ProposalSection;
use crate::domain::markdown::{self, Block, Inline};
use crate::domain::print::{
    Appendix, Frame, GroupView, ReportView, Section, TITLE_LINE, TaskView, cell, results_summary,
};
use crate::domain::typeset::balance;
use crate::error::Result;
use crate::services::json_list;
use crate::services::print_register::{Register, md, one_paragraph};
use crate::storage::{Conn, documents, evidence, issuers, plans, proposals, results, tasks};

const ROMAN: [&str; 10] = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"];

/// What a report is printed from: the document, its issuer, the plan with its
/// register, the legal bases, each typed section and the closing words.
pub(crate) struct Sources<'a> {
    /// The document.
    pub doc: &'a documents::Model,
    /// Its issuer.
    pub issuer: &'a issuers::Model,
    /// The plan it reports on.
    pub plan: Option<&'a plans::Model>,
    /// The plan's register.
    pub register: Option<&'a Register>,
    /// The "Căn cứ" lines.
    pub legal_bases: Vec<String>,
    /// A typed section by its key, as blocks.
    pub section: &'a (dyn Fn(&str) -> Vec<Block> + Sync),
    /// The closing paragraph.
    pub closing: &'a str,
}

/// The year-end report's view model.
pub(crate) async fn report_view(src: Sources<'_>, frame: Frame, c: &impl Conn) -> Result<ReportView> {
    let Sources { doc, issuer, plan, register: reg, legal_bases, section, closing } = src;
    let mut sections = Vec::new();
    let direction = section("direction");
    if !direction.is_empty() {
        sections.push(Section {
            heading: "I. CÔNG TÁC CHỈ ĐẠO ĐIỀU HÀNH".into(),
            intro: direction,
            groups: vec![],
            outro: vec![],
        });
    }
    let mut appendices = Vec::new();
    if let (Some(plan), Some(reg)) = (plan, reg) {
        let counts: Vec<(String, usize)> = reg
            .groups
            .iter()
            .map(|g| (g.summary_title.clone().unwrap_or_else(|| g.title.clone()), reg.tasks_of(g.id).count()))
            .collect();
        let summary = results_summary(plan.year, &issuer.full_name, &counts);
        let mut intro = vec![Block { marker: None, inlines: vec![Inline::Text(summary)] }];
        intro.extend(section("results_intro"));
        let groups = reg
            .groups
            .iter()
            .enumerate()
            .map(|(i, g)| GroupView {
                heading: format!("{}. {}", i + 1, g.title),
                note: None,
                tasks: reg.tasks_of(g.id).map(|t| task_view(t, reg.results.get(&t.id))).collect(),
                items: vec![],
            })
            .collect();
        // The evidence list is an appendix: say so where the results end, unless the office did.
        let evidence = evidence_appendix(c, issuer, reg, &frame.reference).await?;
        let mut outro = section("results_outro");
        if outro.is_empty() && evidence.is_some() {
            outro
                .push(Block {
                    marker: None, inlines: vec![Inline::Text("(Có danh mục minh chứng kèm theo).".into())]
                });
        }
        sections.push(Section { heading: number(&sections, "KẾT QUẢ THỰC HIỆN"), intro, groups, outro });

        let next = plan.year + 1;
        let mut groups = Vec::new();
        let typed_note = doc_section(doc, "commune_specific_note");
        for s in ProposalSection::ALL {
            let mine: Vec<&proposals::Model> = reg.proposals.iter().filter(|p| p.section == *s).collect();
            let is_specific = *s == ProposalSection::CommuneSpecific;
            // The detailed table is said to follow only when it does (or when the office wrote so).
            let specific_note =
                typed_note.clone().or_else(|| (!mine.is_empty()).then(|| "(Có biểu chi tiết kèm theo).".to_owned()));
            if mine.is_empty() && !(is_specific && specific_note.is_some()) {
                continue;
            }
            let heading = format!(
                "{}. {}",
                groups.len() + 1,
                s.heading(&issuer.short_name, issuer.subordinates_name.as_deref(), next)
            );
            if is_specific {
                // Commune-specific tasks go to the detailed table in the appendix.
                groups.push(GroupView { heading, note: specific_note.clone(), tasks: vec![], items: vec![] });
                if !mine.is_empty() {
                    appendices.push(specific_appendix(issuer, reg, &mine, next, &frame.reference));
                }
                continue;
            }
            let items = mine
                .iter()
                .enumerate()
                .map(|(n, p)| Block { marker: Some(format!("{}.", n + 1)), inlines: one_paragraph(&p.text) })
                .collect();
            groups.push(GroupView { heading, note: None, tasks: vec![], items });
        }
        let intro = section("proposals_intro");
        if !groups.is_empty() || !intro.is_empty() {
            sections.push(Section {
                heading: number(&sections, &format!("ĐỀ XUẤT NHIỆM VỤ NĂM {next}")),
                intro,
                groups,
                outro: vec![],
            });
        }
        if let Some(a) = evidence {
            appendices.push(a);
        }
    }
    let several = appendices.len() > 1;
    for (i, a) in appendices.iter_mut().enumerate() {
        a.label = if several { format!("Phụ lục {}", ROMAN.get(i).unwrap_or(&"")) } else { "Phụ lục".into() };
    }
    let opening = match (doc.opening.as_deref().filter(|o| !o.trim().is_empty()), plan) {
        (Some(o), _) => md(Some(o)),
        (None, Some(p)) => md(Some(&default_opening(issuer, p))),
        (None, None) => Vec::new(),
    };
    Ok(ReportView {
        frame,
        type_name: "BÁO CÁO".into(),
        subject_lines: balance(&doc.subject, TITLE_LINE),
        subject: doc.subject.clone(),
        legal_bases,
        opening,
        sections,
        closing: md(Some(closing)),
        appendices,
    })
}

fn doc_section(doc: &documents::Model, key: &str) -> Option<String> {
    doc.sections.get(key).and_then(|v| v.as_str()).map(str::to_owned).filter(|s| !s.trim().is_empty())
}

/// "II. KẾT QUẢ THỰC HIỆN": the next Roman numeral after the sections so far.
fn number(sections: &[Section], title: &str) -> String {
    format!("{}. {title}", ROMAN.get(sections.len()).unwrap_or(&""))
}

fn task_view(t: &tasks::Model, result: Option<&results::Model>) -> TaskView {
    let narrative = result.map(|r| markdown::parse(&r.narrative)).unwrap_or_default();
    let score_line = result.and_then(|r| r.self_score).map(|s| format!("+ Điểm tự chấm: {s} điểm."));
    let rating = result.and_then(|r| r.rating_override.clone().or_else(|| r.proposed_rating.clone()));
    let mut heading = vec![Inline::Text(format!("{}. ", t.code))];
    heading.extend(one_paragraph(&t.text));
    TaskView {
        heading,
        narrative,
        score_line,
        rating_line: rating.map(|r| format!("+ Xếp loại mức độ hoàn thành: {r}.")),
    }
}

fn specific_appendix(
    issuer: &issuers::Model,
    reg: &Register,
    items: &[&proposals::Model],
    year: i32,
    reference: &str,
) -> Appendix {
    let subs = issuer.subordinates_name.clone().unwrap_or_else(|| "các xã".into());
    Appendix {
        label: String::new(),
        title: format!("Biểu chi tiết các nhiệm vụ riêng của {subs} năm {year}"),
        caption: format!("(Kèm theo {reference} của {})", issuer_with_place(issuer)),
        landscape: false,
        columns: vec!["STT".into(), "Đơn vị, địa bàn".into(), "Nhiệm vụ".into()],
        widths: vec![1, 4, 12],
        rows: items
            .iter()
            .enumerate()
            .map(|(i, p)| {
                // A village or a school is named as text; the unit it belongs to, if any, after it.
                let unit = reg.unit_name(p.unit_id);
                let place = match (p.place.as_deref().map(str::trim).filter(|s| !s.is_empty()), unit.is_empty()) {
                    (Some(place), true) => place.to_owned(),
                    (Some(place), false) => format!("{place} ({unit})"),
                    (None, _) => unit,
                };
                vec![cell((i + 1).to_string()), cell(place), one_paragraph(&p.text)]
            })
            .collect(),
    }
}

/// "Ủy ban nhân dân xã Tân Hương": the name used in sentences with the place after it.
pub(crate) fn issuer_with_place(issuer: &issuers::Model) -> String {
    // The level and the place stay on one line ("huyện Bắc Sơn", "xã Tân Hương"),
    // whether the name already ends with its place or not.
    let name = crate::domain::format::body_name(&issuer.full_name, &issuer.place_name);
    let place = issuer.place_name.trim();
    let words = place.split_whitespace().count();
    if place.is_empty() {
        return name;
    }
    let mut parts: Vec<&str> = name.split(' ').collect();
    // The place's words and the level word before them are joined by no-break spaces.
    let keep = (words + 1).min(parts.len());
    let tail = parts.split_off(parts.len() - keep).join("\u{a0}");
    if parts.is_empty() { tail } else { format!("{} {tail}", parts.join(" ")) }
}

async fn evidence_appendix(
    c: &impl Conn,
    issuer: &issuers::Model,
    reg: &Register,
    reference: &str,
) -> Result<Option<Appendix>> {
    let ids: Vec<Uuid> = reg.tasks.iter().map(|t| t.id).collect();
    let files = evidence::of_tasks_as_uploaded(c, ids).await?;
    if files.is_empty() {
        return Ok(None);
    }
    let code: HashMap<Uuid, &str> = reg.tasks.iter().map(|t| (t.id, t.code.as_str())).collect();
    let mut files = files;
    files.sort_by_key(|f| reg.tasks.iter().position(|t| t.id == f.task_id));
    Ok(Some(Appendix {
        label: String::new(),
        title: "Danh mục minh chứng".into(),
        caption: format!("(Kèm theo {reference} của {})", issuer_with_place(issuer)),
        landscape: false,
        columns: vec!["STT".into(), "Nhiệm vụ".into(), "Tệp".into(), "SHA-256".into()],
        widths: vec![1, 2, 5, 8],
        rows: files
            .iter()
            .enumerate()
            .map(|(i, f)| {
                vec![
                    cell((i + 1).to_string()),
                    cell(code.get(&f.task_id).unwrap_or(&"").to_string()),
                    cell(f.file_name.clone()),
                    // In groups of 16, so the 64 hex digits can wrap inside their cell.
                    cell(
                        f.sha256
                            .as_bytes()
                            .chunks(16)
                            .map(|c| String::from_utf8_lossy(c).into_owned())
                            .collect::<Vec<_>>()
                            .join(" "),
                    ),
                ]
            })
            .collect(),
    }))
}

/// The opening of a report when none is typed: from the plan's basis.
fn default_opening(issuer: &issuers::Model, plan: &plans::Model) -> String {
    let bases: Vec<String> = json_list::<String>(&plan.based_on)
        .into_iter()
        .map(|b| b.trim().trim_end_matches([';', '.']).to_owned())
        .filter(|b| !b.is_empty())
        .collect();
    let who = issuer.full_name.trim();
    let what =
        format!("báo cáo tình hình, kết quả thực hiện các nhiệm vụ trọng tâm năm {}, cụ thể như sau:", plan.year);
    if bases.is_empty() {
        let mut chars = who.chars();
        let capital: String = chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default();
        format!("{capital} {what}")
    } else {
        format!("Thực hiện {}, {who} {what}", bases.join("; "))
    }
}
