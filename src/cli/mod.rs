//! The `roost` command line: `serve`, `worker`, `migrate`, `doctor` and `admin …`. Each subcommand reads
//! its settings from the environment (see `config.rs`) or from flags.

use clap::{Args, Parser, Subcommand};
use sqlx::PgPool;

use crate::auth::password::PasswordPool;
use crate::auth::signup::{self, SignUp, SignUpOrigin};
use crate::config::{self, Config};
use crate::db::{self, oauth, users};
use crate::domain::{Password, Role};
use crate::services::moderation::{self as moderation_service, ModerationError, Moderator};

mod announcements;
mod domains;
mod emojis;
mod ip_blocks;
mod moderation;
mod moves;
mod relays;
mod suggestions;
mod texts;
mod trends;

/// Roost: a federated social server with a Mastodon-compatible API.
#[derive(Debug, Parser)]
#[command(name = "roost", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// What to do.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Apply pending migrations, then serve HTTP and run the background workers.
    Serve(Box<Config>),
    /// Run only the background workers (deliveries, inbox processing, maintenance), to
    /// scale them out across processes. Same settings as `serve`; nothing is bound.
    Worker(Box<Config>),
    /// Apply pending database migrations and exit.
    Migrate(DatabaseArgs),
    /// Check the configuration, database, migrations, secret key, media store, video
    /// tools, outbound reach and clocks; say what is wrong and how to fix it. Exits
    /// with status 1 when something must be fixed before `serve` can work.
    Doctor(DoctorArgs),
    /// Administer accounts from the shell.
    Admin(AdminArgs),
}

/// Only the database connection.
#[derive(Debug, Args)]
pub struct DatabaseArgs {
    /// PostgreSQL connection URL.
    #[arg(long, env = "DATABASE_URL")]
    pub database_url: String,
}

/// `roost doctor`: the settings `serve` would run with, and domains to reach.
#[derive(Debug, Args)]
pub struct DoctorArgs {
    #[command(flatten)]
    pub config: Box<Config>,
    /// Also try an outbound request to this domain (its NodeInfo document) and compare
    /// its clock with this machine's; may be given several times.
    #[arg(long = "reach", value_name = "DOMAIN")]
    pub reach: Vec<String>,
}

/// `roost admin …`: the instance's settings (the same environment as `serve`, for
/// actions that federate) and one action.
#[derive(Debug, Args)]
pub struct AdminArgs {
    #[command(flatten)]
    pub config: Box<Config>,
    #[command(subcommand)]
    pub action: AdminAction,
}

/// Administrative actions.
#[derive(Debug, Subcommand)]
pub enum AdminAction {
    /// Create a local user (approved at once, whatever ROOST_REGISTRATION says).
    CreateUser {
        #[arg(long)]
        username: String,
        #[arg(long)]
        email: String,
        /// At least 8 characters. Prefer ROOST_ADMIN_PASSWORD to keep it out of shell history.
        #[arg(long, env = "ROOST_ADMIN_PASSWORD")]
        password: String,
        #[arg(long, value_enum, default_value = "user")]
        role: Role,
    },
    /// Change the role of a local user.
    SetRole {
        #[arg(long)]
        username: String,
        #[arg(long, value_enum)]
        role: Role,
    },
    /// Approve a user who signed up while ROOST_REGISTRATION=approval.
    Approve {
        /// Username or e-mail address.
        #[arg(long)]
        username: String,
    },
    /// Set a new password for a local user and sign them out everywhere.
    ResetPassword {
        #[arg(long)]
        username: String,
        #[arg(long, env = "ROOST_ADMIN_PASSWORD")]
        password: String,
    },
    /// Turn off a local user's two-factor sign-in (a lost phone without recovery
    /// codes); they sign in with their password alone until they set it up again.
    DisableTwoFactor {
        /// Username or e-mail address.
        #[arg(long)]
        username: String,
    },
    #[command(flatten)]
    Moderation(moderation::ModerationCommand),
    #[command(flatten)]
    Emoji(emojis::EmojiCommand),
    #[command(flatten)]
    Text(texts::TextCommand),
    #[command(flatten)]
    Announcement(announcements::AnnouncementCommand),
    #[command(flatten)]
    Trends(trends::TrendsCommand),
    #[command(flatten)]
    Suggestion(suggestions::SuggestionCommand),
    #[command(flatten)]
    Moves(moves::MoveCommand),
    #[command(flatten)]
    Relays(relays::RelayCommand),
}

/// Runs one CLI command to completion.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve(config) => serve(*config).await,
        Command::Worker(config) => worker(*config).await,
        Command::Migrate(args) => {
            let pool = db::connect(&args.database_url, 2, COMMAND_ACQUIRE_TIMEOUT).await?;
            db::migrate(&pool).await?;
            println!("migrations applied");
            Ok(())
        }
        Command::Doctor(args) => {
            let findings = crate::doctor::examine(&args.config, &args.reach).await;
            let (report, failed) = crate::doctor::report(&findings);
            print!("{report}");
            anyhow::ensure!(!failed, "some checks failed; see the fixes above");
            Ok(())
        }
        Command::Admin(args) => {
            let pool = db::connect(&args.config.database_url, 2, COMMAND_ACQUIRE_TIMEOUT).await?;
            db::migrate(&pool).await?;
            admin(&pool, *args.config, args.action).await
        }
    }
}

