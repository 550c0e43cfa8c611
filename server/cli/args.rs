//! The command line's words: every command and its arguments, as clap reads them.

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "nhiemvu", version, about = "Nhiệm vụ trọng tâm: key tasks and official documents")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Run the HTTP server (migrations are applied first).
    Serve {
        /// Load the reference year (Bắc Sơn 2024) if it is not there yet.
        #[arg(long)]
        demo: bool,
    },
    /// Apply pending database migrations and exit.
    Migrate,
    /// Write a backup while the server runs: a consistent copy of the SQLite database,
    /// every stored file and a manifest of their SHA-256 sums, in one .tar file.
    Backup {
        /// The archive to write (it appears only when complete).
        #[arg(short, long)]
        output: std::path::PathBuf,
    },
    /// Restore a backup into an empty data folder (storage.data_dir), checking every
    /// file's SHA-256 first, then the audit chain.
    Restore {
        /// The archive written by `nhiemvu backup`.
        file: std::path::PathBuf,
    },
    /// Load the reference year (Bắc Sơn 2024) into the database and exit.
    Demo,
    /// Import a register spreadsheet (.xlsx, the template's columns) into a plan: every
    /// problem is listed by cell and nothing is written while there is one.
    Import {
        /// The .xlsx file.
        file: std::path::PathBuf,
        /// The plan's id.
        #[arg(long)]
        plan: uuid::Uuid,
        /// Check and say what would change; write nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Print the OpenAPI document.
    Openapi,
    /// Queue (or with --dry-run, show) the deadline reminders due at a time.
    Remind {
        /// YYYY-MM-DD (08:00 in Vietnam) or an RFC 3339 time; default: now.
        #[arg(long)]
        at: Option<String>,
        /// Show what would be sent; change nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Print a document as PDF.
    Render {
        /// The document's id.
        #[arg(long, conflicts_with = "demo", required_unless_present = "demo")]
        document: Option<uuid::Uuid>,
        /// Print the reference report from the reference year (in memory; the database is not touched).
        #[arg(long)]
        demo: bool,
        /// Where to write the PDF.
        #[arg(short, long)]
        output: std::path::PathBuf,
    },
    /// List the digital signatures of a PDF and check each (exit 1 if any is broken or none is there).
    Verify {
        /// The PDF file.
        file: std::path::PathBuf,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Sign a separately attached file with an issuing body's key: the number and symbol
    /// and the signing time are printed at the top right of page 1 (Nghị định 30/2020).
    SignAttachment {
        /// The issuer's code (its key is `<signing.keys_dir>/issuers/<code>.p12`).
        #[arg(long)]
        issuer: String,
        /// Number and symbol of the document it belongs to, e.g. "280/BC-UBND".
        #[arg(long)]
        reference: String,
        /// Where it is signed (the issuer's place name), for the signature's location.
        #[arg(long, default_value = "")]
        location: String,
        /// The PDF to sign.
        file: std::path::PathBuf,
        /// Where to write the signed PDF.
        #[arg(short, long)]
        output: std::path::PathBuf,
    },
    /// Check a document against Nghị định 30/2020 (exit 1 when it has an error): a
    /// stored document (its data and its printed pages) or any PDF file (its pages).
    Check {
        /// A stored document's id.
        #[arg(long, conflicts_with = "file", required_unless_present = "file")]
        document: Option<uuid::Uuid>,
        /// A PDF file.
        file: Option<std::path::PathBuf>,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Signing keys: import a PKCS#12 as a signer's or an issuing body's key, list them.
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
    /// Manage users from the command line (e.g. the first administrator).
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Audit log tools.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
}

#[derive(Subcommand)]
pub enum UserCommand {
    /// Create a user with a password read from NHIEMVU_PASSWORD or, if unset, from standard input.
    Add {
        /// The issuer's code (created with placeholder names if it does not exist yet);
        /// for a server administrator, the office they belong to.
        #[arg(long)]
        issuer: String,
        /// Login name.
        #[arg(long)]
        username: String,
        /// Full name.
        #[arg(long)]
        name: String,
        /// E-mail address.
        #[arg(long)]
        email: String,
        /// admin (the office's administrator), office, unit_officer, signer or viewer.
        #[arg(long, required_unless_present = "server_admin", conflicts_with = "server_admin")]
        role: Option<String>,
        /// A server administrator: creates offices and appoints their administrators,
        /// and reads no office's tasks, results or documents.
        #[arg(long)]
        server_admin: bool,
        /// The unit's short name (unit officers).
        #[arg(long)]
        unit: Option<String>,
    },
}

#[derive(Subcommand)]
pub enum KeysCommand {
    /// Import a PKCS#12 (.p12, .pfx), its passphrase read from NHIEMVU_P12_PASS or, if
    /// unset, from standard input; it replaces the holder's key in use. Needs the
    /// key-encryption key (NHIEMVU_KEK or signing.kek_file).
    Import {
        /// The issuing body's code: its own key (the seal's signature).
        #[arg(long, conflicts_with = "signer", required_unless_present = "signer")]
        issuer: Option<String>,
        /// A signer's login name: their key.
        #[arg(long)]
        signer: Option<String>,
        /// The PKCS#12 file.
        file: std::path::PathBuf,
    },
    /// List the keys in use (with --all, the retired ones too).
    List {
        #[arg(long)]
        all: bool,
    },
}

#[derive(Subcommand)]
pub enum AuditCommand {
    /// Check the hash chain of the audit log; exits 1 if it is broken.
    Verify,
}
