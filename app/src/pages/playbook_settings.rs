//! Admin settings of follow-up playbooks: ordered steps (day, time, channel,
//! what to do, a script), optionally started when a deal enters a stage.
//! The shared rules check the form before it is sent; the server checks again.

use crate::api::{self, ApiError};
use crate::browser;
use crate::components::composer::KINDS;
use crate::components::states::{ErrorView, Skeleton};
use crate::i18n::{Msg, field_error, tr, use_i18n};
use crate::load::Load;
use chrono::NaiveTime;
use leptos::prelude::*;
use rapport_shared::activity::ActivityKind;
use rapport_shared::pipeline::{Stage, StageKind};
use rapport_shared::playbook::{NewPlaybook, Playbook, PlaybookPatch, PlaybookStep};
use rapport_shared::validate::FieldErrors;
use uuid::Uuid;

/// One step row of the editor; every field a signal so typing keeps focus.
#[derive(Clone, Copy)]
struct StepRow {
    key: u32,
    day: RwSignal<String>,
    time: RwSignal<String>,
    channel: RwSignal<String>,
    title: RwSignal<String>,
    script: RwSignal<String>,
}

impl StepRow {
    fn new(key: u32, step: Option<&PlaybookStep>) -> Self {
        Self {
            key,
            day: RwSignal::new(step.map_or_else(|| "0".into(), |s| s.day_offset.to_string())),
            time: RwSignal::new(step.map_or_else(|| "09:00".into(), |s| s.time.format("%H:%M").to_string())),
            channel: RwSignal::new(step.map_or(ActivityKind::Call, |s| s.channel).as_str().to_owned()),
            title: RwSignal::new(step.map(|s| s.title.clone()).unwrap_or_default()),
            script: RwSignal::new(step.and_then(|s| s.script.clone()).unwrap_or_default()),
        }
    }

    /// The step as typed; unreadable numbers and times become values the
    /// shared rules reject, so the error shows at the right field.
    fn step(&self) -> PlaybookStep {
        let script = self.script.get_untracked();
        PlaybookStep {
            day_offset: self.day.get_untracked().trim().parse().unwrap_or(u16::MAX),
            time: NaiveTime::parse_from_str(&self.time.get_untracked(), "%H:%M").unwrap_or_default(),
            channel: ActivityKind::parse(&self.channel.get_untracked()).unwrap_or(ActivityKind::Call),
            title: self.title.get_untracked(),
            script: (!script.trim().is_empty()).then_some(script),
        }
    }
}

/// What the editor is working on.
#[derive(Clone, Copy, PartialEq)]
enum Editing {
    Closed,
    New,
    Existing(Uuid),
}

