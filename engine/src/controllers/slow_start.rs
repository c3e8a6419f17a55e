//! Upstream's `slowStartBatch` (`pkg/controller/controller_utils.go`): creations in batches
//! of 1, 2, 4, … that stop after a batch with a failure, so a controller whose creates are
//! refused (a quota, the scale envelope) makes one request, not thousands.

/// Most pods a ReplicaSet, ReplicationController or Job sync creates (`BurstReplicas`,
/// `MaxPodCreateDeletePerSync`): the rest wait for the next sync.
pub const BURST: usize = 500;

/// Calls `create` up to `count` times (at most [`BURST`]) in doubling batches from 1;
/// stops after the first batch in which one failed. Returns how many succeeded.
pub fn slow_start(count: usize, mut create: impl FnMut() -> bool) -> usize {
    let mut left = count.min(BURST);
    let mut batch = 1;
    let mut created = 0;
    while left > 0 {
        let size = batch.min(left);
        let ok = (0..size).filter(|_| create()).count();
        created += ok;
        if ok < size {
            break;
        }
        left -= size;
        batch *= 2;
    }
    created
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_double_and_stop_after_a_failure() {
        let mut calls = 0;
        assert_eq!(
            slow_start(100_000, || {
                calls += 1;
                true
            }),
            BURST
        );
        assert_eq!(calls, BURST);
        // The 4th call fails: the batch of 2 (calls 2-3) succeeded, the batch of 4 stops
        // the run after all of its calls.
        let mut n = 0;
        let created = slow_start(10, || {
            n += 1;
            n != 4
        });
        assert_eq!((created, n), (6, 7));
        assert_eq!(slow_start(0, || true), 0);
    }
}
