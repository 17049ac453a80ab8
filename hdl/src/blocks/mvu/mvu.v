// bitloom matrix-vector unit with ±1 weights, PE rows and SIMD columns per cycle, MW columns.
// Weights: a memory of DEPTH = NF·SF words of PE·SIMD bits loaded from MEM_FILE (word nf·SF + sf,
// lane p, bit s is W[nf·PE + p][sf·SIMD + s], 1 = +1, padding 0), with a write port (wr_en,
// wr_addr, wr_data). The control (weight memory, counters, input buffer replayed over the NF
// passes, operand registers, the enable) is bitloom_mvu_ctrl (hdl/src/blocks/matrix). Each
// cycle every lane adds SIMD products to its accumulator: XNOR (XNOR = 1, bipolar inputs) counts
// agreements c and outputs 2c - MW (the padded columns the control zeroes agree with their zero
// weights and are subtracted as a constant); otherwise it adds +x or -x, the input sign-
// (SIGNED_IN) or zero-extended to OB bits. After SF cycles it emits a beat of PE OB-bit sums.
// NF·SF cycles per vector; latency 3 cycles after the last input beat of a row group. One
// enable stalls the whole pipeline while the output register is full. CW is a lane's
// running-sum width; DEPTH, SW, NW, AW the memory's and counters' (hdl/src/blocks/mvu, Params).
`ifndef BITLOOM_MVU_V
`define BITLOOM_MVU_V
module bitloom_mvu #(
  parameter integer PE = 1,
  parameter integer SIMD = 1,
  parameter integer SF = 1,
  parameter integer NF = 1,
  parameter integer MW = 1,
  parameter integer IB = 1,
  parameter integer OB = 2,
  parameter integer CW = 1,
  parameter integer DEPTH = 1,
  parameter integer SW = 1,
  parameter integer NW = 1,
  parameter integer AW = 1,
  parameter integer XNOR = 1,
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
  input  wire [PE*SIMD-1:0] wr_data
);
  wire en, v1, first1, last1;
  wire [PE*SIMD-1:0] w1;
  wire [SIMD*IB-1:0] x1;
  bitloom_mvu_ctrl #(
    .SIMD(SIMD), .IB(IB), .SF(SF), .NF(NF), .MW(MW), .WW(PE*SIMD), .DEPTH(DEPTH), .SW(SW), .NW(NW), .AW(AW),
    .MEM_FILE(MEM_FILE)
  ) ctrl (
    .clk(clk), .rst(rst), .in_data(in_data), .in_valid(in_valid), .in_ready(in_ready),
    .out_valid(out_valid), .out_ready(out_ready), .wr_en(wr_en), .wr_addr(wr_addr), .wr_data(wr_data),
    .en(en), .v1(v1), .first1(first1), .last1(last1), .w1(w1), .x1(x1)
  );
  // Lanes.
  genvar p;
  generate for (p = 0; p < PE; p = p + 1) begin : lane
    reg [CW-1:0] acc;
    reg [CW-1:0] sum;
    reg [OB-1:0] res;
    wire [OB-1:0] value;
    if (XNOR != 0) begin : xnor_lane
      // Padded columns reach the lanes as bit 0 against weight bit 0: SF·SIMD − MW agreements
      // that are not there, subtracted with MW (2c − MW = 2(c + pad) − (MW + 2·pad)).
      localparam [31:0] MW32 = 2*SF*SIMD - MW;
      localparam [OB-1:0] MW_OB = MW32[OB-1:0];
      wire [SIMD-1:0] agree = ~(w1[p*SIMD +: SIMD] ^ x1);
      // $countones maps to a popcount instruction in Verilator and an adder tree in yosys.
      /* verilator lint_off UNUSEDSIGNAL */
      wire [31:0] agreements = $countones(agree);
      /* verilator lint_on UNUSEDSIGNAL */
      always @* sum = (first1 ? {CW{1'b0}} : acc) + agreements[CW-1:0];
      assign value = {sum, 1'b0} - MW_OB;
    end else begin : add_lane
      // Each input element widened to the accumulator width once, outside the sum loop.
      wire [SIMD*OB-1:0] xe;
      genvar e;
      for (e = 0; e < SIMD; e = e + 1) begin : widen
        if (SIGNED_IN != 0) begin : sext
          assign xe[e*OB +: OB] = {{(OB-IB){x1[e*IB + IB-1]}}, x1[e*IB +: IB]};
        end else begin : zext
          assign xe[e*OB +: OB] = {{(OB-IB){1'b0}}, x1[e*IB +: IB]};
        end
      end
      integer k;
      always @* begin
        sum = first1 ? {CW{1'b0}} : acc;
        for (k = 0; k < SIMD; k = k + 1)
          sum = w1[p*SIMD + k] ? sum + xe[k*OB +: OB] : sum - xe[k*OB +: OB];
      end
      assign value = sum;
    end
    always @(posedge clk) begin
      if (en && v1) begin
        acc <= sum;
        if (last1) res <= value;
      end
    end
    assign out_data[p*OB +: OB] = res;
  end endgenerate
endmodule
`endif
