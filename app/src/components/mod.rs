//! Building blocks shared by pages.

pub mod bell;
pub mod close_deal;
pub mod composer;
pub mod drag;
pub mod field;
pub mod layout;
pub mod owner_chip;
pub mod states;
pub mod timeline;
