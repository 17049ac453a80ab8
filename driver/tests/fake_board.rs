//! The driver against a software board that speaks the protocol exactly as the hardware's
//! command engine does (`docs/protocol.md`), over an in-memory link that can corrupt, drop and
//! duplicate bytes. The virtual board (the Verilated RTL behind a pseudo-terminal) runs the
//! same driver against the real link hardware; these tests pin the driver's own logic.

use bitloom_driver::{Device, Error, Options};
use bitloom_protocol::{self as protocol, slip, Command, ErrorCode, Info, MemoryInfo, Packet, Status};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::VecDeque;
use std::io::{self, Read, Write};
use std::time::{Duration, Instant};

/// A board whose "network" sums each input vector into 3 outputs: (Σx, Σx·m₀, x₀ − x₁),
/// where m₀ is word 0 of memory 0 — so a WRITE visibly changes the results.
struct FakeBoard {
    info: Info,
    mem: Vec<Vec<Vec<u8>>>,
    decoder: slip::Decoder,
    to_host: VecDeque<u8>,
    status: Status,
    last: Option<(u8, Vec<u8>)>,
    rng: ChaCha8Rng,
    /// Probability per byte, each direction, of a bit flip, a drop, a duplicate.
    fault: f64,
    silent: bool,
    /// A slow line: an answer takes `per_byte` a byte after the one before it, then `latency`
    /// (and up to `jitter` more) before it can be read, in order.
    slow: Option<Slow>,
    /// When each answer still held in `to_host` may be read, by where it starts there.
    release: VecDeque<(usize, Instant)>,
    /// Answers (counted from 0, INFO included) that are lost once.
    lose: Vec<usize>,
    answered: usize,
    /// When the slow line has sent every answer so far.
    line_free: Instant,
}

#[derive(Clone, Copy)]
struct Slow {
    latency: Duration,
    jitter: Duration,
    per_byte: Duration,
}

impl FakeBoard {
    fn new(fault: f64, seed: u64) -> Self {
        let info = Info {
            version: protocol::VERSION,
            hash: [0xAB; 32],
            in_len: 4,
            in_bits: 8,
            in_signed: false,
            out_len: 3,
            out_bits: 16,
            out_signed: true,
            max_batch: 5,
            memories: vec![MemoryInfo { id: 0, width: 12, depth: 3000 }, MemoryInfo { id: 2, width: 1, depth: 8 }],
        };
        let mem = info.memories.iter().map(|m| vec![vec![0; m.word_bytes()]; m.depth as usize]).collect();
        FakeBoard {
            info,
            mem,
            decoder: slip::Decoder::new(protocol::MAX_DATA + protocol::OVERHEAD),
            to_host: VecDeque::new(),
            status: Status::default(),
            last: None,
            rng: ChaCha8Rng::seed_from_u64(seed),
            fault,
            silent: false,
            slow: None,
            release: VecDeque::new(),
            lose: Vec::new(),
            answered: 0,
            line_free: Instant::now(),
        }
    }

    /// Queues an answer for the host, released as `slow` says.
    fn send(&mut self, bytes: Vec<u8>) {
        self.answered += 1;
        if let Some(k) = self.lose.iter().position(|&i| i == self.answered - 1) {
            self.lose.remove(k);
            return;
        }
        let Some(slow) = self.slow else {
            self.to_host.extend(bytes);
            return;
        };
        // The answers share the line one after another; the latency overlaps.
        let now = Instant::now();
        self.line_free = self.line_free.max(now) + slow.per_byte * bytes.len() as u32;
        let jitter = slow.jitter.mul_f64(self.rng.gen_range(0.0..1.0));
        let t = self.release.back().map_or(now, |&(_, t)| t).max(self.line_free + slow.latency + jitter);
        self.release.push_back((self.to_host.len(), t));
        self.to_host.extend(bytes);
    }

    fn m0(&self) -> i64 {
        i64::from(u16::from_le_bytes([self.mem[0][0][0], self.mem[0][0][1]]) & 0xfff)
    }

