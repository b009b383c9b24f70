//! The shared pool in the customer screens: a pool customer's row with its
//! Claim button, and the notice the new-customer form shows when the
//! customer exists already (with a link, and Claim when it is in the pool).

use crate::api::{self, ApiError};
use crate::i18n::{Msg, tr, use_i18n};
use leptos::prelude::*;
use rapport_shared::ErrorCode;
use rapport_shared::customer::Customer;
use rapport_shared::pool::DuplicateCustomer;
use uuid::Uuid;

/// The message for the answer to a claim.
pub fn claim_msg(result: &Result<Customer, ApiError>) -> Msg {
    match result {
        Ok(_) => Msg::Claimed,
        Err(ApiError::Network) => Msg::Offline,
        Err(e) => match e.code() {
            Some(ErrorCode::Conflict) => Msg::ClaimTaken,
            Some(ErrorCode::OwnedLimitReached) => Msg::ClaimLimit,
            Some(ErrorCode::ClaimQuotaExceeded) => Msg::ClaimQuota,
            _ => Msg::SomethingWrong,
        },
    }
}

/// A Claim button: claims `customer_id` and hands the answer to `on_done`.
#[component]
pub fn ClaimButton(customer_id: Uuid, on_done: Callback<Result<Customer, ApiError>>) -> impl IntoView {
    let busy = RwSignal::new(false);
    let claim = move |_| {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        leptos::task::spawn_local(async move {
            let result = api::claim_customer(customer_id).await;
            busy.set(false);
            on_done.run(result);
        });
    };
    view! {
        <button class="btn small primary claim" type="button" disabled=move || busy.get() on:click=claim>
            {tr(Msg::Claim)}
        </button>
    }
}

/// What the new-customer form shows for a 409 `duplicate_customer`: who owns
/// the existing customer (or that it is in the pool), a link to it, and Claim
/// when it is in the pool.
#[component]
pub fn DuplicateNotice(duplicate: DuplicateCustomer) -> impl IntoView {
    let i18n = use_i18n();
    let message = RwSignal::new(None::<Msg>);
    let href = format!("/customers/{}", duplicate.customer_id);
    let owner = duplicate.owner.clone();
    let text = move || match &owner {
        Some(owner) => format!("{} {} · {}", i18n.t(Msg::DuplicateOwned), owner.name, i18n.t(Msg::DuplicateAskOwner)),
        None => i18n.t(Msg::DuplicateInPool).to_owned(),
    };
    let navigate = leptos_router::hooks::use_navigate();
    let on_done = Callback::new(move |result: Result<Customer, ApiError>| {
        message.set(Some(claim_msg(&result)));
        if let Ok(c) = result {
            navigate(&format!("/customers/{}", c.id), Default::default());
        }
    });
    view! {
        <div class="card duplicate" role="alert">
            <p>{text}</p>
            <div class="actions">
                <a class="btn" href=href>{tr(Msg::OpenCustomer)}</a>
                {duplicate.in_pool.then(|| view! { <ClaimButton customer_id=duplicate.customer_id on_done/> })}
            </div>
            <p class="form-status" role="status">{move || message.get().map(|m| i18n.t(m))}</p>
        </div>
    }
}

/// The existing customer named by a 409 `duplicate_customer`, if that is the error.
pub fn duplicate_of(error: &ApiError) -> Option<DuplicateCustomer> {
    if error.code() != Some(ErrorCode::DuplicateCustomer) {
        return None;
    }
    error.details().and_then(|d| serde_json::from_value(d.clone()).ok())
}
