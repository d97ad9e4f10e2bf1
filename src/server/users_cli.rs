//! `ut360 user`: accounts and their roles, for the first admin and for scripts.

use super::auth::password;
use super::cli::{self, Settings};
use crate::data::{Organization, Store};
use crate::domain::access::Role;
use clap::{Args, Subcommand};

#[derive(Args, Debug)]
pub struct UserArgs {
    #[command(subcommand)]
    pub command: UserCommand,
}

#[derive(Subcommand, Debug)]
pub enum UserCommand {
    /// Create an account (or set an existing one's password) with a role in an organization.
    /// The password comes from UT360_PASSWORD; without it one is made up and printed once.
    Create {
        #[arg(long, default_value = Organization::DEFAULT_SLUG)]
        org: String,
        #[arg(long)]
        email: String,
        /// admin, manager, marketing or analyst.
        #[arg(long, value_parser = parse_role)]
        role: Role,
        #[arg(long, env = "UT360_PASSWORD", hide_env_values = true)]
        password: Option<String>,
    },
    /// The organization's members and their roles.
    List {
        #[arg(long, default_value = Organization::DEFAULT_SLUG)]
        org: String,
    },
}

fn parse_role(text: &str) -> Result<Role, String> {
    Role::parse(text).ok_or_else(|| format!("{text:?} is not a role; use admin, manager, marketing or analyst"))
}

pub async fn run(settings: &Settings, args: &UserArgs) -> Result<(), String> {
    let store = cli::connect(settings).await?;
    match &args.command {
        UserCommand::Create { org, email, role, password } => {
            let organization = cli::organization(&store, org).await?;
            let (password, made_up) = match password {
                Some(password) => (password.clone(), false),
                None => (password::generate(), true),
            };
            create(&store, &organization, email, *role, &password).await?;
            // A made-up password is changed at first sign-in; one given is the person's own.
            store.set_must_change_password(email, made_up).await.map_err(|e| e.to_string())?;
            eprintln!("{} is now {} of {:?}.", email.trim().to_lowercase(), role.as_str(), organization.slug);
            if made_up {
                eprintln!("Password (shown once; to be changed at first sign-in):");
                println!("{password}");
            }
        }
        UserCommand::List { org } => {
            let organization = cli::organization(&store, org).await?;
            let members = store.for_organization(&organization).members().await.map_err(|e| e.to_string())?;
            if members.is_empty() {
                println!("Organization {:?} has no members; add one with `ut360 user create --org {} --email … --role admin`.", organization.slug, organization.slug);
            }
            for member in members {
                println!(
                    "{:<40} {:<10} {}",
                    member.email,
                    member.role.as_str(),
                    member.last_sign_in_at.as_deref().unwrap_or("never signed in")
                );
            }
        }
    }
    Ok(())
}

/// Checks the email and password, then saves the account with its role.
pub async fn create(
    store: &Store,
    organization: &Organization,
    email: &str,
    role: Role,
    password: &str,
) -> Result<(), String> {
    super::auth::check_email(email)?;
    password::check_strength(password)?;
    let hash = password::hash(password);
    store.for_organization(organization).save_user(email, &hash, role).await.map_err(|e| e.to_string())?;
    Ok(())
}

/// The demo's accounts: one per role, `{role}@demo.ut360`, each with a new password,
/// printed for whoever ran the demo.
pub async fn create_demo_users(store: &Store, organization: &Organization) -> Result<(), String> {
    println!("Demo accounts (sign in at /sign-in; run `ut360 user create` to set a password again):");
    for role in Role::ALL {
        let email = format!("{}@demo.ut360", role.as_str());
        let password = password::generate();
        create(store, organization, &email, role, &password).await?;
        println!("  {:<10} {:<24} {}", role.as_str(), email, password);
    }
    Ok(())
}
