// bitloom shift-add matrix-vector unit for power-of-two weights (INQ), PE rows and SIMD columns
// per cycle, MW columns; no multiplier. Weights: a memory of DEPTH = NF·SF words of PE·SIMD
// CB-bit codes loaded from MEM_FILE (word nf·SF + sf, lane p, code s at bits (p·SIMD + s)·CB
// is W[nf·PE + p][sf·SIMD + s]: bits [EB-1:0] the exponent e, bit EB the sign (1 = negative),
// bit EB+1 nonzero), with a write port (wr_en, wr_addr, wr_data). Control: bitloom_mvu_ctrl
// (hdl/src/blocks/matrix), as in bitloom_mvu. Each cycle every lane adds SIMD products ±(x << e) or 0 to its CW-bit
// accumulator (a negative one as ~(x << e), plus the count of negatives), x widened from
// bipolar (BIPOLAR: 1 = +1, 0 = -1), signed (SIGNED_IN) or unsigned IB bits; sums wrap at CW
// bits, exact because every partial sum of a row lies in the row's range. After SF cycles it emits a beat of PE OB-bit sums. NF·SF cycles per vector;
// latency 3 cycles after the last input beat of a row group. One enable stalls the whole
// pipeline while the output register is full. SW, NW, AW are the counters' widths
// (hdl/src/blocks/shift_mvu, Params).
`ifndef BITLOOM_SHIFT_MVU_V
`define BITLOOM_SHIFT_MVU_V
module bitloom_shift_mvu #(
  parameter integer PE = 1,
  parameter integer SIMD = 1,
  parameter integer SF = 1,
  parameter integer NF = 1,
  parameter integer MW = SF*SIMD,
  parameter integer IB = 1,
  parameter integer OB = 2,
  parameter integer CW = 1,
  parameter integer DEPTH = 1,
  parameter integer SW = 1,
  parameter integer NW = 1,
  parameter integer AW = 1,
  parameter integer EB = 1,
  parameter integer CB = 3,
  parameter integer BIPOLAR = 0,
  parameter integer SIGNED_IN = 0,
  parameter MEM_FILE = ""
) (
  input  wire clk,
  input  wire rst,
  input  wire [SIMD*IB-1:0] in_data,
  input  wire in_valid,
  output wire in_ready,
  output wire [PE*OB-1:0] out_data,
  output wire out_valid,
  input  wire out_ready,
  input  wire wr_en,
  input  wire [AW-1:0] wr_addr,
  input  wire [PE*SIMD*CB-1:0] wr_data
);
  wire en, v1, first1, last1;
  wire [PE*SIMD*CB-1:0] w1;
  wire [SIMD*IB-1:0] x1;
  bitloom_mvu_ctrl #(
    .SIMD(SIMD), .IB(IB), .SF(SF), .NF(NF), .MW(MW), .WW(PE*SIMD*CB), .DEPTH(DEPTH), .SW(SW), .NW(NW), .AW(AW),
    .MEM_FILE(MEM_FILE)
  ) ctrl (
    .clk(clk), .rst(rst), .in_data(in_data), .in_valid(in_valid), .in_ready(in_ready),
    .out_valid(out_valid), .out_ready(out_ready), .wr_en(wr_en), .wr_addr(wr_addr), .wr_data(wr_data),
    .en(en), .v1(v1), .first1(first1), .last1(last1), .w1(w1), .x1(x1)
  );
  // Lanes.
  // Each input element widened to the accumulator width once, outside the lanes.
  wire [SIMD*CW-1:0] xe;
  genvar e;
  generate for (e = 0; e < SIMD; e = e + 1) begin : widen
    if (BIPOLAR != 0) begin : bip
      assign xe[e*CW +: CW] = {{(CW-1){~x1[e]}}, 1'b1};
    end else if (SIGNED_IN != 0) begin : sext
      assign xe[e*CW +: CW] = {{(CW-IB){x1[e*IB + IB-1]}}, x1[e*IB +: IB]};
    end else begin : zext
      assign xe[e*CW +: CW] = {{(CW-IB){1'b0}}, x1[e*IB +: IB]};
    end
  end endgenerate
  genvar p;
  generate for (p = 0; p < PE; p = p + 1) begin : lane
    wire [SIMD*CB-1:0] wl = w1[p*SIMD*CB +: SIMD*CB];
    reg [CW-1:0] sum;
    reg [OB-1:0] res;
    reg [CW-1:0] acc;
    reg [CW-1:0] t;
    reg [CW-1:0] neg;
    integer k;
    // One barrel shifter and one adder per product: -t is ~t + 1, so a negative product adds
    // ~t and the lane adds the count of negative products once (measured cheaper than an
    // add/subtract per product or one accumulator per exponent level: see mod.rs).
    always @* begin
      sum = first1 ? {CW{1'b0}} : acc;
      neg = {CW{1'b0}};
      for (k = 0; k < SIMD; k = k + 1) begin
        t = wl[k*CB + EB + 1] ? xe[k*CW +: CW] << wl[k*CB +: EB] : {CW{1'b0}};
        sum = sum + (t ^ {CW{wl[k*CB + EB] & wl[k*CB + EB + 1]}});
        neg = neg + {{(CW-1){1'b0}}, wl[k*CB + EB] & wl[k*CB + EB + 1]};
      end
      sum = sum + neg;
    end
    always @(posedge clk) if (en && v1) acc <= sum;
    always @(posedge clk) if (en && v1 && last1) res <= sum[OB-1:0];
    assign out_data[p*OB +: OB] = res;
  end endgenerate
endmodule
`endif
