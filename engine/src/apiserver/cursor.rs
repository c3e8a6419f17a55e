//! Watch cursors: each reader's place in the watch log, known to the store, so the log keeps
//! only the events some live reader has not read yet (memory follows the live objects, not
//! the history). A dropped cursor holds nothing back.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, Weak};

/// What a cursor and the store share.
#[derive(Debug, Default)]
struct Place {
    /// The number of the next event the reader will read.
    next: AtomicUsize,
    /// Whether the store knows of this cursor.
    registered: AtomicBool,
}

/// A reader's place in the watch log (an informer's resourceVersion). Made by
/// [`super::ApiServer::watch`] (from now on) or `Default` (from the first event, known to
/// the store from its first read). A clone is a separate reader at the same place.
#[derive(Debug, Default)]
pub struct Cursor(Arc<Place>);

impl Clone for Cursor {
    fn clone(&self) -> Self {
        Cursor::at(self.next())
    }
}

impl Cursor {
    /// A cursor (not yet registered) whose next event is number `next`.
    pub(super) fn at(next: usize) -> Self {
        Cursor(Arc::new(Place {
            next: AtomicUsize::new(next),
            registered: AtomicBool::new(false),
        }))
    }

    /// The number of the next event this reader reads.
    pub fn next(&self) -> usize {
        self.0.next.load(Ordering::Relaxed)
    }

    /// Marks every event before number `end` read.
    pub(super) fn set(&self, end: usize) {
        self.0.next.store(end, Ordering::Relaxed);
    }
}

/// The cursors the store knows, as weak references: a reader that is gone drops out.
#[derive(Debug, Default)]
pub(super) struct Readers(Mutex<Vec<Weak<Place>>>);

impl Clone for Readers {
    fn clone(&self) -> Self {
        Readers(Mutex::new(self.lock().clone()))
    }
}

impl Readers {
    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Weak<Place>>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Makes `cursor` known, once.
    pub(super) fn register(&self, cursor: &Cursor) {
        if !cursor.0.registered.swap(true, Ordering::Relaxed) {
            self.lock().push(Arc::downgrade(&cursor.0));
        }
    }

    /// The lowest place of a live reader (`end` when there is none); forgets dropped ones.
    pub(super) fn low_water(&mut self, end: usize) -> usize {
        let readers = self.0.get_mut().unwrap_or_else(|e| e.into_inner());
        let mut low = end;
        readers.retain(|w| match w.upgrade() {
            Some(place) => {
                low = low.min(place.next.load(Ordering::Relaxed));
                true
            }
            None => false,
        });
        low
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_low_water_mark_follows_live_readers_only() {
        let mut readers = Readers::default();
        let (a, b) = (Cursor::at(3), Cursor::at(7));
        readers.register(&a);
        readers.register(&b);
        readers.register(&a);
        assert_eq!(readers.low_water(10), 3);
        drop(a);
        assert_eq!(readers.low_water(10), 7);
        b.set(10);
        assert_eq!(readers.low_water(12), 10);
        drop(b);
        assert_eq!(readers.low_water(12), 12);
        assert!(readers.lock().is_empty());
        // A clone is its own reader, unknown until it is registered.
        let c = Cursor::at(4);
        let d = c.clone();
        d.set(9);
        assert_eq!((c.next(), d.next()), (4, 9));
    }
}
