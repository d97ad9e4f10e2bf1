//! `ut360 organization`: the operator makes, lists, renames and deletes organizations.
//! Whoever runs these commands holds the database owner's connection and is trusted
//! with every organization; the web app's admins manage only their own.

use super::auth::password;
use super::cli::{self, Settings};
use crate::data::organization_lifecycle::{
    AdminAccount, CreatedOrganization, DeleteOrganizationError, DeletedOrganization, NewOrganization,
    OrganizationListing,
};
use crate::data::transactions::PARTITION_MONTHS_AHEAD;
use crate::data::{Organization, Store};
use crate::domain::format::format_count;
use crate::domain::language::Language;
use crate::domain::organization::{check_name, check_slug, redis_prefix_for};
use chrono::{Months, NaiveDate};
use clap::{Args, Subcommand};

#[derive(Args, Debug)]
pub struct OrganizationArgs {
    #[command(subcommand)]
    pub command: OrganizationCommand,
}

#[derive(Subcommand, Debug)]
pub enum OrganizationCommand {
    /// Create an organization: its own Redis prefix, seed 000's commission rates,
    /// transaction partitions, data sources, and its first admin. A new admin account's
    /// one-time password is printed once (on standard output).
    Create {
        /// The name people read, 1 to 255 characters.
        #[arg(long)]
        name: String,
        /// Lowercase letters, digits and hyphens, 2 to 63; never changes.
        #[arg(long)]
        slug: String,
        /// The first admin. An existing account keeps its password and becomes admin.
        #[arg(long)]
        admin_email: String,
    },
    /// Every organization: slug, name, members, subscribers, created.
    List,
    /// Give an organization another name (its slug and Redis prefix stay).
    Rename {
        #[arg(long)]
        slug: String,
        #[arg(long)]
        name: String,
    },
    /// Delete an organization for good: its rows in every table and partition, the
    /// accounts that belonged to it alone, and every Redis key under its prefix.
    Delete {
        #[arg(long)]
        slug: String,
        /// Required: nothing deleted can be brought back.
        #[arg(long)]
        confirm: bool,
    },
}

pub async fn run(settings: &Settings, args: &OrganizationArgs) -> Result<(), String> {
    let store = cli::connect(settings).await?;
    let outcome = run_with(&store, &args.command).await;
    store.close().await;
    outcome
}

async fn run_with(store: &Store, command: &OrganizationCommand) -> Result<(), String> {
    match command {
        OrganizationCommand::Create { name, slug, admin_email } => {
            let today = chrono::Local::now().date_naive();
            let (created, password) = create(store, name, slug, admin_email, today).await?;
            eprint!("{}", created_report(&created));
            if let Some(password) = password {
                println!("{password}");
            }
        }
        OrganizationCommand::List => {
            let listings = store
                .organization_listings()
                .await
                .map_err(|e| format!("cannot read organizations: {e} (has `ut360 migrate` run?)"))?;
            print!("{}", listing_table(&listings));
        }
        OrganizationCommand::Rename { slug, name } => {
            let name = check_name(name).map_err(|e| e.to_string())?;
            let organization = cli::organization(store, slug).await?;
            let renamed = store
                .for_organization(&organization)
                .rename_organization(&name)
                .await
                .map_err(|e| e.to_string())?
                .ok_or_else(|| format!("organization {slug:?} could not be renamed"))?;
            println!("Renamed organization {:?}: {:?} is now {:?}.", renamed.slug, organization.name, renamed.name);
        }
        OrganizationCommand::Delete { slug, confirm } => {
            let deleted = delete(store, slug, *confirm).await?;
            print!("{}", deleted_report(&deleted));
        }
    }
    Ok(())
}

/// Checks every field (naming each one refused), then creates the organization. The
/// password comes back only when the admin's account is new.
pub async fn create(
    store: &Store,
    name: &str,
    slug: &str,
    admin_email: &str,
    today: NaiveDate,
) -> Result<(CreatedOrganization, Option<String>), String> {
    let slug = check_slug(slug);
    let name = check_name(name);
    let email = super::auth::check_email(admin_email).map_err(|e| e.replacen("email:", "admin-email:", 1));
    let (slug, name) = match (slug, name, email) {
        (Ok(slug), Ok(name), Ok(())) => (slug, name),
        (slug, name, email) => {
            let problems: Vec<String> =
                [slug.err().map(|e| e.to_string()), name.err().map(|e| e.to_string()), email.err()]
                    .into_iter()
                    .flatten()
                    .collect();
            return Err(problems.join("\n"));
        }
    };
    let redis_prefix = redis_prefix_for(&slug);
    // Hashed whether or not the account exists (known only inside the transaction);
    // an existing account's password is never replaced.
    let password = password::generate();
    let hash = password::hash(&password);
    let created = store
        .create_organization_with_admin(&NewOrganization {
            slug: &slug,
            name: &name,
            redis_prefix: &redis_prefix,
            admin_email,
            new_admin_password_hash: &hash,
            partitions_from: today,
            partitions_until: today + Months::new(PARTITION_MONTHS_AHEAD),
        })
        .await
        .map_err(|e| e.to_string())?;
    let password = (created.admin == AdminAccount::Created).then_some(password);
    Ok((created, password))
}

