//! SLIP framing (RFC 1055): `END` (0xC0) ends a frame; `END` and `ESC` (0xDB) inside a frame
//! become `ESC ESC_END` (0xDB 0xDC) and `ESC ESC_ESC` (0xDB 0xDD).
//!
//! The decoder is a byte-at-a-time state machine, the same one the hardware runs: a frame
//! longer than its limit is cut off and reported once, at its `END`, as an overrun; an `ESC`
//! followed by anything but `ESC_END`/`ESC_ESC` makes the frame invalid.

/// Frame delimiter.
pub const END: u8 = 0xC0;
/// Escape.
pub const ESC: u8 = 0xDB;
/// `ESC ESC_END` stands for a data `END`.
pub const ESC_END: u8 = 0xDC;
/// `ESC ESC_ESC` stands for a data `ESC`.
pub const ESC_ESC: u8 = 0xDD;

/// Appends `data` framed: escaped, then `END`.
pub fn encode(data: &[u8], out: &mut Vec<u8>) {
    out.reserve(data.len() + data.len() / 64 + 1);
    for &b in data {
        match b {
            END => out.extend_from_slice(&[ESC, ESC_END]),
            ESC => out.extend_from_slice(&[ESC, ESC_ESC]),
            _ => out.push(b),
        }
    }
    out.push(END);
}

/// What the decoder makes of one byte.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    /// Nothing complete yet.
    Pending,
    /// A complete frame's content.
    Frame(Vec<u8>),
    /// A frame longer than the limit ended; its bytes were dropped.
    Overrun,
    /// A frame with an invalid escape ended; its bytes were dropped.
    BadEscape,
}

/// Byte-at-a-time SLIP decoder with a bounded frame buffer.
#[derive(Clone, Debug)]
pub struct Decoder {
    buf: Vec<u8>,
    limit: usize,
    escaped: bool,
    overrun: bool,
    bad: bool,
}

impl Decoder {
    /// A decoder keeping at most `limit` bytes of a frame.
    pub fn new(limit: usize) -> Self {
        Decoder { buf: Vec::new(), limit, escaped: false, overrun: false, bad: false }
    }

    /// Feeds one byte.
    pub fn push(&mut self, b: u8) -> Event {
        if b == END {
            let event = if self.overrun {
                Event::Overrun
            } else if self.bad || self.escaped {
                Event::BadEscape
            } else if self.buf.is_empty() {
                // Back-to-back ENDs (senders may start frames with one to flush line noise).
                Event::Pending
            } else {
                Event::Frame(std::mem::take(&mut self.buf))
            };
            self.buf.clear();
            (self.escaped, self.overrun, self.bad) = (false, false, false);
            return event;
        }
        let byte = if self.escaped {
            self.escaped = false;
            match b {
                ESC_END => END,
                ESC_ESC => ESC,
                _ => {
                    self.bad = true;
                    return Event::Pending;
                }
            }
        } else if b == ESC {
            self.escaped = true;
            return Event::Pending;
        } else {
            b
        };
        if self.buf.len() < self.limit {
            self.buf.push(byte);
        } else {
            self.overrun = true;
        }
        Event::Pending
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn decode_all(d: &mut Decoder, bytes: &[u8]) -> Vec<Event> {
        bytes.iter().map(|&b| d.push(b)).filter(|e| *e != Event::Pending).collect()
    }

    #[test]
    fn escapes_and_errors() {
        let mut out = Vec::new();
        encode(&[1, END, ESC, 2], &mut out);
        assert_eq!(out, [1, ESC, ESC_END, ESC, ESC_ESC, 2, END]);
        let mut d = Decoder::new(8);
        assert_eq!(decode_all(&mut d, &out), [Event::Frame(vec![1, END, ESC, 2])]);
        assert_eq!(decode_all(&mut d, &[END, END, 5, ESC, 7, END]), [Event::BadEscape]);
        assert_eq!(decode_all(&mut d, &[0; 9].iter().copied().chain([END]).collect::<Vec<_>>()), [Event::Overrun]);
        assert_eq!(decode_all(&mut d, &[3, END]), [Event::Frame(vec![3])]);
    }

    proptest! {
        #[test]
        fn round_trip(frames in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 1..200), 1..5)) {
            let mut wire = Vec::new();
            for f in &frames {
                encode(f, &mut wire);
            }
            let mut d = Decoder::new(200);
            let got: Vec<Event> = decode_all(&mut d, &wire);
            prop_assert_eq!(got, frames.into_iter().map(Event::Frame).collect::<Vec<_>>());
        }
    }
}
