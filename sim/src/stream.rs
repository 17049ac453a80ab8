//! Feeding a stream of beats through a [`Sim`] under random back-pressure.
//!
//! [`run_stream`] plays both ends of the design's streams, one cycle per iteration:
//!
//! * **Input side.** Beats are offered in order. Each cycle the testbench stalls with
//!   probability [`Backpressure::in_stall`]; a stalled cycle has `in_valid` low, otherwise
//!   `in_valid` is high with the current beat. `in_data` stays the same beat until it is
//!   accepted (`in_valid && in_ready` at a rising edge), as the AXI-stream rule demands; unlike
//!   a strict AXI master the testbench may lower `in_valid` again before acceptance, which a
//!   valid/ready design must tolerate as well.
//! * **Output side.** Each cycle `out_ready` is low with probability
//!   [`Backpressure::out_stall`]; a beat is taken when `out_valid && out_ready` at a rising
//!   edge.
//! * Stall decisions come from a ChaCha8 generator seeded with [`Backpressure::seed`], so a
//!   run is reproducible. With zero probabilities no random numbers are drawn at all.
//!
//! The run ends once all inputs were accepted and `expected_out_beats` outputs arrived. Then
//! [`DRAIN_CYCLES`] more cycles run with `out_ready` high and no input: an output beat in
//! them (or any beat beyond the expected count earlier) is [`SimError::ExtraOutput`]. If the
//! run is not done within `max_cycles` cycles, it fails with [`SimError::Deadlock`] and the
//! counts so far. The design is not reset here (call [`Sim::reset`] first); on return
//! `in_valid` and `out_ready` are low.
//!
//! Each cycle is a single call into the library (set inputs, eval, sample, tick) with no
//! allocation; only each output beat allocates its `Vec`.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::error::SimError;
use crate::sim::Sim;
use crate::wrapper::{FLAG_IN_READY, FLAG_OUT_VALID};

/// Cycles simulated after the last expected output beat, checking that no further one appears.
pub const DRAIN_CYCLES: u64 = 32;

/// Random back-pressure applied by the testbench.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Backpressure {
    /// Probability, per cycle, that the testbench withholds `in_valid`. In `[0, 1)`.
    pub in_stall: f64,
    /// Probability, per cycle, that the testbench withholds `out_ready`. In `[0, 1)`.
    pub out_stall: f64,
    /// Seed of the stall decisions.
    pub seed: u64,
}

impl Backpressure {
    /// No back-pressure: `in_valid` high whenever a beat is waiting, `out_ready` always high.
    pub const NONE: Backpressure = Backpressure {
        in_stall: 0.0,
        out_stall: 0.0,
        seed: 0,
    };

    fn check(&self) -> Result<(), SimError> {
        for (name, p) in [("in_stall", self.in_stall), ("out_stall", self.out_stall)] {
            if !(0.0..1.0).contains(&p) {
                return Err(SimError::InvalidInput(format!(
                    "Backpressure::{name} = {p}, must be in [0, 1)"
                )));
            }
        }
        Ok(())
    }
}

impl Default for Backpressure {
    fn default() -> Self {
        Backpressure::NONE
    }
}

/// What a stream run observed. Cycle numbers count from 0 at the first cycle of the run; add
/// [`StreamRun::start_cycle`] for the [`Sim::cycle`] value (and `10 ×` that for VCD time).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamRun {
    /// The output beats, in order, each `out_words` little-endian words.
    pub outputs: Vec<Vec<u64>>,
    /// The cycle in which each output beat was taken.
    pub out_cycles: Vec<u64>,
    /// The cycle in which each input beat was accepted.
    pub in_cycles: Vec<u64>,
    /// Cycles from the start of the run until it was done (all inputs in, all outputs out),
    /// not counting the drain check.
    pub cycles: u64,
    /// [`Sim::cycle`] when the run started.
    pub start_cycle: u64,
}