    fn handle(&mut self, p: Packet) -> Packet {
        let reply = |code: u8, data: Vec<u8>| Packet { seq: p.seq, code, data };
        let refuse = |code: ErrorCode| Packet { seq: p.seq, code: protocol::ERROR_CODE, data: vec![code as u8] };
        let ok = protocol::RESPONSE_BIT | p.code;
        match Command::from_code(p.code) {
            Some(Command::Info) => reply(ok, self.info.to_bytes()),
            Some(Command::Status) => reply(ok, self.status.to_bytes()),
            Some(Command::Write | Command::Read) if p.data.len() < 5 => refuse(ErrorCode::BadLength),
            Some(c @ (Command::Write | Command::Read)) => {
                let Some(k) = self.info.memories.iter().position(|m| m.id == p.data[0]) else {
                    return refuse(ErrorCode::BadMemory);
                };
                let wb = self.info.memories[k].word_bytes();
                let offset = u32::from_le_bytes(p.data[1..5].try_into().unwrap()) as usize;
                if c == Command::Write {
                    let words = &p.data[5..];
                    if words.len() % wb != 0 {
                        return refuse(ErrorCode::BadLength);
                    }
                    if offset + words.len() / wb > self.mem[k].len() {
                        return refuse(ErrorCode::OutOfRange);
                    }
                    for (i, w) in words.chunks(wb).enumerate() {
                        self.mem[k][offset + i] = w.to_vec();
                    }
                    self.status.words_written += (words.len() / wb) as u32;
                    reply(ok, vec![])
                } else {
                    let n = u16::from_le_bytes([p.data[5], p.data[6]]) as usize;
                    if offset + n > self.mem[k].len() {
                        return refuse(ErrorCode::OutOfRange);
                    }
                    reply(ok, self.mem[k][offset..offset + n].concat())
                }
            }
            Some(Command::Infer) => {
                let n = u16::from_le_bytes([p.data[0], p.data[1]]) as usize;
                if n > usize::from(self.info.max_batch) {
                    return refuse(ErrorCode::BatchTooLarge);
                }
                if p.data.len() != 2 + 4 * n {
                    return refuse(ErrorCode::BadLength);
                }
                let mut out = vec![];
                for x in p.data[2..].chunks(4) {
                    let x: Vec<i64> = x.iter().map(|&v| v.into()).collect();
                    for y in [x.iter().sum::<i64>(), x.iter().sum::<i64>() * self.m0(), x[0] - x[1]] {
                        out.extend_from_slice(&(y as i16).to_le_bytes());
                    }
                }
                self.status.inferences += n as u32;
                reply(ok, out)
            }
            None => refuse(ErrorCode::UnknownCommand),
        }
    }

    /// Applies the link's faults to bytes crossing it.
    fn noisy(&mut self, bytes: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(bytes.len());
        for &b in bytes {
            if self.fault > 0.0 && self.rng.gen_bool(self.fault) {
                match self.rng.gen_range(0..3) {
                    0 => out.push(b ^ (1 << self.rng.gen_range(0..8))),
                    1 => {}
                    _ => out.extend([b, b]),
                }
            } else {
                out.push(b);
            }
        }
        out
    }
}

