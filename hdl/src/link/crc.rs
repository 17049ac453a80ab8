//! One byte of CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), combinational: the eight
//! shift-and-xor steps of `bitloom_protocol::crc32_byte`, unrolled.
//!
//! Ports: `crc_in[32]` (the raw register, before the final XOR), `data[8]`; out:
//! `crc_out[32]`. No clock, no latency. The users hold the register: it starts at
//! 0xFFFFFFFF, and a packet followed by its own CRC (little-endian, final XOR applied) leaves
//! [`RESIDUE`] in it, which is how the receiver checks a frame without knowing where its CRC
//! field starts.

use rust_hdl::prelude::*;

/// The register after a packet and its correct CRC.
pub const RESIDUE: u32 = 0xDEBB_20E3;

/// Combinational CRC-32 byte update (see the module doc).
#[derive(LogicBlock)]
pub struct Crc32 {
    /// The register before the byte.
    pub crc_in: Signal<In, Bits<32>>,
    /// The byte.
    pub data: Signal<In, Bits<8>>,
    /// The register after the byte.
    pub crc_out: Signal<Out, Bits<32>>,
    poly: Constant<Bits<32>>,
    s0: Signal<Local, Bits<32>>,
    s1: Signal<Local, Bits<32>>,
    s2: Signal<Local, Bits<32>>,
    s3: Signal<Local, Bits<32>>,
    s4: Signal<Local, Bits<32>>,
    s5: Signal<Local, Bits<32>>,
    s6: Signal<Local, Bits<32>>,
    s7: Signal<Local, Bits<32>>,
}

impl Default for Crc32 {
    fn default() -> Self {
        Crc32 {
            crc_in: Default::default(),
            data: Default::default(),
            crc_out: Default::default(),
            poly: Constant::new(0xEDB8_8320u64.into()),
            s0: Default::default(),
            s1: Default::default(),
            s2: Default::default(),
            s3: Default::default(),
            s4: Default::default(),
            s5: Default::default(),
            s6: Default::default(),
            s7: Default::default(),
        }
    }
}

impl Logic for Crc32 {
    #[hdl_gen]
    fn update(&mut self) {
        self.s0.next = self.crc_in.val() ^ bit_cast::<32, 8>(self.data.val());
        self.s1.next = self.s0.val() >> 1;
        if self.s0.val().get_bit(0) {
            self.s1.next = (self.s0.val() >> 1) ^ self.poly.val();
        }
        self.s2.next = self.s1.val() >> 1;
        if self.s1.val().get_bit(0) {
            self.s2.next = (self.s1.val() >> 1) ^ self.poly.val();
        }
        self.s3.next = self.s2.val() >> 1;
        if self.s2.val().get_bit(0) {
            self.s3.next = (self.s2.val() >> 1) ^ self.poly.val();
        }
        self.s4.next = self.s3.val() >> 1;
        if self.s3.val().get_bit(0) {
            self.s4.next = (self.s3.val() >> 1) ^ self.poly.val();
        }
        self.s5.next = self.s4.val() >> 1;
        if self.s4.val().get_bit(0) {
            self.s5.next = (self.s4.val() >> 1) ^ self.poly.val();
        }
        self.s6.next = self.s5.val() >> 1;
        if self.s5.val().get_bit(0) {
            self.s6.next = (self.s5.val() >> 1) ^ self.poly.val();
        }
        self.s7.next = self.s6.val() >> 1;
        if self.s6.val().get_bit(0) {
            self.s7.next = (self.s6.val() >> 1) ^ self.poly.val();
        }
        self.crc_out.next = self.s7.val() >> 1;
        if self.s7.val().get_bit(0) {
            self.crc_out.next = (self.s7.val() >> 1) ^ self.poly.val();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::link::bench::Clocked;
    use bitloom_protocol::{crc32_byte, Packet};

    #[test]
    fn matches_the_protocol_crc_and_leaves_the_residue_after_a_packet() {
        // No clock: a dummy clock signal for the test bench.
        #[derive(LogicBlock, Default)]
        struct Tb {
            clock: Signal<In, Clock>,
            crc: Crc32,
        }
        impl Logic for Tb {
            fn update(&mut self) {}
        }
        let mut tb = Clocked::new(Tb::default(), |b| &mut b.clock);
        let mut reg = 0xFFFF_FFFFu32;
        let packet = Packet { seq: 3, code: 0x83, data: (0..=255).collect() }.to_bytes();
        for &b in &packet {
            tb.dut.crc.crc_in.next = u64::from(reg).into();
            tb.dut.crc.data.next = u64::from(b).into();
            tb.settle();
            let hw = tb.dut.crc.crc_out.val().to_u32();
            assert_eq!(hw, crc32_byte(reg, b));
            reg = hw;
        }
        assert_eq!(reg, RESIDUE);
    }
}
