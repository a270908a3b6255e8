//! Staff for tests: moderators and admins with tokens that hold the admin scopes.

use sqlx::PgPool;

use super::{TestApp, TestUser, PASSWORD};

/// Every scope a staff token gets: a user's and both admin scopes.
pub const ADMIN_SCOPES: &str = "read write follow push admin:read admin:write";

/// A local user with `role` and a token holding the admin scopes.
pub async fn staff(app: &TestApp, name: &str, role: &str) -> (TestUser, String) {
    let registration = app.create_app(ADMIN_SCOPES).await;
    let user = app.sign_up_with(&registration, name).await;
    sqlx::query("UPDATE users SET role = $1, approved = true WHERE account_id = $2::bigint")
        .bind(role)
        .bind(&user.account_id)
        .execute(&app.db)
        .await
        .expect("role set");
    let token = app
        .password_token(&registration, name, PASSWORD, ADMIN_SCOPES)
        .await;
    (user, token)
}

/// Makes the user `username` a moderator or admin.
pub async fn promote(db: &PgPool, username: &str, role: &str) {
    sqlx::query("UPDATE users SET role = $1 WHERE email = $2")
        .bind(role)
        .bind(format!("{username}@mail.example"))
        .execute(db)
        .await
        .expect("promotes");
    super::auth_changed_by_hand();
}