/// Deletes the organization, refusing the default one and any without `confirm`.
/// Holds the organization's refresh lock meanwhile, so no import or cache sync of it
/// writes rows or keys behind the deletion.
pub async fn delete(store: &Store, slug: &str, confirm: bool) -> Result<DeletedOrganization, String> {
    if slug == Organization::DEFAULT_SLUG {
        return Err(DeleteOrganizationError::Default.to_string());
    }
    let organization = cli::organization(store, slug).await?;
    if !confirm {
        return Err(format!(
            "deleting organization {slug:?} ({}) removes all of its data, its members' accounts that belong nowhere else and its Redis keys ({}:*), for good; run again with --confirm",
            organization.name, organization.redis_prefix
        ));
    }
    let lock = cli::lock_refresh(store, &organization).await?;
    let bars = indicatif::MultiProgress::new();
    let working = super::progress::spinner(&bars, format!("deleting organization {slug:?}"));
    let deleted = store.delete_organization(slug).await.map_err(|e| e.to_string());
    working.finish_and_clear();
    if let Err(error) = lock.release().await {
        tracing::debug!(%error, "the refresh lock is freed when its connection closes");
    }
    deleted
}

/// What `organization create` tells the operator (the password goes to standard output
/// on its own, so a script can read it).
pub fn created_report(created: &CreatedOrganization) -> String {
    let organization = &created.organization;
    let mut report = format!("Created organization {:?} ({}).\n", organization.slug, organization.name);
    let mut line = |label: &str, text: String| report.push_str(&format!("  {label:<18} {text}\n"));
    line("Redis prefix", format!("{} (its keys are {}:*)", organization.redis_prefix, organization.redis_prefix));
    line(
        "commission rates",
        format!("{} levels, seed 000's (10 / 5 / 3 / 2 / 1 %), editable later", created.commission_rates),
    );
    line("data sources", created.data_sources.join(", "));
    line(
        "partitions",
        format!(
            "transaction months up to {PARTITION_MONTHS_AHEAD} ahead exist ({} made now)",
            created.partitions_created
        ),
    );
    match created.admin {
        AdminAccount::Created => line(
            "admin",
            format!(
                "{}: a new account. Its one-time password follows, shown once; it must be changed at first sign-in.",
                created.admin_email
            ),
        ),
        AdminAccount::Existing => line(
            "admin",
            format!(
                "{}: this account already exists and is now admin of {:?}. Its password and its other organizations are unchanged (you, running this command, are trusted to grant it).",
                created.admin_email, organization.slug
            ),
        ),
    }
    report
}

pub fn listing_table(listings: &[OrganizationListing]) -> String {
    let slug_width = listings.iter().map(|o| o.slug.chars().count()).max().unwrap_or(0).max(4);
    let name_width = listings.iter().map(|o| o.name.chars().count()).max().unwrap_or(0).clamp(4, 40);
    let mut table = format!(
        "{:slug_width$}  {:name_width$}  {:>7}  {:>11}  {:20}  REDIS PREFIX\n",
        "SLUG", "NAME", "MEMBERS", "SUBSCRIBERS", "CREATED"
    );
    for listing in listings {
        // A long name is cut, not allowed to push the columns out of line.
        let name: String = if listing.name.chars().count() > name_width {
            listing.name.chars().take(name_width - 1).chain(['…']).collect()
        } else {
            listing.name.clone()
        };
        table.push_str(&format!(
            "{:slug_width$}  {:name_width$}  {:>7}  {:>11}  {:20}  {}\n",
            listing.slug,
            name,
            format_count(Language::En, listing.members),
            format_count(Language::En, listing.subscribers),
            listing.created_at.format("%Y-%m-%d %H:%M UTC").to_string(),
            listing.redis_prefix,
        ));
    }
    let organizations = listings.len();
    table.push_str(&format!("{organizations} organization{}\n", if organizations == 1 { "" } else { "s" }));
    table
}

/// What `organization delete` removed, table by table.
pub fn deleted_report(deleted: &DeletedOrganization) -> String {
    let organization = &deleted.organization;
    let mut report = format!("Deleted organization {:?} ({}):\n", organization.slug, organization.name);
    let width = deleted.rows.iter().map(|(table, _)| table.chars().count()).max().unwrap_or(0).max(12);
    for (table, rows) in &deleted.rows {
        report.push_str(&format!(
            "  {table:width$}  {:>12} {}\n",
            format_count(Language::En, *rows),
            plural(*rows, "row")
        ));
    }
    let total: i64 = deleted.rows.iter().map(|(_, rows)| rows).sum();
    report.push_str(&format!(
        "  {:width$}  {:>12} {} in {} {}\n",
        "total",
        format_count(Language::En, total),
        plural(total, "row"),
        deleted.rows.len(),
        plural(deleted.rows.len() as i64, "table"),
    ));
    if deleted.accounts.is_empty() {
        report.push_str("  accounts: none deleted (every member belongs to another organization too)\n");
    } else {
        report.push_str(&format!(
            "  accounts: {} deleted, which belonged to no other organization: {}\n",
            deleted.accounts.len(),
            deleted.accounts.join(", ")
        ));
    }
    report.push_str(&format!(
        "  Redis: {} {} deleted under {}:*\n",
        format_count(Language::En, deleted.redis_keys as i64),
        plural(deleted.redis_keys as i64, "key"),
        organization.redis_prefix
    ));
    report
}

fn plural(count: i64, word: &str) -> String {
    if count == 1 {
        word.to_owned()
    } else {
        format!("{word}s")
    }
}
