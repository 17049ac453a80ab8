use bitloom_compiler::compile::{compile, FoldChoice};
use bitloom_compiler::random_model::{random_bnn, RandomOptions};
use bitloom_protocol::{Command, Info, Packet};

#[test]
fn smoke() {
    let model = random_bnn("net", &[20, 12, 6], 1, RandomOptions::default());
    let g = compile(&model, &FoldChoice::TargetIi(8)).unwrap().graph;
    let b = bitloom_hdl::link::emit_board(&g, &bitloom_hdl::link::LinkParams::default()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let rtl = dir.path().join("rtl");
    bitloom_hdl::emit(&g).write_to(&rtl).unwrap();
    for (n, t) in b.files() { std::fs::write(rtl.join(n), t).unwrap(); }
    std::fs::write(rtl.join(bitloom_hdl::link::ANSWER_MEM), b.answer_mem([7; 32])).unwrap();
    let cache = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("verilator-cache");
    let t = std::time::Instant::now();
    let mut sim = bitloom_sim::BoardSim::new(dir.path(), 4, &cache).unwrap();
    eprintln!("built in {:?}", t.elapsed());
    let t = std::time::Instant::now();
    let mut req = vec![0xC0];
    req.extend(Packet { seq: 1, code: Command::Info as u8, data: vec![] }.to_frame());
    let out = sim.exchange(&req, 1_000_000).unwrap();
    eprintln!("{:?} {:?} {:?}", t.elapsed(), sim.counters(), out);
    let mut d = bitloom_protocol::slip::Decoder::new(5000);
    let mut frames = vec![];
    for b in out { if let bitloom_protocol::slip::Event::Frame(f) = d.push(b) { frames.push(f); } }
    let p = Packet::parse(&frames[0]).unwrap();
    assert_eq!(Info::parse(&p.data).unwrap(), b.plan.info([7; 32]));
}
