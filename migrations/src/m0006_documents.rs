//! Documents right for any office: an issuer's name as lines with their role
//! (its own lines, bold; a parent body's lines, upright), the signature block as
//! structured fields instead of one free-text line, and proposals that name a
//! place (a village) as text. Existing rows are converted, not dropped.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::ConnectionTrait;

/// Adds issuer name lines, the structured signer block and proposal places.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0006_documents"
    }
}

fn c(name: &str) -> Alias {
    Alias::new(name)
}

/// A People's Committee's own name starts "ỦY BAN NHÂN DÂN": stored before as a
/// parent line above the place ("HUYỆN BẮC SƠN"), it is one body's name in two lines.
fn name_lines(parent: Option<&str>, name: &str) -> (Vec<String>, Vec<String>) {
    let own: Vec<String> = name.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned).collect();
    match parent.map(str::trim).filter(|p| !p.is_empty()) {
        Some(p) if p.to_uppercase() == "ỦY BAN NHÂN DÂN" => {
            let mut lines = vec![p.to_owned()];
            lines.extend(own);
            (lines, vec![])
        }
        Some(p) => (own, p.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned).collect()),
        None => (own, vec![]),
    }
}

/// "TM. ỦY BAN NHÂN DÂN\nKT. CHỦ TỊCH" → (collective, authority code, head title).
fn signer(text: &str) -> (Option<String>, &'static str, Option<String>) {
    let mut collective = None;
    let mut authority = "own";
    let mut head = None;
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let upper = line.to_uppercase();
        if let Some(rest) = upper.strip_prefix("TM.") {
            collective = Some(rest.trim().to_owned());
            continue;
        }
        for (prefix, code) in [("TUQ.", "tuq"), ("KT.", "kt"), ("TL.", "tl"), ("Q.", "q")] {
            if let Some(rest) = upper.strip_prefix(prefix) {
                authority = code;
                head = Some(rest.trim().to_owned());
                break;
            }
        }
    }
    (collective, authority, head)
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        // Issuers: name lines with roles.
        for col in [json_null(c("name_lines")), json_null(c("parent_lines"))] {
            m.alter_table(Table::alter().table(c("issuers")).add_column(col).to_owned()).await?;
        }
        let rows = db
            .query_all(&Query::select().columns([c("id"), c("parent_name"), c("name")]).from(c("issuers")).to_owned())
            .await?;
        for row in rows {
            let id: sea_orm_migration::sea_orm::prelude::Uuid = row.try_get("", "id")?;
            let parent: Option<String> = row.try_get("", "parent_name")?;
            let name: String = row.try_get("", "name")?;
            let (own, parents) = name_lines(parent.as_deref(), &name);
            let update = Query::update()
                .table(c("issuers"))
                .value(c("name_lines"), serde_json::json!(own))
                .value(c("parent_lines"), serde_json::json!(parents))
                .and_where(Expr::col(c("id")).eq(id))
                .to_owned();
            db.execute(&update).await?;
        }
        for col in ["parent_name", "name"] {
            m.alter_table(Table::alter().table(c("issuers")).drop_column(c(col)).to_owned()).await?;
        }
        // Documents: the signer block as fields; signer_authority keeps the code.
        for col in [string_null(c("signer_collective")), string_null(c("signer_head_title"))] {
            m.alter_table(Table::alter().table(c("documents")).add_column(col).to_owned()).await?;
        }
        let rows = db
            .query_all(&Query::select().columns([c("id"), c("signer_authority")]).from(c("documents")).to_owned())
            .await?;
        for row in rows {
            let id: sea_orm_migration::sea_orm::prelude::Uuid = row.try_get("", "id")?;
            let text: Option<String> = row.try_get("", "signer_authority")?;
            let (collective, authority, head) = signer(text.as_deref().unwrap_or(""));
            let update = Query::update()
                .table(c("documents"))
                .value(c("signer_collective"), collective)
                .value(c("signer_authority"), authority)
                .value(c("signer_head_title"), head)
                .and_where(Expr::col(c("id")).eq(id))
                .to_owned();
            db.execute(&update).await?;
        }
        // Proposals: a place (a village, a school) named as text.
        m.alter_table(Table::alter().table(c("proposals")).add_column(string_null(c("place"))).to_owned()).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table(c("proposals")).drop_column(c("place")).to_owned()).await?;
        for col in ["signer_collective", "signer_head_title"] {
            m.alter_table(Table::alter().table(c("documents")).drop_column(c(col)).to_owned()).await?;
        }
        m.alter_table(Table::alter().table(c("issuers")).add_column(string_null(c("parent_name"))).to_owned()).await?;
        m.alter_table(Table::alter().table(c("issuers")).add_column(string(c("name")).default("")).to_owned()).await?;
        for col in ["name_lines", "parent_lines"] {
            m.alter_table(Table::alter().table(c("issuers")).drop_column(c(col)).to_owned()).await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_peoples_committee_stored_as_parent_and_place_becomes_one_name_in_two_lines() {
        assert_eq!(
            name_lines(Some("ỦY BAN NHÂN DÂN"), "HUYỆN BẮC SƠN"),
            (vec!["ỦY BAN NHÂN DÂN".to_owned(), "HUYỆN BẮC SƠN".to_owned()], vec![])
        );
        assert_eq!(
            name_lines(Some("UBND TỈNH LẠNG SƠN"), "SỞ NỘI VỤ"),
            (vec!["SỞ NỘI VỤ".to_owned()], vec!["UBND TỈNH LẠNG SƠN".to_owned()])
        );
        assert_eq!(
            name_lines(None, "ỦY BAN NHÂN DÂN\nXÃ TÂN HƯƠNG"),
            (vec!["ỦY BAN NHÂN DÂN".to_owned(), "XÃ TÂN HƯƠNG".to_owned()], vec![])
        );
        assert_eq!(
            signer("TM. ỦY BAN NHÂN DÂN\nKT. CHỦ TỊCH"),
            (Some("ỦY BAN NHÂN DÂN".into()), "kt", Some("CHỦ TỊCH".into()))
        );
        assert_eq!(signer(""), (None, "own", None));
    }
}
