//! The customer screens: list, 360 page, create and edit.

pub mod card;
pub mod detail;
pub mod form;
pub mod list;
pub mod playbooks;
pub mod pool;

use crate::i18n::Msg;
use rapport_shared::customer::LifecycleStatus;

/// The label of a lifecycle status.
pub fn status_msg(status: LifecycleStatus) -> Msg {
    match status {
        LifecycleStatus::Lead => Msg::StatusLead,
        LifecycleStatus::Prospect => Msg::StatusProspect,
        LifecycleStatus::Customer => Msg::StatusCustomer,
        LifecycleStatus::Lost => Msg::StatusLost,
    }
}