#[component]
pub fn PlaybookSettings() -> impl IntoView {
    let i18n = use_i18n();
    let books = Load::new(api::playbooks);
    let stages = Load::new(|| async {
        api::pipelines().await.map(|list| {
            list.into_iter().flat_map(|p| p.stages).filter(|s| s.kind == StageKind::Open).collect::<Vec<Stage>>()
        })
    });
    let editing = RwSignal::new(Editing::Closed);
    let name = RwSignal::new(String::new());
    let trigger = RwSignal::new(String::new());
    let rows = RwSignal::new(Vec::<StepRow>::new());
    let next_key = StoredValue::new(0u32);
    let errors = RwSignal::new(FieldErrors::default());
    let message = RwSignal::new(None::<Msg>);

    let add_row = move |step: Option<&PlaybookStep>| {
        let key = next_key.get_value();
        next_key.set_value(key + 1);
        rows.update(|r| r.push(StepRow::new(key, step)));
    };
    let open = move |book: Option<Playbook>| {
        errors.set(FieldErrors::default());
        message.set(None);
        rows.set(Vec::new());
        match &book {
            Some(b) => {
                name.set(b.name.clone());
                trigger.set(b.trigger_stage_id.map(|id| id.to_string()).unwrap_or_default());
                b.steps.iter().for_each(|s| add_row(Some(s)));
                editing.set(Editing::Existing(b.id));
            }
            None => {
                name.set(String::new());
                trigger.set(String::new());
                add_row(None);
                editing.set(Editing::New);
            }
        }
    };
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let input = NewPlaybook {
            name: name.get_untracked(),
            steps: rows.get_untracked().iter().map(StepRow::step).collect(),
            trigger_stage_id: Uuid::parse_str(&trigger.get_untracked()).ok(),
        };
        if let Err(e) = input.validate() {
            errors.set(e);
            message.set(Some(Msg::FixErrors));
            return;
        }
        errors.set(FieldErrors::default());
        let target = editing.get_untracked();
        leptos::task::spawn_local(async move {
            let result = match target {
                Editing::Existing(id) => {
                    let patch = PlaybookPatch {
                        name: Some(input.name),
                        steps: Some(input.steps),
                        trigger_stage_id: Some(input.trigger_stage_id),
                    };
                    api::update_playbook(id, &patch).await
                }
                _ => api::create_playbook(&input).await,
            };
            match result {
                Ok(_) => {
                    editing.set(Editing::Closed);
                    message.set(Some(Msg::Saved));
                    books.refetch();
                }
                Err(ApiError::Network) => message.set(Some(Msg::Offline)),
                Err(_) => message.set(Some(Msg::SomethingWrong)),
            }
        });
    };
    let remove = move |id: Uuid| {
        if !browser::confirm(i18n.t(Msg::ConfirmRemovePlaybook)) {
            return;
        }
        leptos::task::spawn_local(async move {
            message.set(Some(match api::delete_playbook(id).await {
                Ok(()) => Msg::Saved,
                Err(ApiError::Network) => Msg::Offline,
                Err(_) => Msg::SomethingWrong,
            }));
            books.refetch();
        });
    };
    let stage_name = move |id: Option<Uuid>| {
        let id = id?;
        stages.get()?.ok()?.into_iter().find(|s| s.id == id).map(|s| s.name)
    };
    let err = move |f: String| Signal::derive(move || errors.with(|e| e.get(&f).map(field_error)));

    view! {
        <section class="card playbook-settings">
            <div class="section-head">
                <h2>{tr(Msg::Playbooks)}</h2>
                <button class="btn small" type="button" on:click=move |_| open(None)>{tr(Msg::NewPlaybook)}</button>
            </div>
            <p class="muted small-print">{tr(Msg::PlaybooksHint)}</p>
            <p class="form-status" role="status">{move || message.get().map(|m| i18n.t(m))}</p>
            <Show when=move || editing.get() != Editing::Closed>
                <form class="playbook-form" on:submit=save novalidate>
                    <label class="field">
                        <span>{tr(Msg::PlaybookName)}</span>
                        <input class="input" name="playbook_name" bind:value=name/>
                        <span class="field-error">{move || err("name".into()).get().map(|m| i18n.t(m))}</span>
                    </label>
                    <label class="field">
                        <span>{tr(Msg::StartsWhenDealEnters)}</span>
                        <select class="input" name="trigger" prop:value=move || trigger.get()
                            on:change=move |ev| trigger.set(event_target_value(&ev))>
                            <option value="">{tr(Msg::OnlyByHand)}</option>
                            {move || match stages.get() {
                                Some(Ok(list)) => list.into_iter().map(|s| view! { <option value=s.id.to_string()>{s.name}</option> }).collect_view().into_any(),
                                _ => ().into_any(),
                            }}
                        </select>
                    </label>
                    <ol class="step-list">
                        <For each=move || rows.get().into_iter().enumerate() key=|(_, r)| r.key let:((i, row))>
                            <li class="step-row">
                                <div class="step-when">
                                    <label class="inline-field"><span class="muted">{tr(Msg::Day)}</span>
                                        <input class="input narrow" type="number" min="0" max="365" inputmode="numeric"
                                            aria-label=tr(Msg::Day) bind:value=row.day/>
                                    </label>
                                    <input class="input time" type="time" aria-label=tr(Msg::Time) bind:value=row.time/>
                                    <select class="input narrow" aria-label=tr(Msg::Channel) prop:value=move || row.channel.get()
                                        on:change=move |ev| row.channel.set(event_target_value(&ev))>
                                        {KINDS.iter().map(|(k, m)| view! { <option value=k.as_str()>{tr(*m)}</option> }).collect_view()}
                                    </select>
                                    <button class="btn small" type="button" aria-label=tr(Msg::Remove)
                                        on:click=move |_| rows.update(|r| r.retain(|x| x.key != row.key))>"✕"</button>
                                </div>
                                <span class="field-error">{move || err(format!("steps[{i}].day_offset")).get().map(|m| i18n.t(m))}</span>
                                <input class="input" aria-label=tr(Msg::StepTitle) placeholder=move || i18n.t(Msg::StepTitle) bind:value=row.title/>
                                <span class="field-error">{move || err(format!("steps[{i}].title")).get().map(|m| i18n.t(m))}</span>
                                <textarea class="input" rows="2" aria-label=tr(Msg::Script) placeholder=move || i18n.t(Msg::Script)
                                    bind:value=row.script></textarea>
                            </li>
                        </For>
                    </ol>
                    <span class="field-error">{move || err("steps".into()).get().map(|m| i18n.t(m))}</span>
                    <div class="actions">
                        <button class="btn" type="button" on:click=move |_| add_row(None)>{tr(Msg::AddStep)}</button>
                        <button class="btn" type="button" on:click=move |_| editing.set(Editing::Closed)>{tr(Msg::Cancel)}</button>
                        <button class="btn primary" type="submit">{tr(Msg::Save)}</button>
                    </div>
                </form>
            </Show>
            {move || match books.get() {
                None => view! { <Skeleton rows=2/> }.into_any(),
                Some(Err(e)) => view! { <ErrorView error=e retry=move |_| books.refetch()/> }.into_any(),
                Some(Ok(list)) if list.is_empty() => view! { <p class="muted">{tr(Msg::NoPlaybooksYet)}</p> }.into_any(),
                Some(Ok(list)) => view! {
                    <ul class="contact-list">
                        {list.into_iter().map(|b| {
                            let (id, edit) = (b.id, b.clone());
                            let trigger = stage_name(b.trigger_stage_id);
                            view! {
                                <li class="contact">
                                    <div>
                                        <strong>{b.name.clone()}</strong>
                                        <span class="muted">" · "{b.steps.len()}" "{tr(Msg::Steps)}</span>
                                        {trigger.map(|t| view! { " "<span class="badge">{tr(Msg::StartsAt)}" "{t}</span> })}
                                    </div>
                                    <div class="actions">
                                        <button class="btn small" type="button" on:click=move |_| open(Some(edit.clone()))>{tr(Msg::Edit)}</button>
                                        <button class="btn small danger" type="button" on:click=move |_| remove(id)>{tr(Msg::Remove)}</button>
                                    </div>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any(),
            }}
        </section>
    }
}
