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
use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex, PoisonError};
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

/// What [`verify_access`] asks of every token, built once: it is a handful
/// of sets, and every request is checked against it.
static ACCESS_RULES: LazyLock<Validation> = LazyLock::new(|| {
    let mut validation = Validation::new(Algorithm::HS256);
    validation.set_issuer(&[ISSUER]);
    validation.set_audience(&[AUDIENCE]);
    validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
    validation.validate_nbf = true;
    validation.leeway = LEEWAY_SECS;
    validation
});

/// The claims of a genuine token that is valid now; `None` for anything
/// else: another algorithm (`none` included), key, issuer, audience or `typ`,
/// expired, not yet valid (`nbf`, or `iat` in the future), or a claim missing.
/// Whether its session is still live is the caller's check.
pub fn verify_access(keys: &Keys, token: &str) -> Option<Arc<Claims>> {
    verify_access_at(keys, token, jsonwebtoken::get_current_timestamp())
}

fn verify_access_at(keys: &Keys, token: &str, now: u64) -> Option<Arc<Claims>> {
    if let Some(claims) = keys.verified.get(token) {
        return unexpired(&claims, now).then_some(claims);
    }
    let data = decode::<Claims>(token, &keys.decoding, &ACCESS_RULES).ok()?;
    let header = &data.header;
    if header.typ.as_deref() != Some(TYP) || header.crit.is_some() || header.cty.is_some() {
        return None;
    }
    // `iat` is ours to check: a token issued in the future was not issued by us.
    if data.claims.iat > now + LEEWAY_SECS {
        return None;
    }
    let claims = Arc::new(data.claims);
    keys.verified.remember(token, &claims, now);
    Some(claims)
}

/// `exp` as `jsonwebtoken` checks it, with the same leeway.
fn unexpired(claims: &Claims, now: u64) -> bool {
    claims.exp + LEEWAY_SECS >= now
}

/// Beyond this many remembered tokens, expired ones are dropped (and all of
/// them if none has expired): a few megabytes at most.
const REMEMBER_AT_MOST: usize = 10_000;

/// Access tokens this process has verified, with their claims. A client
/// sends the same token with each request for its fifteen minutes, and
/// checking the signature and decoding the JSON again was a twentieth of
/// a one-row read's time. Only the very same token string is found here,
/// and it is still held to its expiry; whether its session is live is
/// checked on every request as before.
#[derive(Default)]
pub struct VerifiedTokens(Mutex<HashMap<Box<str>, Arc<Claims>>>);

impl VerifiedTokens {
    fn get(&self, token: &str) -> Option<Arc<Claims>> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).get(token).cloned()
    }

    fn remember(&self, token: &str, claims: &Arc<Claims>, now: u64) {
        let mut tokens = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if tokens.len() >= REMEMBER_AT_MOST {
            tokens.retain(|_, claims| unexpired(claims, now));
            if tokens.len() >= REMEMBER_AT_MOST {
                tokens.clear();
            }
        }
        tokens.insert(token.into(), claims.clone());
    }
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

    fn keys(secret: &[u8]) -> Keys {
        Keys::from_secret(secret)
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
    fn a_remembered_token_is_still_held_to_its_expiry() {
        let k = keys(b"0123456789abcdef0123456789abcdef");
        let token = issue_access(&k, Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7()).unwrap();
        let now = jsonwebtoken::get_current_timestamp();
        assert!(verify_access_at(&k, &token, now).is_some());
        assert!(k.verified.get(&token).is_some(), "remembered once verified");
        let expiry = now + ACCESS_TTL_SECS;
        assert!(verify_access_at(&k, &token, expiry + LEEWAY_SECS).is_some(), "within the leeway");
        assert!(verify_access_at(&k, &token, expiry + LEEWAY_SECS + 1).is_none(), "expired");
        // Only the very same string is remembered: one changed character is checked again.
        let at = token.find('.').unwrap() + 8;
        let swapped = if &token[at..=at] == "A" { "B" } else { "A" };
        let forged = format!("{}{swapped}{}", &token[..at], &token[at + 1..]);
        assert!(verify_access_at(&k, &forged, now).is_none());
        assert!(k.verified.get(&forged).is_none(), "a refused token is not remembered");
    }

    #[test]
    fn the_memory_of_verified_tokens_is_bounded() {
        let memo = VerifiedTokens::default();
        let now = jsonwebtoken::get_current_timestamp();
        let claims = |exp| {
            Arc::new(Claims {
                sub: Uuid::nil(),
                org: Uuid::nil(),
                iss: ISSUER.into(),
                aud: AUDIENCE.into(),
                iat: now,
                exp,
                sid: Uuid::nil(),
            })
        };
        for n in 0..REMEMBER_AT_MOST {
            memo.remember(&format!("expired-{n}"), &claims(now - 3600), now);
        }
        memo.remember("fresh", &claims(now + 60), now);
        assert_eq!(memo.0.lock().unwrap().len(), 1, "expired tokens are dropped first");
        for n in 0..2 * REMEMBER_AT_MOST {
            memo.remember(&format!("live-{n}"), &claims(now + 60), now);
        }
        assert!(memo.0.lock().unwrap().len() <= REMEMBER_AT_MOST);
    }

    #[test]
    fn refresh_hash_is_stable_hex() {
        assert_eq!(sha256_hex("abc").len(), 64);
        assert_eq!(sha256_hex("abc"), sha256_hex("abc"));
    }
}
