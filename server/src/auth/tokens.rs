//! Access tokens (short-lived JWT, HS256 pinned, `exp`/`iss`/`aud` checked)
//! and refresh tokens (random, stored only as SHA-256).

use super::keys::Keys;
use jsonwebtoken::{Algorithm, Header, Validation, decode, encode};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

pub const ISSUER: &str = "rapport";
pub const AUDIENCE: &str = "rapport-api";
pub const ACCESS_TTL_SECS: u64 = 15 * 60;
pub const REFRESH_TTL_DAYS: i64 = 30;

#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    pub sub: Uuid,
    pub org: Uuid,
    pub iss: String,
    pub aud: String,
    pub iat: u64,
    pub exp: u64,
}

/// # Errors
/// Only if signing fails.
pub fn issue_access(keys: &Keys, user_id: Uuid, org_id: Uuid) -> anyhow::Result<String> {
    let now = jsonwebtoken::get_current_timestamp();
    let claims = Claims {
        sub: user_id,
        org: org_id,
        iss: ISSUER.into(),
        aud: AUDIENCE.into(),
        iat: now,
        exp: now + ACCESS_TTL_SECS,
    };
    Ok(encode(&Header::new(Algorithm::HS256), &claims, &keys.encoding)?)
}

/// The claims of a genuine, unexpired token; `None` for anything else.
pub fn verify_access(keys: &Keys, token: &str) -> Option<Claims> {
    let mut validation = Validation::new(Algorithm::HS256);
    validation.set_issuer(&[ISSUER]);
    validation.set_audience(&[AUDIENCE]);
    validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
    validation.leeway = 5;
    decode::<Claims>(token, &keys.decoding, &validation).ok().map(|data| data.claims)
}

/// What is stored for a secret (refresh token, calendar feed): its SHA-256, hex.
pub fn sha256_hex(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use jsonwebtoken::{DecodingKey, EncodingKey};

    fn keys(secret: &[u8]) -> Keys {
        Keys { encoding: EncodingKey::from_secret(secret), decoding: DecodingKey::from_secret(secret) }
    }

    #[test]
    fn a_token_verifies_with_its_key_only() {
        let (a, b) = (keys(b"0123456789abcdef0123456789abcdef"), keys(b"another-key-another-key-another!!"));
        let user = Uuid::now_v7();
        let token = issue_access(&a, user, Uuid::now_v7()).unwrap();
        assert_eq!(verify_access(&a, &token).map(|c| c.sub), Some(user));
        assert!(verify_access(&b, &token).is_none());
        assert!(verify_access(&a, "garbage").is_none());
    }

    #[test]
    fn unsigned_and_foreign_tokens_are_refused() {
        let k = keys(b"0123456789abcdef0123456789abcdef");
        let now = jsonwebtoken::get_current_timestamp();
        let mut claims = Claims {
            sub: Uuid::now_v7(),
            org: Uuid::now_v7(),
            iss: "someone-else".into(),
            aud: AUDIENCE.into(),
            iat: now,
            exp: now + 60,
        };
        let wrong_issuer = encode(&Header::new(Algorithm::HS256), &claims, &k.encoding).unwrap();
        assert!(verify_access(&k, &wrong_issuer).is_none());
        claims.iss = ISSUER.into();
        claims.exp = now - 3600;
        let expired = encode(&Header::new(Algorithm::HS256), &claims, &k.encoding).unwrap();
        assert!(verify_access(&k, &expired).is_none());
        claims.exp = now + 60;
        let other_alg = encode(&Header::new(Algorithm::HS512), &claims, &k.encoding).unwrap();
        assert!(verify_access(&k, &other_alg).is_none(), "algorithm is pinned");
    }

    #[test]
    fn refresh_hash_is_stable_hex() {
        assert_eq!(sha256_hex("abc").len(), 64);
        assert_eq!(sha256_hex("abc"), sha256_hex("abc"));
    }
}
