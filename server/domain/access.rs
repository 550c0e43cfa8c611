//! Who may do what. Roles grant actions inside one office (issuer); the services add
//! the scope: a user sees only their own issuer's records — administrators included —
//! and a unit officer only the tasks their unit leads or co-operates on.
//!
//! An office's administrator manages its own office (units, people, keys, rubrics,
//! settings) and nothing else; only signers sign. Administering the server — creating
//! offices and appointing their administrators — is [`Action::ManageServer`], which no
//! office role grants: it belongs to the server administrators (the `server_admin`
//! role, or an office administrator also made server administrator at first-run
//! setup). The `server_admin` role reads no office's tasks, results or documents.
//! Services check the action first (403), then the scope (404, so out-of-scope
//! records are not even confirmed); unit officers see only issued documents. Lists
//! apply the same scope in SQL. Credentials are bearer API tokens, or an HttpOnly
//! SameSite=Strict cookie whose changes need the session's CSRF token; secrets are
//! stored as SHA-256, passwords as Argon2id; failed logins lock the name for a
//! doubling time.

use super::Role;

/// Something a user may be allowed to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Read records of their scope.
    Read,
    /// Issuers, units, users, rubrics.
    ManageOrganisation,
    /// Plans, groups, tasks, targets, proposals.
    ManagePlan,
    /// Write a task's result and its targets' actual values; submit it.
    ReportResult,
    /// Accept, return or reopen a submitted result.
    ReviewResult,
    /// Upload and remove evidence.
    ManageEvidence,
    /// Draft, submit for approval and issue documents.
    ManageDocument,
    /// Approve (sign off) or send back a document.
    SignDocument,
    /// Read the audit log.
    ReadAudit,
    /// Create, change and remove offices; appoint their administrators. Granted by
    /// being a server administrator, never by an office role.
    ManageServer,
}

/// Whether `role` grants `action` in its own office. Administrators can do everything
/// the office can; only signers sign; the server administrator's role grants nothing
/// in an office.
pub fn allows(role: Role, action: Action) -> bool {
    use Action::*;
    match role {
        Role::Admin => !matches!(action, SignDocument | ManageServer),
        Role::ServerAdmin => false,
        Role::Office => {
            matches!(action, Read | ManagePlan | ReportResult | ReviewResult | ManageEvidence | ManageDocument)
        }
        Role::UnitOfficer => matches!(action, Read | ReportResult | ManageEvidence),
        Role::Signer => matches!(action, Read | SignDocument),
        Role::Viewer => matches!(action, Read),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_signers_sign_and_only_admins_manage_the_organisation() {
        for role in Role::ALL {
            assert_eq!(allows(*role, Action::SignDocument), *role == Role::Signer, "{role}");
            assert_eq!(allows(*role, Action::ManageOrganisation), *role == Role::Admin, "{role}");
            assert_eq!(allows(*role, Action::ReadAudit), *role == Role::Admin, "{role}");
            assert!(!allows(*role, Action::ManageServer), "{role}: only the server administrator flag grants it");
            assert_eq!(allows(*role, Action::Read), *role != Role::ServerAdmin, "{role}");
        }
        assert!(!allows(Role::Viewer, Action::ReportResult));
        assert!(allows(Role::UnitOfficer, Action::ReportResult));
        assert!(!allows(Role::UnitOfficer, Action::ReviewResult));
    }
}
