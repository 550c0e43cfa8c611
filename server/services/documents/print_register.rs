//! A plan's register as the printed documents read it: its groups, tasks, results,
//! units, co-operators, proposals and targets, loaded once; and the text helpers
//! the views share.

use std::collections::HashMap;

use uuid::Uuid;

use crate::domain::markdown::{self, Block, Inline};
use crate::error::Result;
use crate::storage::{Conn, plans, proposals, results, targets, task_cooperators, task_groups, tasks, units};

pub(crate) fn md(text: Option<&str>) -> Vec<Block> {
    text.map(markdown::parse).unwrap_or_default()
}

/// All blocks of a text as one paragraph's inlines (a proposal is one numbered item).
pub(crate) fn one_paragraph(text: &str) -> Vec<Inline> {
    let mut out = Vec::new();
    for (i, b) in markdown::parse(text).into_iter().enumerate() {
        if i > 0 {
            out.push(Inline::Text(" ".into()));
        }
        if let Some(m) = b.marker {
            out.push(Inline::Text(format!("{m} ")));
        }
        out.extend(b.inlines);
    }
    out
}

/// A plan's groups, tasks, results, units and co-operators, loaded once.
pub(crate) struct Register {
    pub(crate) groups: Vec<task_groups::Model>,
    pub(crate) tasks: Vec<tasks::Model>,
    pub(crate) results: HashMap<Uuid, results::Model>,
    pub(crate) units: HashMap<Uuid, units::Model>,
    pub(crate) cooperators: HashMap<Uuid, Vec<Uuid>>,
    pub(crate) proposals: Vec<proposals::Model>,
    pub(crate) targets: HashMap<Uuid, Vec<targets::Model>>,
}

pub(crate) async fn load_register(c: &impl Conn, plan_id: Uuid) -> Result<Register> {
    let groups = task_groups::of_plan(c, plan_id).await?;
    let tasks = tasks::live_in_plan(c, plan_id).await?;
    let ids: Vec<Uuid> = tasks.iter().map(|t| t.id).collect();
    let results = results::of_task_ids(c, ids.clone()).await?.into_iter().map(|r| (r.task_id, r)).collect();
    let mut cooperators: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
    for row in task_cooperators::of_tasks(c, ids.clone()).await? {
        cooperators.entry(row.task_id).or_default().push(row.unit_id);
    }
    let mut targets: HashMap<Uuid, Vec<targets::Model>> = HashMap::new();
    for t in targets::of_tasks(c, ids).await? {
        targets.entry(t.task_id).or_default().push(t);
    }
    let plan = plans::get(c, plan_id).await?;
    let units = units::list(c, &[Some(plan.issuer_id)], None).await?.into_iter().map(|u| (u.id, u)).collect();
    let proposals = proposals::of_plan(c, plan_id, None).await?;
    Ok(Register { groups, tasks, results, units, cooperators, proposals, targets })
}

impl Register {
    pub(crate) fn tasks_of(&self, group: Uuid) -> impl Iterator<Item = &tasks::Model> {
        self.tasks.iter().filter(move |t| t.group_id == group)
    }

    pub(crate) fn unit_name(&self, id: Option<Uuid>) -> String {
        id.and_then(|u| self.units.get(&u)).map(|u| u.name.clone()).unwrap_or_default()
    }
}
