//! The retransmission timer: RFC 6298's estimator of a smoothed round trip (SRTT) and its
//! variation (RTTVAR), `RTO = SRTT + max(G, 4·RTTVAR)`, clamped to `[min, max]`, with
//! exponential back-off after a timeout.
//!
//! The driver feeds it the part of a round trip that the nominal wire time does not explain
//! (latency of a USB bridge, the board's execution, a slow or busy host); it adds the wire time
//! of each request itself, so one estimator serves requests of any size. Karn's rule (no sample
//! from a request sent more than once) is the caller's: it calls [`Rto::sample`] only for
//! requests sent once.

use std::time::Duration;

/// The clock granularity `G`: the driver checks its timer once per transport read, and a serial
/// port read returns after at most 20 ms.
pub const GRANULARITY: Duration = Duration::from_millis(20);

/// Back-off doublings past which the timer stays at `max` anyway.
const MAX_BACKOFF: u32 = 16;

/// RFC 6298 state (see the module doc).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rto {
    srtt: Option<Duration>,
    rttvar: Duration,
    backoff: u32,
    initial: Duration,
    min: Duration,
    max: Duration,
}

impl Rto {
    /// A timer that waits `initial` until the first sample, and then never less than `min` nor,
    /// when backed off, more than `max` (unless `initial` or the estimate itself is larger).
    pub fn new(initial: Duration, min: Duration, max: Duration) -> Self {
        Rto { srtt: None, rttvar: Duration::ZERO, backoff: 0, initial, min, max: max.max(min) }
    }

    /// Takes a round-trip sample from a request that was sent exactly once (RFC 6298 §2.2–2.3,
    /// α = 1/8, β = 1/4; RTTVAR is updated with the old SRTT first). A new sample ends any
    /// back-off (§5.7's recomputation).
    pub fn sample(&mut self, r: Duration) {
        match self.srtt {
            None => {
                self.srtt = Some(r);
                self.rttvar = r / 2;
            }
            Some(s) => {
                self.rttvar = self.rttvar * 3 / 4 + s.abs_diff(r) / 4;
                self.srtt = Some(s * 7 / 8 + r / 8);
            }
        }
        self.backoff = 0;
    }

    /// Doubles the timeout after a timer expiry (§5.5), up to `max`.
    pub fn back_off(&mut self) {
        self.backoff = (self.backoff + 1).min(MAX_BACKOFF);
    }

    /// The estimate without back-off: `initial` before the first sample, else
    /// `SRTT + max(G, 4·RTTVAR)`, at least `min`.
    pub fn base(&self) -> Duration {
        match self.srtt {
            None => self.initial,
            Some(s) => (s + GRANULARITY.max(self.rttvar * 4)).max(self.min),
        }
    }

    /// The current timeout: the base doubled once per back-off, capped at `max` (a base above
    /// `max` is kept: the cap limits back-off, not what the link has shown it needs).
    pub fn rto(&self) -> Duration {
        let base = self.base();
        let backed = base.saturating_mul(1 << self.backoff);
        backed.min(self.max.max(base))
    }

    /// The smoothed sample, once there is one.
    pub fn srtt(&self) -> Option<Duration> {
        self.srtt
    }

    /// The smoothed variation.
    pub fn rttvar(&self) -> Duration {
        self.rttvar
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(v: u64) -> Duration {
        Duration::from_millis(v)
    }

    #[test]
    fn initial_then_first_sample() {
        let mut t = Rto::new(ms(1000), ms(0), ms(60_000));
        assert_eq!(t.rto(), ms(1000));
        t.sample(ms(100));
        // SRTT = 100, RTTVAR = 50, RTO = 100 + 4·50.
        assert_eq!((t.srtt(), t.rttvar(), t.rto()), (Some(ms(100)), ms(50), ms(300)));
    }

    #[test]
    fn hand_computed_sequence() {
        let mut t = Rto::new(ms(1000), ms(0), ms(60_000));
        t.sample(ms(80)); // SRTT 80, RTTVAR 40
        t.sample(ms(160)); // RTTVAR = 30 + |80−160|/4 = 50; SRTT = 70 + 20 = 90
        assert_eq!((t.srtt(), t.rttvar(), t.rto()), (Some(ms(90)), ms(50), ms(290)));
        t.sample(ms(90)); // RTTVAR = 37.5 + 0 = 37.5; SRTT = 78.75 + 11.25 = 90
        assert_eq!((t.srtt(), t.rttvar()), (Some(ms(90)), Duration::from_micros(37_500)));
        assert_eq!(t.rto(), ms(240));
        // A steady link: RTTVAR decays until G is what remains above SRTT.
        for _ in 0..200 {
            t.sample(ms(90));
        }
        assert_eq!(t.rto(), ms(90) + GRANULARITY);
    }

    #[test]
    fn min_floor_and_zero_samples() {
        let mut t = Rto::new(ms(1000), ms(200), ms(4000));
        t.sample(Duration::ZERO);
        assert_eq!(t.rto(), ms(200));
        let mut t = Rto::new(ms(1000), ms(0), ms(4000));
        t.sample(Duration::ZERO);
        assert_eq!(t.rto(), GRANULARITY);
    }

    #[test]
    fn back_off_doubles_up_to_the_cap_and_a_sample_ends_it() {
        let mut t = Rto::new(ms(1000), ms(200), ms(5000));
        let mut seen = Vec::new();
        for _ in 0..6 {
            seen.push(t.rto().as_millis());
            t.back_off();
        }
        assert_eq!(seen, [1000, 2000, 4000, 5000, 5000, 5000]);
        for _ in 0..40 {
            t.back_off(); // never overflows
        }
        assert_eq!(t.rto(), ms(5000));
        t.sample(ms(100));
        assert_eq!(t.rto(), ms(300));
    }

    #[test]
    fn a_base_above_the_cap_is_kept() {
        let mut t = Rto::new(ms(9000), ms(200), ms(5000));
        assert_eq!(t.rto(), ms(9000));
        t.back_off();
        assert_eq!(t.rto(), ms(9000));
    }
}
