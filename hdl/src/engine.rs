//! The design as rust-hdl blocks: one [`Engine`] per dataflow node, chained inside a
//! [`Dataflow`] top level.
//!
//! The number of engines and every width come from the user's model at run time, so the
//! blocks hold them as data: engines are a `Vec` (rust-hdl visits a `Vec` of blocks as
//! numbered instances), stream data ports are run-time-width [`Wire`]s, and each engine's
//! body is a Verilog core specialised to its node (see `blocks/`), which rust-hdl emits as a
//! wrapped core. In simulation each engine runs its [cycle model](crate::model); the lockstep
//! test keeps model and core equal on every port in every cycle.
//!
//! Ports of both (the contract the simulator and board wrappers rely on): `clk`, `rst`
//! (synchronous, active high), `in_data/in_valid/in_ready`, `out_data/out_valid/out_ready`.

use crate::blocks::{engine_kind, Module, WritePort};
use crate::model::CycleModel;
use crate::wire::Wire;
use bitloom_compiler::ir::{DataflowGraph, Node, Stream};
use rust_hdl::core::ast::{Verilog, Wrapper};
use rust_hdl::core::bits::Bit;
use rust_hdl::core::block::Block;
use rust_hdl::core::clock::Clock;
use rust_hdl::core::direction::{In, Out};
use rust_hdl::core::logic::Logic;
use rust_hdl::core::module_defines::ModuleDefines;
use rust_hdl::core::probe::Probe;
use rust_hdl::core::signal::Signal;
use std::fmt::Write;

/// Calls `$method` on each listed port.
macro_rules! visit_ports {
    ($self:ident, $method:ident, [$($port:ident),*]) => {
        $($self.$port.$method();)*
    };
}

/// Whether any listed port changed.
macro_rules! changed {
    ($self:ident, [$($port:ident),*]) => {
        false $(|| $self.$port.has_changed())*
    };
}

/// Lets a probe visit each listed port.
macro_rules! accept_ports {
    ($self:ident, $probe:ident, [$($port:ident),*]) => {
        $($self.$port.accept(stringify!($port), $probe);)*
    };
}

/// One dataflow node as a rust-hdl block.
pub struct Engine {
    /// Clock.
    pub clk: Signal<In, Clock>,
    /// Synchronous reset, active high.
    pub rst: Signal<In, Bit>,
    /// Input beat.
    pub in_data: Wire<In>,
    /// Input beat valid.
    pub in_valid: Signal<In, Bit>,
    /// This engine takes the input beat.
    pub in_ready: Signal<Out, Bit>,
    /// Output beat.
    pub out_data: Wire<Out>,
    /// Output beat valid.
    pub out_valid: Signal<Out, Bit>,
    /// The consumer takes the output beat.
    pub out_ready: Signal<In, Bit>,
    /// Write the memory word `wr_addr` (engines with a writable memory only).
    pub wr_en: Signal<In, Bit>,
    /// Word address of a memory write.
    pub wr_addr: Wire<In>,
    /// The word a memory write stores.
    pub wr_data: Wire<In>,
    core: Module,
    model: Box<dyn CycleModel>,
}

impl Engine {
    /// The engine of `node` between streams `i` and `o`; `module` is unique to the node (see
    /// [`EngineKind::core`](crate::blocks::EngineKind::core)).
    pub fn new(module: &str, node: &Node, i: &Stream, o: &Stream) -> Self {
        let kind = engine_kind(node);
        let (core, model) = (kind.core(module, i, o), kind.model(i, o));
        let port = core.write.unwrap_or(WritePort { width: 1, depth: 1, addr_bits: 1 });
        Engine {
            clk: Signal::default(),
            rst: Signal::default(),
            in_data: Wire::new(i.width()),
            in_valid: Signal::default(),
            in_ready: Signal::default(),
            out_data: Wire::new(o.width()),
            out_valid: Signal::default(),
            out_ready: Signal::default(),
            wr_en: Signal::default(),
            wr_addr: Wire::new(port.addr_bits),
            wr_data: Wire::new(port.width),
            core,
            model,
        }
    }

