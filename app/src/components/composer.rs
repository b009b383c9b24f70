//! Log what just happened in a few taps: kind, outcome, an optional note,
//! and the next follow-up. Entries go through the outbox, so they survive
//! a lost connection.

use crate::format::{self, FollowUpPreset};
use crate::i18n::{Msg, tr, use_i18n};
use crate::outbox::use_outbox;
use leptos::prelude::*;
use rapport_shared::activity::{ActivityKind, NewActivity, Outcome};
use uuid::Uuid;

pub const KINDS: [(ActivityKind, Msg); 6] = [
    (ActivityKind::Call, Msg::KindCall),
    (ActivityKind::Visit, Msg::KindVisit),
    (ActivityKind::Message, Msg::KindMessage),
    (ActivityKind::Email, Msg::KindEmail),
    (ActivityKind::Meeting, Msg::KindMeeting),
    (ActivityKind::Note, Msg::KindNote),
];

const OUTCOMES: [(Outcome, Msg); 5] = [
    (Outcome::Reached, Msg::OutcomeReached),
    (Outcome::NoAnswer, Msg::OutcomeNoAnswer),
    (Outcome::Interested, Msg::OutcomeInterested),
    (Outcome::NotInterested, Msg::OutcomeNotInterested),
    (Outcome::FollowUpNeeded, Msg::OutcomeFollowUp),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FollowUp {
    None,
    Preset(FollowUpPreset),
    Pick,
}

const FOLLOW_UPS: [(FollowUp, Msg); 5] = [
    (FollowUp::None, Msg::NoFollowUp),
    (FollowUp::Preset(FollowUpPreset::Tomorrow9), Msg::Tomorrow9),
    (FollowUp::Preset(FollowUpPreset::In3Days), Msg::In3Days),
    (FollowUp::Preset(FollowUpPreset::NextWeek), Msg::NextWeek),
    (FollowUp::Pick, Msg::PickDate),
];

/// The activity form for one customer; it says whether the entry reached the
/// server or waits in the outbox.
#[component]
pub fn Composer(customer_id: Uuid, #[prop(into)] customer_name: String) -> impl IntoView {
    let i18n = use_i18n();
    let outbox = use_outbox();
    let kind = RwSignal::new(ActivityKind::Call);
    let outcome = RwSignal::new(None::<Outcome>);
    let note = RwSignal::new(String::new());
    let follow_up = RwSignal::new(FollowUp::None);
    let picked = RwSignal::new(String::new());
    let status = RwSignal::new(None::<Msg>);
    let busy = RwSignal::new(false);

    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let now = format::now();
        let next_follow_up_at = match follow_up.get_untracked() {
            FollowUp::None => None,
            FollowUp::Preset(p) => format::follow_up_at(p),
            FollowUp::Pick => format::from_local_input(&picked.get_untracked()),
        };
        let input = NewActivity {
            kind: kind.get_untracked(),
            direction: None,
            outcome: outcome.get_untracked(),
            // The time of entry, not of sending: an entry made offline keeps it.
            occurred_at: Some(now),
            duration_secs: None,
            contact_id: None,
            body: Some(note.get_untracked()).filter(|n| !n.trim().is_empty()),
            next_follow_up_at,
        };
        if let Err(errors) = input.validate(now) {
            status.set(Some(if errors.get("next_follow_up_at").is_some() {
                Msg::ErrFollowUpOrder
            } else if errors.get("body").is_some() {
                Msg::ErrTooLong
            } else {
                Msg::ErrInvalid
            }));
            return;
        }
        busy.set(true);
        let name = customer_name.clone();
        leptos::task::spawn_local(async move {
            let sent = outbox.submit(customer_id, name, input).await;
            note.set(String::new());
            outcome.set(None);
            follow_up.set(FollowUp::None);
            picked.set(String::new());
            status.set(Some(if sent { Msg::ActivitySaved } else { Msg::WaitingHint }));
            busy.set(false);
        });
    };

    view! {
        <form class="composer" on:submit=save novalidate>
            <div class="chips wrap" role="radiogroup" aria-label=tr(Msg::LogActivity)>
                {KINDS
                    .into_iter()
                    .map(|(k, m)| view! {
                        <button type="button" class=format!("chip kind-{}", k.as_str()) role="radio"
                            aria-checked=move || (kind.get() == k).to_string() on:click=move |_| kind.set(k)>
                            {tr(m)}
                        </button>
                    })
                    .collect_view()}
            </div>
            <div class="chips wrap" role="group" aria-label=tr(Msg::Outcome)>
                {OUTCOMES
                    .into_iter()
                    .map(|(o, m)| view! {
                        <button type="button" class="chip small" aria-pressed=move || (outcome.get() == Some(o)).to_string()
                            on:click=move |_| outcome.update(|c| *c = if *c == Some(o) { None } else { Some(o) })>
                            {tr(m)}
                        </button>
                    })
                    .collect_view()}
            </div>
            <label class="label" for="composer-note">{tr(Msg::NoteLabel)}</label>
            <textarea id="composer-note" name="note" rows="3" prop:value=move || note.get()
                on:input=move |ev| note.set(event_target_value(&ev))></textarea>
            <span class="label">{tr(Msg::NextFollowUp)}</span>
            <div class="chips wrap" role="radiogroup" aria-label=tr(Msg::NextFollowUp)>
                {FOLLOW_UPS
                    .into_iter()
                    .map(|(f, m)| view! {
                        <button type="button" class="chip small" role="radio" aria-checked=move || (follow_up.get() == f).to_string()
                            on:click=move |_| follow_up.set(f)>
                            {tr(m)}
                        </button>
                    })
                    .collect_view()}
            </div>
            <Show when=move || follow_up.get() == FollowUp::Pick>
                <input type="datetime-local" name="follow_up_at" aria-label=tr(Msg::PickDate) class="input"
                    prop:value=move || picked.get() on:input=move |ev| picked.set(event_target_value(&ev))/>
            </Show>
            <p class="form-status" role="status">{move || status.get().map(|m| i18n.t(m))}</p>
            <button class="btn primary block" type="submit" disabled=move || busy.get()>
                {move || if busy.get() { i18n.t(Msg::Saving) } else { i18n.t(Msg::Save) }}
            </button>
        </form>
    }
}
