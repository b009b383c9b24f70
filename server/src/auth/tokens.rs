//! Access tokens (short-lived JWT, HS256 pinned, `exp`/`iss`/`aud` checked)
//! and refresh tokens (random, stored only as SHA-256).
//!
//! An access token names its session (`sid`: the chain of refresh tokens
//! one sign-in rotates through), and the extractor accepts it only while
//! that session is live, so signing out ends the token at once.
//!
//! The header must say `typ: "JWT"`, the value this server issues: absent or
//! anything else (`at+jwt`, `refresh`, …) is refused, so a token minted for
//! another purpose with the same key cannot pass as an access token. A
//! `crit` or `cty` header (extensions, nested tokens) is refused as well.

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
    /// The session (first refresh token of its rotation chain) the token belongs to.
    pub sid: Uuid,
}

/// Seconds of clock skew tolerated on `exp`, `nbf` and `iat`.
const LEEWAY_SECS: u64 = 5;
/// The only `typ` header an access token may carry.
const TYP: &str = "JWT";

/// # Errors
/// Only if signing fails.
pub fn issue_access(keys: &Keys, user_id: Uuid, org_id: Uuid, session_id: Uuid) -> anyhow::Result<String> {
    let now = jsonwebtoken::get_current_timestamp();
    let claims = Claims {
        sub: user_id,
        org: org_id,
        iss: ISSUER.into(),
        aud: AUDIENCE.into(),
        iat: now,
        exp: now + ACCESS_TTL_SECS,
        sid: session_id,
    };
    Ok(encode(&Header::new(Algorithm::HS256), &claims, &keys.encoding)?)
}

/// The claims of a genuine token that is valid now; `None` for anything
/// else: another algorithm (`none` included), key, issuer, audience or `typ`,
/// expired, not yet valid (`nbf`, or `iat` in the future), or a claim missing.
/// Whether its session is still live is the caller's check.
pub fn verify_access(keys: &Keys, token: &str) -> Option<Claims> {
    let mut validation = Validation::new(Algorithm::HS256);
    validation.set_issuer(&[ISSUER]);
    validation.set_audience(&[AUDIENCE]);
    validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
    validation.validate_nbf = true;
    validation.leeway = LEEWAY_SECS;
    let data = decode::<Claims>(token, &keys.decoding, &validation).ok()?;
    let header = &data.header;
    if header.typ.as_deref() != Some(TYP) || header.crit.is_some() || header.cty.is_some() {
        return None;
    }
    // `iat` is ours to check: a token issued in the future was not issued by us.
    if data.claims.iat > jsonwebtoken::get_current_timestamp() + LEEWAY_SECS {
        return None;
    }
    Some(data.claims)
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
        let token = issue_access(&a, user, Uuid::now_v7(), Uuid::now_v7()).unwrap();
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
            sid: Uuid::now_v7(),
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

    fn claims(now: u64) -> serde_json::Value {
        serde_json::json!({
            "sub": Uuid::now_v7(), "org": Uuid::now_v7(), "sid": Uuid::now_v7(),
            "iss": ISSUER, "aud": AUDIENCE, "iat": now, "exp": now + 60,
        })
    }

    #[test]
    fn only_the_jwt_typ_is_accepted() {
        let k = keys(b"0123456789abcdef0123456789abcdef");
        let now = jsonwebtoken::get_current_timestamp();
        let with_header = |edit: &dyn Fn(&mut Header)| {
            let mut header = Header::new(Algorithm::HS256);
            edit(&mut header);
            encode(&header, &claims(now), &k.encoding).unwrap()
        };
        assert!(verify_access(&k, &with_header(&|_| {})).is_some());
        assert!(verify_access(&k, &with_header(&|h| h.typ = None)).is_none(), "typ absent");
        for typ in ["refresh", "at+jwt", "jwt", "JWS"] {
            assert!(verify_access(&k, &with_header(&|h| h.typ = Some(typ.into()))).is_none(), "{typ}");
        }
        assert!(verify_access(&k, &with_header(&|h| h.cty = Some("JWT".into()))).is_none(), "nested");
        assert!(verify_access(&k, &with_header(&|h| h.crit = Some(vec!["exp".into()]))).is_none(), "crit");
    }

    #[test]
    fn tokens_not_yet_valid_or_without_a_session_are_refused() {
        let k = keys(b"0123456789abcdef0123456789abcdef");
        let now = jsonwebtoken::get_current_timestamp();
        let sign = |c: &serde_json::Value| encode(&Header::new(Algorithm::HS256), c, &k.encoding).unwrap();
        let mut c = claims(now);
        c["nbf"] = (now + 3600).into();
        assert!(verify_access(&k, &sign(&c)).is_none(), "nbf in the future");
        c["nbf"] = now.into();
        assert!(verify_access(&k, &sign(&c)).is_some(), "nbf now");
        let mut c = claims(now);
        c["iat"] = (now + 3600).into();
        assert!(verify_access(&k, &sign(&c)).is_none(), "issued in the future");
        let mut c = claims(now);
        c.as_object_mut().unwrap().remove("sid");
        assert!(verify_access(&k, &sign(&c)).is_none(), "no session");
        let mut c = claims(now);
        c["aud"] = "someone-else".into();
        assert!(verify_access(&k, &sign(&c)).is_none(), "audience");
    }

    #[test]
    fn refresh_hash_is_stable_hex() {
        assert_eq!(sha256_hex("abc").len(), 64);
        assert_eq!(sha256_hex("abc"), sha256_hex("abc"));
    }
}