    /// The Verilog core this engine wraps.
    pub fn core(&self) -> &Module {
        &self.core
    }

    /// The write port of the engine's memory, if it has one (then `wr_en`, `wr_addr` and
    /// `wr_data` are ports; otherwise they are not part of the block).
    pub fn write_port(&self) -> Option<WritePort> {
        self.core.write
    }
}

impl Logic for Engine {
    fn update(&mut self) {
        if self.clk.pos_edge() {
            self.model.clock(self.rst.val(), self.in_valid.val(), self.in_data.val(), self.out_ready.val());
            if self.core.write.is_some() && self.wr_en.val() {
                let addr = self.wr_addr.val().first().copied().unwrap_or(0) as usize;
                self.model.write(addr, self.wr_data.val());
            }
        }
        self.in_ready.next = self.model.in_ready(self.out_ready.val());
        self.out_valid.next = self.model.out_valid();
        self.out_data.drive(&self.model.out_data());
    }

    fn connect(&mut self) {
        self.in_ready.connect();
        self.out_valid.connect();
        self.out_data.connect();
    }

    fn hdl(&self) -> Verilog {
        let mut ports = vec!["clk", "rst", "in_data", "in_valid", "in_ready", "out_data", "out_valid", "out_ready"];
        if self.core.write.is_some() {
            ports.extend(["wr_en", "wr_addr", "wr_data"]);
        }
        let conns: Vec<String> = ports.iter().map(|p| format!(".{p}({p})")).collect();
        Verilog::Wrapper(Wrapper {
            code: format!("{}{} core ({});", self.core.name, instance_params(&self.core), conns.join(", ")),
            cores: self.core.text.clone(),
        })
    }
}

impl Block for Engine {
    fn connect_all(&mut self) {
        self.connect();
    }

    fn update_all(&mut self) {
        self.update();
        visit_ports!(self, update_all, [clk, rst, in_data, in_valid, in_ready, out_data, out_valid, out_ready]);
        if self.core.write.is_some() {
            visit_ports!(self, update_all, [wr_en, wr_addr, wr_data]);
        }
    }

    fn has_changed(&self) -> bool {
        changed!(self, [clk, rst, in_data, in_valid, in_ready, out_data, out_valid, out_ready])
            || (self.core.write.is_some() && changed!(self, [wr_en, wr_addr, wr_data]))
    }

    fn accept(&self, name: &str, probe: &mut dyn Probe) {
        probe.visit_start_scope(name, self);
        accept_ports!(self, probe, [clk, rst, in_data, in_valid, in_ready, out_data, out_valid, out_ready]);
        if self.core.write.is_some() {
            accept_ports!(self, probe, [wr_en, wr_addr, wr_data]);
        }
        probe.visit_end_scope(name, self);
    }
}

/// The parameter list of an instance of `core` (` #(.A(1), .B(2))`), empty when it has none.
fn instance_params(core: &Module) -> String {
    if core.params.is_empty() {
        return String::new();
    }
    let list: Vec<String> = core.params.iter().map(|(name, value)| format!(".{name}({value})")).collect();
    format!(" #({})", list.join(", "))
}

