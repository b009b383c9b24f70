//! The HMAC key that signs access tokens: from `RAPPORT_JWT_SECRET`, or
//! generated once and stored in `server_secrets` so all processes agree.

use super::tokens::VerifiedTokens;
use crate::entity::server_secret;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::Utc;
use jsonwebtoken::{DecodingKey, EncodingKey};
use rand::RngCore;
use sea_orm::sea_query::OnConflict;
use sea_orm::{DatabaseConnection, EntityTrait, Set};
use secrecy::{ExposeSecret, SecretString};

const JWT_KEY_NAME: &str = "jwt_hs256";

pub struct Keys {
    pub encoding: EncodingKey,
    pub decoding: DecodingKey,
    /// What the decoding key has already verified.
    pub(crate) verified: VerifiedTokens,
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Keys(..)")
    }
}

impl Keys {
    pub(crate) fn from_secret(secret: &[u8]) -> Self {
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            verified: VerifiedTokens::default(),
        }
    }

    /// # Errors
    /// A configured secret shorter than 32 bytes, or a database failure.
    pub async fn load(configured: Option<&SecretString>, db: &DatabaseConnection) -> anyhow::Result<Self> {
        if let Some(secret) = configured {
            let bytes = secret.expose_secret().as_bytes();
            anyhow::ensure!(bytes.len() >= 32, "RAPPORT_JWT_SECRET must be at least 32 bytes");
            return Ok(Self::from_secret(bytes));
        }
        // Read first, so a database that refuses writes (read-only) still
        // serves with the key it has.
        if let Some(stored) = server_secret::Entity::find_by_id(JWT_KEY_NAME.to_owned()).one(db).await? {
            return Ok(Self::from_secret(stored.value.as_bytes()));
        }
        // Insert-if-absent, then read back: concurrent first starts converge on one key.
        let candidate = random_token(32);
        server_secret::Entity::insert(server_secret::ActiveModel {
            name: Set(JWT_KEY_NAME.to_owned()),
            value: Set(candidate),
            created_at: Set(Utc::now()),
        })
        .on_conflict(OnConflict::column(server_secret::Column::Name).do_nothing().to_owned())
        .exec_without_returning(db)
        .await?;
        let stored = server_secret::Entity::find_by_id(JWT_KEY_NAME.to_owned())
            .one(db)
            .await?
            .ok_or_else(|| anyhow::anyhow!("signing key missing after insert"))?;
        Ok(Self::from_secret(stored.value.as_bytes()))
    }
}

/// `bytes` random bytes as URL-safe base64: session tokens, CSRF tokens, keys.
pub fn random_token(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rng().fill_bytes(&mut buf);
    URL_SAFE_NO_PAD.encode(buf)
}