/// A one-off command waits longer for its connections than a server, which must
/// answer its clients quickly.
const COMMAND_ACQUIRE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// The pool of `serve` and `worker`, sized and timed by the configuration.
async fn connect(config: &Config) -> anyhow::Result<PgPool> {
    let acquire_timeout = std::time::Duration::from_secs(config.db_acquire_timeout_secs);
    db::connect(&config.database_url, config.db_pool_size, acquire_timeout).await
}

async fn serve(config: Config) -> anyhow::Result<()> {
    let secret = config::load_or_create_secret(&config.secret_key_file)?;
    let pool = connect(&config).await?;
    db::migrate(&pool).await?;
    crate::federation::actors::backfill_missing_keys(&pool).await?;
    let app = crate::app::App::build(config, pool, &secret).await?;
    app.run_until(crate::app::shutdown_signal()).await
}

async fn worker(config: Config) -> anyhow::Result<()> {
    let secret = config::load_or_create_secret(&config.secret_key_file)?;
    let pool = connect(&config).await?;
    db::migrate(&pool).await?;
    let state = crate::state::AppState::new(pool, config, &secret)?;
    tracing::info!("running workers only");
    let metrics = crate::metrics::server::start(&state).await?;
    let workers = crate::app::Workers::start(&state);
    crate::app::shutdown_signal().await;
    workers.stop().await;
    if let Some(metrics) = metrics {
        metrics.stop().await;
    }
    Ok(())
}

async fn admin(pool: &PgPool, config: Config, action: AdminAction) -> anyhow::Result<()> {
    let passwords = PasswordPool::from_config(&config);
    match action {
        AdminAction::CreateUser {
            username,
            email,
            password,
            role,
        } => {
            let input = SignUp {
                username: &username,
                email: &email,
                password: &password,
                role,
                approved: true,
                locale: "en",
                reason: None,
                ip: None,
                origin: SignUpOrigin::Admin,
                app_id: None,
                phone_verification: None,
            };
            let (account, _) = signup::sign_up(pool, &passwords, &config, &input).await?;
            println!(
                "created {} (account id {}, role {})",
                account.username,
                account.id,
                role.as_str()
            );
        }
        AdminAction::SetRole { username, role } => {
            let user = find_local_user(pool, &username).await?;
            users::set_role(pool, user.id, role).await?;
            println!("{username} is now {}", role.as_str());
        }
        AdminAction::Approve { username } => {
            let user = find_local_user(pool, &username).await?;
            let state = admin_state(pool, config)?;
            let operator = Moderator::Operator;
            match moderation_service::approve(&state, operator, user.account_id).await {
                // Approving someone approved already is not worth an error.
                Ok(_) | Err(ModerationError::NotPending) => println!("{username} is approved"),
                Err(error) => anyhow::bail!("{username}: {error}"),
            }
        }
        AdminAction::ResetPassword { username, password } => {
            let password = Password::parse(&password).map_err(|why| anyhow::anyhow!("{why}"))?;
            let user = find_local_user(pool, &username).await?;
            let hash = passwords.hash(password.expose()).await?;
            let mut transaction = pool.begin().await?;
            users::set_password_hash(&mut *transaction, user.id, &hash).await?;
            oauth::revoke_all_for_account(&mut transaction, user.account_id).await?;
            transaction.commit().await?;
            println!("password of {username} changed; all of their tokens were revoked");
        }
        AdminAction::DisableTwoFactor { username } => {
            let user = find_local_user(pool, &username).await?;
            let state = admin_state(pool, config)?;
            match crate::services::two_factor::disable_by_operator(&state, &user).await {
                Ok(()) => println!("two-factor sign-in of {username} is off"),
                Err(crate::services::two_factor::TwoFactorError::NotEnabled) => {
                    println!("{username} has no two-factor sign-in")
                }
                Err(error) => anyhow::bail!("{username}: {error}"),
            }
        }
        AdminAction::Moderation(command) => {
            moderation::run(&admin_state(pool, config)?, command).await?;
        }
        AdminAction::Emoji(command) => {
            emojis::run(&admin_state(pool, config)?, command).await?;
        }
        AdminAction::Text(command) => {
            texts::run(&admin_state(pool, config)?, command).await?;
        }
        AdminAction::Announcement(command) => {
            announcements::run(&admin_state(pool, config)?, command).await?;
        }
        AdminAction::Trends(command) => {
            trends::run(&admin_state(pool, config)?, command).await?;
        }
        AdminAction::Suggestion(command) => {
            suggestions::run(&admin_state(pool, config)?, command).await?;
        }
        AdminAction::Moves(command) => {
            moves::run(&admin_state(pool, config)?, command).await?;
        }
        AdminAction::Relays(command) => {
            relays::run(&admin_state(pool, config)?, command).await?;
        }
    }
    Ok(())
}

/// The application state the shell's actions run with (the services take it, for the
/// database and for the keys and URLs of what they send to other servers).
fn admin_state(pool: &PgPool, config: Config) -> anyhow::Result<crate::state::AppState> {
    let secret = config::load_or_create_secret(&config.secret_key_file)?;
    crate::state::AppState::new(pool.clone(), config, &secret)
}

/// Finds a local user by username or e-mail address, approved or not.
async fn find_local_user(pool: &PgPool, login: &str) -> anyhow::Result<users::UserRow> {
    users::find_by_login(pool, login)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no local user with username or e-mail {login}"))
}