/// The dataflow top level: the graph's engines chained stream to stream.
pub struct Dataflow {
    /// Clock.
    pub clk: Signal<In, Clock>,
    /// Synchronous reset, active high.
    pub rst: Signal<In, Bit>,
    /// Input beat of the graph's input stream.
    pub in_data: Wire<In>,
    /// Input beat valid.
    pub in_valid: Signal<In, Bit>,
    /// The design takes the input beat.
    pub in_ready: Signal<Out, Bit>,
    /// Output beat of the graph's output stream.
    pub out_data: Wire<Out>,
    /// Output beat valid.
    pub out_valid: Signal<Out, Bit>,
    /// The consumer takes the output beat.
    pub out_ready: Signal<In, Bit>,
    /// One engine per node, in stream order.
    pub engines: Vec<Engine>,
    /// Memory write enables, bit `m` for memory `m` (writable designs only, see
    /// [`Dataflow::writable`]).
    pub wr_en: Wire<In>,
    /// Word address of a memory write (the widest memory's address width).
    pub wr_addr: Wire<In>,
    /// Word of a memory write (the widest memory's width; narrower memories take the low bits).
    pub wr_data: Wire<In>,
    writable: bool,
}

impl Dataflow {
    /// The design of a graph that passed the IR verifier; cores are named `<top>_<node>`. Its
    /// ports are the stream bundle only; the memories keep their initial contents.
    pub fn new(g: &DataflowGraph, top: &str) -> Self {
        Self::build(g, top, false)
    }

    /// The same design with one write bus into every memory: `wr_en` (one bit per memory, in
    /// the order of [`crate::memory::memories`]), `wr_addr` and `wr_data`.
    pub fn writable(g: &DataflowGraph, top: &str) -> Self {
        Self::build(g, top, true)
    }

    fn build(g: &DataflowGraph, top: &str, writable: bool) -> Self {
        let engines: Vec<Engine> = g
            .iter()
            .map(|(id, node)| Engine::new(&format!("{top}_{}", node.name()), node, g.input_of(id), g.output_of(id)))
            .collect();
        let ports: Vec<WritePort> = engines.iter().filter_map(Engine::write_port).collect();
        let addr_bits = ports.iter().map(|p| p.addr_bits).max().unwrap_or(1);
        let width = ports.iter().map(|p| p.width).max().unwrap_or(1);
        Dataflow {
            clk: Signal::default(),
            rst: Signal::default(),
            in_data: Wire::new(g.input().width()),
            in_valid: Signal::default(),
            in_ready: Signal::default(),
            out_data: Wire::new(g.output().width()),
            out_valid: Signal::default(),
            out_ready: Signal::default(),
            engines,
            wr_en: Wire::new(ports.len()),
            wr_addr: Wire::new(addr_bits),
            wr_data: Wire::new(width),
            writable,
        }
    }

    /// Whether the design has the memory write bus.
    pub fn is_writable(&self) -> bool {
        self.writable
    }

    /// Engines with a writable memory, in memory-id order: (engine index, its port).
    pub fn write_ports(&self) -> Vec<(usize, WritePort)> {
        self.engines.iter().enumerate().filter_map(|(k, e)| e.write_port().map(|p| (k, p))).collect()
    }

    /// The Verilog of the whole design: the top module `top`, one wrapper module per engine,
    /// and the engines' cores.
    pub fn verilog(&self, top: &str) -> String {
        let mut defines = ModuleDefines::default();
        self.accept(top, &mut defines);
        defines.defines()
    }
}

/// Name of engine `k`'s port `port` inside the top module, as rust-hdl declares it.
fn engine_port(k: usize, port: &str) -> String {
    format!("engines${k}${port}")
}

impl Logic for Dataflow {
    fn update(&mut self) {
        let n = self.engines.len();
        for e in &mut self.engines {
            e.clk.next = self.clk.val();
            e.rst.next = self.rst.val();
        }
        self.engines[0].in_data.drive(self.in_data.val());
        self.engines[0].in_valid.next = self.in_valid.val();
        self.in_ready.next = self.engines[0].in_ready.val();
        for k in 1..n {
            let (up, down) = self.engines.split_at_mut(k);
            let (a, b) = (&mut up[k - 1], &mut down[0]);
            b.in_data.drive(a.out_data.val());
            b.in_valid.next = a.out_valid.val();
            a.out_ready.next = b.in_ready.val();
        }
        let last = &mut self.engines[n - 1];
        self.out_data.drive(last.out_data.val());
        self.out_valid.next = last.out_valid.val();
        last.out_ready.next = self.out_ready.val();
        for (m, (k, _)) in self.write_ports().into_iter().enumerate() {
            let e = &mut self.engines[k];
            if self.writable {
                e.wr_en.next = self.wr_en.val()[m / 64] >> (m % 64) & 1 == 1;
                e.wr_addr.drive(self.wr_addr.val());
                e.wr_data.drive(self.wr_data.val());
            } else {
                e.wr_en.next = false;
            }
        }
    }

