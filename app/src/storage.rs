//! The saved session in `localStorage`: read once at start-up, written after changes.
//! Storage may be missing or full (private windows, quotas): then nothing is saved and the
//! page still works.

use leptos::web_sys::{self, Storage};

use crate::journal::{LoadError, Record, STORAGE_KEY};

fn local_storage() -> Option<Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// The saved record: `Ok(None)` when there is none, `Err` when one was found but unusable
/// (it is then removed, so the next start is clean).
pub fn load() -> Result<Option<Record>, LoadError> {
    let Some(storage) = local_storage() else {
        return Ok(None);
    };
    let Ok(Some(text)) = storage.get_item(STORAGE_KEY) else {
        return Ok(None);
    };
    match Record::decode(&text) {
        Ok(record) => Ok(Some(record)),
        Err(e) => {
            let _ = storage.remove_item(STORAGE_KEY);
            Err(e)
        }
    }
}

/// What became of a save.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Saved {
    /// The record is stored.
    Stored,
    /// This browser gives the page no storage (nothing is ever saved).
    NoStorage,
    /// Storage refused the record (its quota is full).
    Refused,
}

/// Writes the record.
pub fn save(record: &Record) -> Saved {
    match local_storage() {
        None => Saved::NoStorage,
        Some(s) if s.set_item(STORAGE_KEY, &record.encode()).is_ok() => Saved::Stored,
        Some(_) => Saved::Refused,
    }
}

/// Removes the saved record.
pub fn clear() {
    if let Some(s) = local_storage() {
        let _ = s.remove_item(STORAGE_KEY);
    }
}
