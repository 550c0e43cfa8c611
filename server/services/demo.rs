//! Loads the reference year (config/demo/bac-son-2024.toml) through the same
//! services the API uses, so the demo data obeys every rule real data does.
//!
//! The reference data (`config/demo/*.toml`) is compiled in; a failed load removes its
//! issuer.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::NaiveDate;
use serde::Deserialize;
use uuid::Uuid;

use super::{documents, groups, issuers, now, plans, proposals, results, targets, tasks, units, users};
use crate::error::{AppError, Result};
use crate::model::{
    DocumentInput, GroupInput, IssuerInput, PlanInput, ProposalInput, Recipient, ResultInput, TargetInput, TaskInput,
    UnitInput, UserInput,
};
use crate::storage::Db;
use crate::storage::audit::Actor;
use crate::storage::files::BlobStore;

/// The reference year, compiled in so the binary can load it from anywhere.
pub const REFERENCE_YEAR: &str = include_str!("../../config/demo/bac-son-2024.toml");

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoFile {
    demo_password: Option<String>,
    issuer: IssuerInput,
    units: Vec<DemoUnit>,
    users: Vec<DemoUser>,
    plan: DemoPlan,
    groups: Vec<DemoGroup>,
    proposals: Vec<DemoProposal>,
    document: DemoDocument,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoUnit {
    short_name: String,
    name: String,
    kind: String,
    #[serde(default)]
    emails: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoUser {
    username: String,
    name: String,
    email: String,
    role: String,
    unit: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoPlan {
    year: i32,
    title: String,
    based_on: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoGroup {
    title: String,
    summary_title: Option<String>,
    tasks: Vec<DemoTask>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoTask {
    code: String,
    text: String,
    lead: Option<String>,
    #[serde(default)]
    cooperating: Vec<String>,
    deadline: Option<NaiveDate>,
    self_score: Option<i32>,
    state: Option<String>,
    narrative: String,
    #[serde(default)]
    targets: Vec<DemoTarget>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoTarget {
    description: String,
    measure_unit: Option<String>,
    goal_value: Option<f64>,
    baseline_value: Option<f64>,
    actual_value: Option<f64>,
    forecast_value: Option<f64>,
    as_of: Option<NaiveDate>,
    status: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoProposal {
    section: String,
    text: String,
    unit: Option<String>,
    place: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoDocument {
    kind: String,
    subject: String,
    dated_on: Option<NaiveDate>,
    legal_bases: Vec<String>,
    opening: Option<String>,
    closing: Option<String>,
    signer_collective: Option<String>,
    #[serde(default)]
    signer_authority: crate::model::SignerAuthority,
    signer_head_title: Option<String>,
    signer_position: Option<String>,
    signer_name: String,
    signer_username: Option<String>,
    #[serde(default)]
    sections: crate::model::DocumentSections,
    #[serde(default)]
    recipients: Vec<Recipient>,
}

/// What was loaded.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The issuer.
    pub issuer_id: Uuid,
    /// The year's plan.
    pub plan_id: Uuid,
    /// The year-end report.
    pub document_id: Uuid,
    /// False when the issuer was already there and nothing was loaded.
    pub created: bool,
    /// The demo users' login names.
    pub usernames: Vec<String>,
    /// Their password (demo data only).
    pub password: Option<String>,
}

/// The demo's sample seal and signature (config/demo/images: drawn for the demo,
/// "không có giá trị pháp lý" on their face), so its issued PDF shows where they go.
const SAMPLE_SEAL: &[u8] = include_bytes!("../../config/demo/images/seal-sample.png");
const SAMPLE_SIGNATURE: &[u8] = include_bytes!("../../config/demo/images/signature-sample.png");

/// Loads the reference year unless its issuer already exists. A failure part-way
/// removes what was loaded, so the database never holds half a year.
pub async fn load_reference_year(db: &Db, files: &Arc<dyn BlobStore>) -> Result<Loaded> {
    load_year(db, files, REFERENCE_YEAR).await
}

/// Loads a year from the demo file format (see config/demo/bac-son-2024.toml).
pub async fn load_year(db: &Db, files: &Arc<dyn BlobStore>, toml_text: &str) -> Result<Loaded> {
    let file: DemoFile = toml::from_str(toml_text).map_err(|e| AppError::Internal(format!("demo file: {e}")))?;
    if let Some(existing) = crate::storage::issuers::by_code(&db.conn, &file.issuer.code).await? {
        return existing_year(db, existing.id, file.plan.year).await;
    }
    let actor = Actor::system();
    let issuer = issuers::create_issuer(db, &actor, now(), file.issuer.clone()).await?;
    match load_rest(db, files, &actor, issuer.id, file).await {
        Ok(loaded) => Ok(loaded),
        Err(e) => {
            if let Err(cleanup) = issuers::delete_issuer(db, &actor, now(), issuer.id).await {
                tracing::error!(error = %cleanup, "could not remove a half-loaded demo year");
            }
            Err(e)
        }
    }
}

async fn existing_year(db: &Db, issuer_id: Uuid, year: i32) -> Result<Loaded> {
    use crate::storage::{documents as d, plans as p};
    let plan = p::of_issuer_year(&db.conn, issuer_id, year).await?;
    let plan_id = plan.map(|p| p.id).ok_or_else(|| AppError::Internal("demo issuer exists without its plan".into()))?;
    let doc = d::any_of_plan(&db.conn, plan_id).await?;
    let document_id =
        doc.map(|d| d.id).ok_or_else(|| AppError::Internal("demo plan exists without its report".into()))?;
    Ok(Loaded { issuer_id, plan_id, document_id, created: false, usernames: vec![], password: None })
}

async fn load_rest(
    db: &Db,
    files: &Arc<dyn BlobStore>,
    actor: &Actor,
    issuer_id: Uuid,
    file: DemoFile,
) -> Result<Loaded> {
    super::images::set_seal_image(db, files, actor, now(), issuer_id, SAMPLE_SEAL.to_vec()).await?;
    let mut unit_ids: HashMap<String, Uuid> = HashMap::new();
    for u in file.units {
        let unit = units::create_unit(
            db,
            actor,
            now(),
            UnitInput {
                issuer_id,
                name: u.name,
                short_name: u.short_name.clone(),
                kind: u.kind.into(),
                emails: u.emails,
            },
        )
        .await?;
        unit_ids.insert(u.short_name, unit.id);
    }
    let unit = |name: &str| {
        unit_ids
            .get(name)
            .copied()
            .ok_or_else(|| AppError::Internal(format!("demo file names an unknown unit {name:?}")))
    };
    let mut user_ids: HashMap<String, Uuid> = HashMap::new();
    for u in file.users {
        let unit_id = u.unit.as_deref().map(unit).transpose()?;
        let user = users::create_user(
            db,
            actor,
            now(),
            UserInput {
                issuer_id,
                username: u.username.clone(),
                name: u.name,
                email: u.email,
                unit_id,
                role: u.role.into(),
            },
        )
        .await?;
        if let Some(pw) = &file.demo_password {
            super::auth::set_password(db, actor, now(), user.id, pw, None).await?;
        }
        if user.data.role == "signer" {
            super::images::set_signature_image(db, files, actor, now(), user.id, SAMPLE_SIGNATURE.to_vec()).await?;
        }
        user_ids.insert(u.username, user.id);
    }
    let plan = plans::create_plan(
        db,
        actor,
        now(),
        PlanInput {
            issuer_id,
            year: file.plan.year,
            title: file.plan.title,
            based_on: file.plan.based_on,
            rubric_id: None,
            reminder_policy: None,
        },
    )
    .await?;
    for g in file.groups {
        let group = groups::create_group(
            db,
            actor,
            now(),
            GroupInput { plan_id: plan.id, position: None, title: g.title, summary_title: g.summary_title },
        )
        .await?;
        for t in g.tasks {
            let input = TaskInput {
                group_id: group.id,
                code: t.code,
                position: None,
                text: t.text,
                lead_unit_id: t.lead.as_deref().map(unit).transpose()?,
                cooperating_unit_ids: t.cooperating.iter().map(|c| unit(c)).collect::<Result<_>>()?,
                deadline: t.deadline.map(Into::into),
                set_targets: None,
            };
            let task = tasks::create_task(db, actor, now(), input).await?;
            for x in t.targets {
                let input = TargetInput {
                    task_id: task.id,
                    position: None,
                    description: x.description,
                    measure_unit: x.measure_unit,
                    goal_value: x.goal_value,
                    baseline_value: x.baseline_value,
                    actual_value: x.actual_value,
                    forecast_value: x.forecast_value,
                    as_of: x.as_of.map(Into::into),
                    status: x.status.map(Into::into),
                };
                targets::create_target(db, actor, now(), input).await?;
            }
            let narrative = t.narrative.trim().to_owned();
            let input = ResultInput {
                task_id: task.id,
                narrative,
                self_score: t.self_score,
                rating_override: None,
                override_reason: None,
                state: t.state.map(Into::into),
            };
            results::create_result(db, actor, now(), input).await?;
        }
    }
    for p in file.proposals {
        let unit_id = p.unit.as_deref().map(unit).transpose()?;
        proposals::create_proposal(
            db,
            actor,
            now(),
            ProposalInput {
                plan_id: plan.id,
                section: p.section.into(),
                position: None,
                text: p.text,
                unit_id,
                place: p.place,
            },
        )
        .await?;
    }
    let d = file.document;
    let signer_user_id = d.signer_username.as_deref().and_then(|u| user_ids.get(u).copied());
    let input = DocumentInput {
        issuer_id,
        plan_id: Some(plan.id),
        kind: d.kind.into(),
        subject: d.subject,
        legal_bases: d.legal_bases,
        opening: d.opening,
        sections: d.sections,
        closing: d.closing,
        recipients: d.recipients,
        signer_collective: d.signer_collective,
        signer_authority: d.signer_authority,
        signer_head_title: d.signer_head_title,
        signer_position: d.signer_position,
        signer_name: d.signer_name,
        signer_user_id,
        drafting_unit: None,
        dated_on: d.dated_on.map(Into::into),
    };
    let doc = documents::create_document(db, actor, now(), input).await?;
    let mut usernames: Vec<String> = user_ids.into_keys().collect();
    usernames.sort();
    Ok(Loaded {
        issuer_id,
        plan_id: plan.id,
        document_id: doc.id,
        created: true,
        usernames,
        password: file.demo_password,
    })
}