impl Write for FakeBoard {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        for b in self.noisy(buf) {
            match self.decoder.push(b) {
                slip::Event::Frame(bytes) => match Packet::parse(&bytes) {
                    Ok(p) => {
                        self.status.frames_ok += 1;
                        // A retry of the last request gets the stored answer, not a second execution.
                        let answer = match &self.last {
                            Some((seq, frame)) if *seq == p.seq => {
                                self.status.duplicates += 1;
                                frame.clone()
                            }
                            _ => {
                                let seq = p.seq;
                                let frame = self.handle(p).to_frame();
                                self.last = Some((seq, frame.clone()));
                                frame
                            }
                        };
                        if !self.silent {
                            let noisy = self.noisy(&answer);
                            self.send(noisy);
                        }
                    }
                    Err(protocol::PacketError::Crc { .. }) => self.status.crc_errors += 1,
                    Err(_) => self.status.framing_errors += 1,
                },
                slip::Event::Overrun => self.status.overruns += 1,
                slip::Event::BadEscape => self.status.framing_errors += 1,
                slip::Event::Pending => {}
            }
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Read for FakeBoard {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        // Only released bytes can be read: all of them without `slow`.
        while self.release.front().is_some_and(|&(_, t)| t <= Instant::now()) {
            self.release.pop_front();
        }
        let ready = self.release.front().map_or(self.to_host.len(), |&(start, _)| start);
        if ready == 0 {
            std::thread::sleep(Duration::from_micros(200));
            return Err(io::ErrorKind::TimedOut.into());
        }
        let n = buf.len().min(ready);
        for (d, s) in buf.iter_mut().zip(self.to_host.drain(..n)) {
            *d = s;
        }
        for r in &mut self.release {
            r.0 -= n;
        }
        Ok(n)
    }
}

fn options() -> Options {
    let ms = Duration::from_millis;
    Options { initial_rto: ms(30), min_rto: ms(5), max_rto: ms(200), retries: 12, window: 3 }
}

fn expected(x: &[i64], m0: i64) -> Vec<i64> {
    let s: i64 = x.iter().sum();
    vec![s, (s * m0) as i16 as i64, x[0] - x[1]]
}

fn inputs(n: usize, seed: u64) -> Vec<Vec<i64>> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..n).map(|_| (0..4).map(|_| rng.gen_range(0..256)).collect()).collect()
}

#[test]
fn info_write_read_infer_status() {
    let mut dev = Device::connect(FakeBoard::new(0.0, 1), options()).unwrap();
    assert_eq!(dev.info().in_len, 4);
    assert_eq!(dev.info().hash_hex(), "ab".repeat(32));
    dev.require_design(&[0xAB; 32]).unwrap();
    let e = dev.require_design(&[0xCD; 32]).unwrap_err();
    assert!(matches!(e, Error::DesignMismatch { .. }) && e.to_string().contains(&"cd".repeat(32)), "{e}");

    // 3000 words of 2 bytes: several WRITE and READ requests, pipelined.
    let words: Vec<Vec<u8>> = (0..3000u32).map(|i| ((i * 7) as u16 & 0xfff).to_le_bytes().to_vec()).collect();
    dev.write_memory(0, 0, &words).unwrap();
    assert_eq!(dev.read_memory(0, 0, 3000).unwrap(), words);

    let xs = inputs(23, 2); // 5 batches of at most 5
    let ys = dev.infer(&xs).unwrap();
    for (x, y) in xs.iter().zip(&ys) {
        assert_eq!(y, &expected(x, 0));
    }
    dev.write_memory(0, 0, &[vec![3, 0]]).unwrap();
    assert_eq!(dev.infer(&xs[..2]).unwrap()[1], expected(&xs[1], 3));
    let s = dev.status().unwrap();
    assert_eq!((s.inferences, s.words_written, s.crc_errors), (25, 3001, 0));
    let st = dev.stats();
    assert_eq!(st.retries, 0);
    assert!(st.payload_out > 0 && st.wire_out > st.payload_out, "{st:?}");
}

#[test]
fn faults_never_give_wrong_answers() {
    // Per-byte fault rates in each direction. Up to 1 % every batch gets through; at 5 % most
    // frames are hit and the driver may give up — with an error, never with a wrong answer.
    for (rate, seed) in [(1e-3, 3), (1e-2, 4), (5e-2, 5)] {
        let mut dev = match Device::connect(FakeBoard::new(rate, seed), options()) {
            Ok(dev) => dev,
            Err(e) => {
                assert!(rate > 1e-2 && matches!(e, Error::NoAnswer { .. }), "fault rate {rate}: {e}");
                continue;
            }
        };
        let xs = inputs(60, seed);
        match dev.infer(&xs) {
            Ok(ys) => {
                for (x, y) in xs.iter().zip(&ys) {
                    assert_eq!(y, &expected(x, 0), "fault rate {rate}");
                }
            }
            Err(e) => assert!(rate > 1e-2 && matches!(e, Error::NoAnswer { .. }), "fault rate {rate}: {e}"),
        }
        let st = dev.stats();
        eprintln!("fault rate {rate}: {} retries, {} dropped", st.retries, st.dropped);
        if rate >= 1e-2 {
            assert!(st.retries > 0, "faults at {rate} should have cost retries");
        }
    }
}