    fn connect(&mut self) {
        for e in &mut self.engines {
            e.clk.connect();
            e.rst.connect();
            e.in_data.connect();
            e.in_valid.connect();
            e.out_ready.connect();
            if e.write_port().is_some() {
                e.wr_en.connect();
                e.wr_addr.connect();
                e.wr_data.connect();
            }
        }
        self.in_ready.connect();
        self.out_data.connect();
        self.out_valid.connect();
    }

    fn hdl(&self) -> Verilog {
        let n = self.engines.len();
        let mut v = String::from("always @(*) begin\n");
        let mut assign = |lhs: String, rhs: String| writeln!(v, "    {lhs} = {rhs};").unwrap();
        for k in 0..n {
            assign(engine_port(k, "clk"), "clk".into());
            assign(engine_port(k, "rst"), "rst".into());
        }
        assign(engine_port(0, "in_data"), "in_data".into());
        assign(engine_port(0, "in_valid"), "in_valid".into());
        assign("in_ready".into(), engine_port(0, "in_ready"));
        for k in 1..n {
            assign(engine_port(k, "in_data"), engine_port(k - 1, "out_data"));
            assign(engine_port(k, "in_valid"), engine_port(k - 1, "out_valid"));
            assign(engine_port(k - 1, "out_ready"), engine_port(k, "in_ready"));
        }
        assign("out_data".into(), engine_port(n - 1, "out_data"));
        assign("out_valid".into(), engine_port(n - 1, "out_valid"));
        assign(engine_port(n - 1, "out_ready"), "out_ready".into());
        for (m, (k, port)) in self.write_ports().into_iter().enumerate() {
            if self.writable {
                let bit = if self.wr_en.width() == 1 { "wr_en".to_string() } else { format!("wr_en[{m}]") };
                let slice = |name: &str, bits: usize, all: usize| {
                    if bits == all {
                        name.to_string()
                    } else {
                        format!("{name}[{}:0]", bits - 1)
                    }
                };
                assign(engine_port(k, "wr_en"), bit);
                assign(engine_port(k, "wr_addr"), slice("wr_addr", port.addr_bits, self.wr_addr.width()));
                assign(engine_port(k, "wr_data"), slice("wr_data", port.width, self.wr_data.width()));
            } else {
                assign(engine_port(k, "wr_en"), "1'b0".into());
                assign(engine_port(k, "wr_addr"), format!("{}'d0", port.addr_bits));
                assign(engine_port(k, "wr_data"), format!("{}'d0", port.width));
            }
        }
        v.push_str("end\n");
        Verilog::Custom(v)
    }
}

impl Block for Dataflow {
    fn connect_all(&mut self) {
        self.connect();
        self.engines.connect_all();
    }

    fn update_all(&mut self) {
        self.update();
        visit_ports!(self, update_all, [clk, rst, in_data, in_valid, in_ready, out_data, out_valid, out_ready]);
        if self.writable {
            visit_ports!(self, update_all, [wr_en, wr_addr, wr_data]);
        }
        self.engines.update_all();
    }

    fn has_changed(&self) -> bool {
        changed!(self, [clk, rst, in_data, in_valid, in_ready, out_data, out_valid, out_ready])
            || (self.writable && changed!(self, [wr_en, wr_addr, wr_data]))
            || self.engines.has_changed()
    }