/// Streams `inputs` (one entry per input beat, little-endian words, at most `in_words` words
/// and no bits above `in_bits`) through `sim` and collects `expected_out_beats` output beats.
///
/// `progress` is called with the number of output beats received after each one. See the
/// [module doc](self) for the exact protocol, the end condition and the errors.
pub fn run_stream(
    sim: &mut Sim,
    inputs: &[Vec<u64>],
    expected_out_beats: usize,
    bp: &Backpressure,
    max_cycles: u64,
    progress: Option<&dyn Fn(u64)>,
) -> Result<StreamRun, SimError> {
    bp.check()?;
    check_inputs(sim, inputs)?;

    let mut rng = ChaCha8Rng::seed_from_u64(bp.seed);
    let start_cycle = sim.cycle();
    let mut outputs: Vec<Vec<u64>> = Vec::with_capacity(expected_out_beats);
    let mut out_cycles = Vec::with_capacity(expected_out_beats);
    let mut in_cycles = Vec::with_capacity(inputs.len());
    let mut next_in = 0usize;
    if let Some(first) = inputs.first() {
        load_beat(sim, first);
    }

    let mut elapsed = 0u64;
    while next_in < inputs.len() || outputs.len() < expected_out_beats {
        if elapsed >= max_cycles {
            let _ = sim.settle(false, false);
            return Err(SimError::Deadlock {
                max_cycles,
                cycles: elapsed,
                in_beats: next_in,
                in_total: inputs.len(),
                out_beats: outputs.len(),
                out_expected: expected_out_beats,
            });
        }
        let in_valid = next_in < inputs.len() && !(bp.in_stall > 0.0 && rng.gen_bool(bp.in_stall));
        let out_ready = !(bp.out_stall > 0.0 && rng.gen_bool(bp.out_stall));
        let flags = sim.step(in_valid, out_ready)?;
        if in_valid && flags & FLAG_IN_READY != 0 {
            in_cycles.push(elapsed);
            next_in += 1;
            if let Some(beat) = inputs.get(next_in) {
                load_beat(sim, beat);
            }
        }
        if out_ready && flags & FLAG_OUT_VALID != 0 {
            if outputs.len() == expected_out_beats {
                let _ = sim.settle(false, false);
                return Err(SimError::ExtraOutput {
                    beat: outputs.len() + 1,
                    cycle: elapsed,
                    expected: expected_out_beats,
                });
            }
            outputs.push(sim.out_buf.clone());
            out_cycles.push(elapsed);
            if let Some(p) = progress {
                p(outputs.len() as u64);
            }
        }
        elapsed += 1;
    }
    let cycles = elapsed;

    for _ in 0..DRAIN_CYCLES {
        let flags = sim.step(false, true)?;
        if flags & FLAG_OUT_VALID != 0 {
            let _ = sim.settle(false, false);
            return Err(SimError::ExtraOutput {
                beat: outputs.len() + 1,
                cycle: elapsed,
                expected: expected_out_beats,
            });
        }
        elapsed += 1;
    }
    sim.settle(false, false)?;
    Ok(StreamRun {
        outputs,
        out_cycles,
        in_cycles,
        cycles,
        start_cycle,
    })
}

fn check_inputs(sim: &Sim, inputs: &[Vec<u64>]) -> Result<(), SimError> {
    let (bits, words) = (sim.in_bits(), sim.in_words());
    for (i, beat) in inputs.iter().enumerate() {
        if beat.len() > words {
            return Err(SimError::InvalidInput(format!(
                "input beat {i} has {} words, the {bits}-bit in_data port takes {words}",
                beat.len()
            )));
        }
        let rem = bits % 64;
        let stray = rem != 0 && beat.get(bits / 64).is_some_and(|w| w >> rem != 0);
        if stray {
            return Err(SimError::InvalidInput(format!(
                "input beat {i} has bits set above bit {} of the {bits}-bit in_data port",
                bits - 1
            )));
        }
    }
    Ok(())
}

fn load_beat(sim: &mut Sim, beat: &[u64]) {
    let n = beat.len();
    sim.in_buf[..n].copy_from_slice(beat);
    sim.in_buf[n..].fill(0);
}