#[test]
fn errors_are_clear() {
    let mut dev = Device::connect(FakeBoard::new(0.0, 6), options()).unwrap();
    let e = dev.write_memory(1, 0, &[vec![0, 0]]).unwrap_err();
    assert!(e.to_string().contains("no memory 1"), "{e}");
    let e = dev.write_memory(2, 7, &[vec![1], vec![1]]).unwrap_err();
    assert!(e.to_string().contains("run past"), "{e}");
    let e = dev.write_memory(2, 0, &[vec![1, 2]]).unwrap_err();
    assert!(e.to_string().contains("1 bytes"), "{e}");
    let e = dev.infer(&[vec![1, 2, 3]]).unwrap_err();
    assert!(e.to_string().contains("3 elements"), "{e}");
    let e = dev.infer(&[vec![1, 2, 3, 256]]).unwrap_err();
    assert!(e.to_string().contains("outside"), "{e}");

    // A board that stops answering: a bounded wait, then a clear error.
    let mut board = FakeBoard::new(0.0, 7);
    board.silent = true;
    let ms = Duration::from_millis;
    let opts = Options { initial_rto: ms(20), min_rto: ms(20), max_rto: ms(40), retries: 3, window: 1 };
    let e = Device::connect(board, opts).err().unwrap();
    // 20 ms, then backed off to 40, 40, 40: the error says how long it waited.
    let Error::NoAnswer { attempts: 4, waited, last_wait, .. } = e else { panic!("{e}") };
    assert!(waited >= ms(140) && last_wait == ms(40), "{waited:?} {last_wait:?}");
    assert!(e.to_string().contains("after 4 attempts over"), "{e}");

    let e = Device::open("/dev/bitloom-no-such-port", 115_200, options()).err().unwrap();
    assert!(matches!(e, Error::PortNotFound { .. }), "{e}");
}

/// A board behind a slow line: 20 kB/s (200 000 baud), answers 600–750 ms late, slower than
/// the 500 ms a fixed timeout used to allow. The timer learns the delay; nothing is sent twice.
#[test]
fn a_slow_loss_free_link_never_causes_a_retry() {
    let mut board = FakeBoard::new(0.0, 8);
    let ms = Duration::from_millis;
    board.slow = Some(Slow { latency: ms(600), jitter: ms(150), per_byte: Duration::from_micros(50) });
    // The defaults: 1 s (plus wire time) before the first sample, at least 200 ms after.
    let mut dev = Device::connect_at(board, Some(200_000), Options::default()).unwrap();
    let words: Vec<Vec<u8>> = (0..100u32).map(|i| ((i * 5 + 1) as u16 & 0xfff).to_le_bytes().to_vec()).collect();
    dev.write_memory(0, 0, &words).unwrap(); // 13 WRITE requests, pipelined
    let xs = inputs(40, 9);
    let ys = dev.infer(&xs).unwrap();
    for (x, y) in xs.iter().zip(&ys) {
        assert_eq!(y, &expected(x, 1));
    }
    let st = dev.stats();
    assert_eq!((st.retries, st.timeouts, st.dropped), (0, 0, 0), "{st:?}");
    assert_eq!(st.samples, 1 + 13 + 8, "{st:?}");
    // The timer learned a delay beyond the wire time, above its 200 ms floor.
    assert!(dev.timer().rto() > ms(200), "{:?}", dev.timer());
}

/// A lost answer in the middle of a pipeline is sent again as soon as a later answer shows it
/// lost; a lost last answer waits for the timer. Either way the results are right.
#[test]
fn a_lost_answer_is_retried() {
    let xs = inputs(25, 10); // five INFER requests after INFO (answer 0)
    for (lost, by_timer) in [(2, 0), (5, 1)] {
        let mut board = FakeBoard::new(0.0, 11);
        board.lose = vec![lost];
        let mut dev = Device::connect(board, options()).unwrap();
        let ys = dev.infer(&xs).unwrap();
        for (x, y) in xs.iter().zip(&ys) {
            assert_eq!(y, &expected(x, 0), "answer {lost} lost");
        }
        let st = dev.stats();
        assert_eq!((st.retries, st.timeouts), (1, by_timer), "answer {lost} lost: {st:?}");
    }
}
