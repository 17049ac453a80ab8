// bitloom matrix-vector unit with signed WB-bit integer weights, PE rows and SIMD columns per
// cycle. Weights: a memory of DEPTH = NF·SF words of PE·SIMD·WB bits loaded from MEM_FILE
// (word nf·SF + sf, lane p, column s at bits (p·SIMD + s)·WB is W[nf·PE + p][sf·SIMD + s], two's
// complement), with a write port (wr_en, wr_addr, wr_data). Control: bitloom_mvu_ctrl
// (hdl/src/blocks/matrix), as in bitloom_mvu. Each cycle every lane adds SIMD products w·x to its
// accumulator: BIPOLAR inputs (1 = +1, 0 = -1) add +w or -w; otherwise x is unsigned or
// (SIGNED_IN) signed and the lane sums bit planes: for activation bit b the weights of the
// columns whose bit b is set, shifted by b (the sign plane of a signed input subtracted), which
// measured no larger than an adder tree of products (hdl/src/blocks/int_mvu). Arithmetic is
// modulo 2^CW, CW >= OB, so the low OB bits are exact. After SF cycles it emits a beat of PE OB-bit
// sums. NF·SF cycles per vector; latency 3 cycles after the last input beat of a row group. One
// enable stalls the whole pipeline while the output register is full. PS is a bit plane's
// width; SW, NW, AW the counters' widths (hdl/src/blocks/int_mvu, Params).
`ifndef BITLOOM_INT_MVU_V
`define BITLOOM_INT_MVU_V
module bitloom_int_mvu #(
  parameter integer PE = 1,
  parameter integer SIMD = 1,
  parameter integer SF = 1,
  parameter integer NF = 1,
  parameter integer MW = SF*SIMD,
  parameter integer WB = 2,
  parameter integer IB = 1,
  parameter integer OB = 2,
  parameter integer CW = 4,
  parameter integer PS = 3,
  parameter integer DEPTH = 1,
  parameter integer SW = 1,
  parameter integer NW = 1,
  parameter integer AW = 1,
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
  input  wire [PE*SIMD*WB-1:0] wr_data
);
  wire en, v1, first1, last1;
  wire [PE*SIMD*WB-1:0] w1;
  wire [SIMD*IB-1:0] x1;
  bitloom_mvu_ctrl #(
    .SIMD(SIMD), .IB(IB), .SF(SF), .NF(NF), .MW(MW), .WW(PE*SIMD*WB), .DEPTH(DEPTH), .SW(SW), .NW(NW), .AW(AW),
    .MEM_FILE(MEM_FILE)
  ) ctrl (
    .clk(clk), .rst(rst), .in_data(in_data), .in_valid(in_valid), .in_ready(in_ready),
    .out_valid(out_valid), .out_ready(out_ready), .wr_en(wr_en), .wr_addr(wr_addr), .wr_data(wr_data),
    .en(en), .v1(v1), .first1(first1), .last1(last1), .w1(w1), .x1(x1)
  );
  // Lanes.
  genvar p, e, b;
  generate for (p = 0; p < PE; p = p + 1) begin : lane
    reg [CW-1:0] acc;
    reg [CW-1:0] sum;
    reg [OB-1:0] res;
    wire [CW-1:0] step;
    if (BIPOLAR != 0) begin : signed_weights
      // This cycle's SIMD terms +w or -w, each sign-extended to CW bits.
      wire [SIMD*CW-1:0] term;
      for (e = 0; e < SIMD; e = e + 1) begin : column
        wire [WB-1:0] w = w1[(p*SIMD + e)*WB +: WB];
        wire [CW-1:0] we = {{(CW-WB){w[WB-1]}}, w};
        assign term[e*CW +: CW] = x1[e] ? we : -we;
      end
      integer k;
      reg [CW-1:0] tree;
      always @* begin
        tree = {CW{1'b0}};
        for (k = 0; k < SIMD; k = k + 1) tree = tree + term[k*CW +: CW];
      end
      assign step = tree;
    end else begin : bit_planes
      // Plane b: the sum of the weights whose column has activation bit b set.
      wire [IB*CW-1:0] plane;
      for (b = 0; b < IB; b = b + 1) begin : act_bit
        wire [SIMD*PS-1:0] sel;
        for (e = 0; e < SIMD; e = e + 1) begin : column
          wire [WB-1:0] w = w1[(p*SIMD + e)*WB +: WB];
          assign sel[e*PS +: PS] = x1[e*IB + b] ? {{(PS-WB){w[WB-1]}}, w} : {PS{1'b0}};
        end
        integer k;
        reg [PS-1:0] psum;
        always @* begin
          psum = {PS{1'b0}};
          for (k = 0; k < SIMD; k = k + 1) psum = psum + sel[k*PS +: PS];
        end
        wire [CW-1:0] wide = {{(CW-PS){psum[PS-1]}}, psum};
        assign plane[b*CW +: CW] = (SIGNED_IN != 0 && b == IB - 1) ? -(wide << b) : wide << b;
      end
      integer k;
      reg [CW-1:0] tree;
      always @* begin
        tree = {CW{1'b0}};
        for (k = 0; k < IB; k = k + 1) tree = tree + plane[k*CW +: CW];
      end
      assign step = tree;
    end
    always @* sum = (first1 ? {CW{1'b0}} : acc) + step;
    always @(posedge clk) begin
      if (en && v1) begin
        acc <= sum;
        if (last1) res <= sum[OB-1:0];
      end
    end
    assign out_data[p*OB +: OB] = res;
  end endgenerate
endmodule
`endif
