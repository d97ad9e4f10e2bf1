//! `ut360 api-key`: keys for machine clients, per organization.

use super::cli::{self, Settings};
use crate::data::api_keys::ApiKeyInfo;
use crate::data::security_events::{OrganizationEvent, RequestOrigin};
use crate::data::{Organization, OrganizationStore};
use crate::domain::security_event::SecurityEventKind;
use clap::{Args, Subcommand};

#[derive(Args, Debug)]
pub struct ApiKeyArgs {
    #[command(subcommand)]
    pub command: ApiKeyCommand,
}

#[derive(Subcommand, Debug)]
pub enum ApiKeyCommand {
    /// Create a key. It is printed once, on standard output, and cannot be shown again.
    Create {
        /// Organization (slug) the key reads for.
        #[arg(long, default_value = Organization::DEFAULT_SLUG)]
        org: String,
        /// Who uses the key, e.g. advance-system.
        #[arg(long)]
        name: String,
    },
    /// List the organization's keys: name, first characters, created, last used, revoked.
    List {
        #[arg(long, default_value = Organization::DEFAULT_SLUG)]
        org: String,
    },
    /// Revoke the active key with this name; running servers refuse it at once.
    Revoke {
        #[arg(long, default_value = Organization::DEFAULT_SLUG)]
        org: String,
        #[arg(long)]
        name: String,
    },
}

/// Who made a change from the command line, as the security events say.
const COMMAND_LINE: &str = "ut360 api-key (command line)";

async fn record(store: &OrganizationStore, kind: SecurityEventKind, detail: serde_json::Value) -> Result<(), String> {
    let origin = RequestOrigin::default();
    let event = OrganizationEvent { kind, email: None, origin: &origin, detail };
    store.record_security_event(event).await.map_err(|e| e.to_string())
}

pub async fn run(settings: &Settings, args: &ApiKeyArgs) -> Result<(), String> {
    let store = cli::connect(settings).await?;
    match &args.command {
        ApiKeyCommand::Create { org, name } => {
            let organization = cli::organization(&store, org).await?;
            let store = store.for_organization(&organization);
            let created = store.create_api_key(name).await.map_err(|e| e.to_string())?;
            let detail = serde_json::json!({ "by": COMMAND_LINE, "key": created.info.name });
            record(&store, SecurityEventKind::ApiKeyCreated, detail).await?;
            eprintln!(
                "Created API key {:?} for organization {:?}. Keep it now: it is not stored and cannot be shown again.",
                created.info.name, organization.slug
            );
            println!("{}", created.secret);
        }
        ApiKeyCommand::List { org } => {
            let organization = cli::organization(&store, org).await?;
            let keys = store.for_organization(&organization).api_keys().await.map_err(|e| e.to_string())?;
            if keys.is_empty() {
                println!(
                    "Organization {:?} has no API keys; create one with `ut360 api-key create --org {} --name NAME`.",
                    organization.slug, organization.slug
                );
            } else {
                print!("{}", key_table(&keys));
            }
        }
        ApiKeyCommand::Revoke { org, name } => {
            let organization = cli::organization(&store, org).await?;
            let store = store.for_organization(&organization);
            if !store.revoke_api_key(name).await.map_err(|e| e.to_string())? {
                return Err(format!("organization {:?} has no active API key named {name:?}", organization.slug));
            }
            let detail = serde_json::json!({ "by": COMMAND_LINE, "key": name.trim() });
            record(&store, SecurityEventKind::ApiKeyRevoked, detail).await?;
            println!("Revoked API key {name:?} of organization {:?}.", organization.slug);
        }
    }
    store.close().await;
    Ok(())
}

fn key_table(keys: &[ApiKeyInfo]) -> String {
    let when = |at: Option<chrono::DateTime<chrono::Utc>>| {
        at.map_or("-".to_owned(), |at| at.format("%Y-%m-%d %H:%M UTC").to_string())
    };
    let width = keys.iter().map(|key| key.name.chars().count()).max().unwrap_or(0).max(4);
    let mut table = format!("{:width$}  {:15}  {:20}  {:20}  {}\n", "NAME", "KEY", "CREATED", "LAST USED", "STATUS");
    for key in keys {
        let status =
            if key.revoked_at.is_some() { format!("revoked {}", when(key.revoked_at)) } else { "active".to_owned() };
        table.push_str(&format!(
            "{:width$}  {:15}  {:20}  {:20}  {status}\n",
            key.name,
            format!("{}…", key.key_prefix),
            when(Some(key.created_at)),
            when(key.last_used_at),
        ));
    }
    table
}