    fn accept(&self, name: &str, probe: &mut dyn Probe) {
        probe.visit_start_scope(name, self);
        accept_ports!(self, probe, [clk, rst, in_data, in_valid, in_ready, out_data, out_valid, out_ready]);
        if self.writable {
            accept_ports!(self, probe, [wr_en, wr_addr, wr_data]);
        }
        self.engines.accept("engines", probe);
        probe.visit_end_scope(name, self);
    }
}

/// Drives a [`Dataflow`] through rust-hdl's simulator one clock at a time, with the same
/// port-level interface as the Verilated simulation (`bitloom_sim::Sim`).
pub struct ModelSim {
    top: Dataflow,
    cycle: u64,
}

/// The design did not settle: a combinational loop (a bug in a block, never in user input).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoConvergence {
    /// Cycle at which propagation did not settle.
    pub cycle: u64,
}

impl std::fmt::Display for NoConvergence {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the rust-hdl model did not settle in cycle {}", self.cycle)
    }
}

impl std::error::Error for NoConvergence {}

impl ModelSim {
    /// A simulation of `g`'s design, inputs low.
    pub fn new(g: &DataflowGraph) -> Result<Self, NoConvergence> {
        Self::start(Dataflow::new(g, crate::TOP))
    }

    /// A simulation of `g`'s design with the memory write bus ([`Dataflow::writable`]).
    pub fn writable(g: &DataflowGraph) -> Result<Self, NoConvergence> {
        Self::start(Dataflow::writable(g, crate::TOP))
    }

    fn start(mut top: Dataflow) -> Result<Self, NoConvergence> {
        top.connect_all();
        let mut sim = ModelSim { top, cycle: 0 };
        sim.settle()?;
        Ok(sim)
    }

    fn settle(&mut self) -> Result<(), NoConvergence> {
        // Each pass moves a change one level down the hierarchy; a few dozen always suffice.
        if rust_hdl::core::simulate::simulate(&mut self.top, 64) {
            Ok(())
        } else {
            Err(NoConvergence { cycle: self.cycle })
        }
    }

    /// Sets `rst`.
    pub fn set_reset(&mut self, rst: bool) -> Result<(), NoConvergence> {
        self.top.rst.next = rst;
        self.settle()
    }

    /// Sets `in_valid` and `in_data`.
    pub fn set_input(&mut self, valid: bool, data: &[u64]) -> Result<(), NoConvergence> {
        self.top.in_valid.next = valid;
        self.top.in_data.drive(data);
        self.settle()
    }

    /// Sets the memory write bus (writable designs): `wr_en` as limbs, `wr_addr`, `wr_data`.
    pub fn set_write(&mut self, en: &[u64], addr: u64, data: &[u64]) -> Result<(), NoConvergence> {
        self.top.wr_en.drive(en);
        self.top.wr_addr.drive(&[addr]);
        self.top.wr_data.drive(data);
        self.settle()
    }

    /// Sets `out_ready`.
    pub fn set_out_ready(&mut self, ready: bool) -> Result<(), NoConvergence> {
        self.top.out_ready.next = ready;
        self.settle()
    }

    /// One clock cycle: rising edge, settle, falling edge, settle.
    pub fn tick(&mut self) -> Result<(), NoConvergence> {
        self.top.clk.next = Clock { clk: true };
        self.settle()?;
        self.top.clk.next = Clock { clk: false };
        self.settle()?;
        self.cycle += 1;
        Ok(())
    }

    /// `in_ready` now.
    pub fn in_ready(&self) -> bool {
        self.top.in_ready.val()
    }

    /// `out_valid` now.
    pub fn out_valid(&self) -> bool {
        self.top.out_valid.val()
    }

    /// `out_data` now.
    pub fn out_data(&self) -> &[u64] {
        self.top.out_data.val()
    }

    /// Cycles ticked so far.
    pub fn cycle(&self) -> u64 {
        self.cycle
    }
}
