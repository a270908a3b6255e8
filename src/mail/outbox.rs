//! Queuing mail from a service's own transaction: a message is stored with the change
//! that caused it, or not at all. With SMTP off (`ROOST_SMTP_HOST` empty) nothing is
//! queued, so an instance that sends no mail keeps no mail.
//!
//! Staff notices go to every moderator and admin with a confirmed address who can act
//! (see `db::emails::staff_addresses`).

use sqlx::PgConnection;

use super::compose::Email;
use super::texts::{self, Instance};
use crate::config::Config;
use crate::db::accounts::{self, AccountRow};
use crate::db::email_tokens::MailUser;
use crate::db::emails;

/// Queues `emails` in the caller's transaction when SMTP is on; does nothing otherwise.
pub async fn queue(conn: &mut PgConnection, config: &Config, emails: &[Email]) -> sqlx::Result<()> {
    if !config.smtp.enabled() {
        return Ok(());
    }
    emails::enqueue(conn, emails).await
}

/// Tells staff by mail that `user` awaits approval.
pub async fn notify_staff_of_pending_account(
    conn: &mut PgConnection,
    config: &Config,
    user: &MailUser,
) -> sqlx::Result<()> {
    if !config.smtp.enabled() {
        return Ok(());
    }
    let instance = Instance::from_config(config);
    let review_url = format!("{}/admin/accounts/{}", instance.base_url, user.account_id);
    let pending = texts::PendingAccount {
        username: &user.username,
        email: &user.email,
        reason: user.sign_up_reason.as_deref(),
        review_url: &review_url,
    };
    let staff = emails::staff_addresses(&mut *conn).await?;
    let notices: Vec<Email> = staff
        .iter()
        .map(|(_, to)| texts::pending_account(&instance, to, &pending))
        .collect();
    emails::enqueue(conn, &notices).await
}

/// Tells staff by mail of the new report `report_id` by `reporter_id` about
/// `target_id`.
pub async fn notify_staff_of_report(
    conn: &mut PgConnection,
    config: &Config,
    report_id: i64,
    reporter_id: i64,
    target_id: i64,
    comment: &str,
) -> sqlx::Result<()> {
    if !config.smtp.enabled() {
        return Ok(());
    }
    let reporter = accounts::find_by_id(&mut *conn, reporter_id).await?;
    let target = accounts::find_by_id(&mut *conn, target_id).await?;
    let instance = Instance::from_config(config);
    let report_url = format!("{}/admin/reports/{report_id}", instance.base_url);
    let reporter = reporter.as_ref().map(AccountRow::acct).unwrap_or_default();
    let target = target.as_ref().map(AccountRow::acct).unwrap_or_default();
    let report = texts::NewReport {
        report_id,
        reporter: &reporter,
        target: &target,
        comment,
        report_url: &report_url,
    };
    let staff = emails::staff_addresses(&mut *conn).await?;
    let notices: Vec<Email> = staff
        .iter()
        .filter(|(account_id, _)| *account_id != reporter_id)
        .map(|(_, to)| texts::new_report(&instance, to, &report))
        .collect();
    emails::enqueue(conn, &notices).await
}
