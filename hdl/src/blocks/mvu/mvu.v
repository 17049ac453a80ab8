// bitloom matrix-vector unit with ±1 weights, PE rows and SIMD columns per cycle, MW columns.
// Weights: a memory of DEPTH = NF·SF words of PE·SIMD bits loaded from MEM_FILE (word nf·SF + sf,
// lane p, bit s is W[nf·PE + p][sf·SIMD + s], 1 = +1), with a write port (wr_en, wr_addr,
// wr_data). During the first of NF passes it takes SF input beats of SIMD IB-bit elements and
// keeps them in an input buffer; later passes replay it. Each cycle every lane adds SIMD
// products to its accumulator: XNOR (XNOR = 1, bipolar inputs) counts agreements c and outputs
// 2c - MW; otherwise it adds +x or -x, the input sign- (SIGNED_IN) or zero-extended to OB bits.
// After SF cycles it emits a beat of PE OB-bit sums. NF·SF cycles per vector; latency 3 cycles
// after the last input beat of a row group. One enable stalls the whole pipeline while the
// output register is full. CW is a lane's running-sum width; SW, NW, AW the counters' widths
// (hdl/src/blocks/mvu, Params).
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
  localparam [31:0] SF_LAST32 = SF - 1;
  localparam [31:0] NF_LAST32 = NF - 1;
  localparam [31:0] ADDR_LAST32 = DEPTH - 1;
  localparam [SW-1:0] SF_LAST = SF_LAST32[SW-1:0];
  localparam [NW-1:0] NF_LAST = NF_LAST32[NW-1:0];
  localparam [AW-1:0] ADDR_LAST = ADDR_LAST32[AW-1:0];
  (* ram_style = "block" *) reg [PE*SIMD-1:0] wmem [0:DEPTH-1];
  // Tools that elaborate the module with its default parameters have no file to read.
  generate if (MEM_FILE != "") begin : load
`ifdef VERILATOR
    string wmem_dir;
    initial begin
      if (!$value$plusargs("bitloom_mem_dir=%s", wmem_dir)) wmem_dir = ".";
      $readmemh({wmem_dir, "/", MEM_FILE}, wmem);
    end
`else
    initial $readmemh(MEM_FILE, wmem);
`endif
  end endgenerate
  always @(posedge clk) if (wr_en) wmem[wr_addr] <= wr_data;
  reg [SW-1:0] sf_cnt;
  reg [NW-1:0] nf_cnt;
  reg [AW-1:0] waddr;
  reg out_v;
  wire en = !out_v || out_ready;
  wire first_pass = nf_cnt == 0;
  wire issue = en && (!first_pass || in_valid);
  assign in_ready = en && first_pass;
  assign out_valid = out_v;
  reg v1, first1, last1;
  reg [PE*SIMD-1:0] w1;
  reg [SIMD*IB-1:0] x1;
  // Control.
  always @(posedge clk) begin
    if (rst) begin
      sf_cnt <= 0; nf_cnt <= 0; waddr <= 0; v1 <= 0; out_v <= 0;
    end else if (en) begin
      v1 <= issue;
      out_v <= v1 && last1;
      if (issue) begin
        waddr <= (waddr == ADDR_LAST) ? 0 : waddr + 1'b1;
        if (sf_cnt == SF_LAST) begin
          sf_cnt <= 0;
          nf_cnt <= (nf_cnt == NF_LAST) ? 0 : nf_cnt + 1'b1;
        end else sf_cnt <= sf_cnt + 1'b1;
      end
    end
  end
  // Memories and operand registers (no reset: block RAM friendly).
  always @(posedge clk) begin
    if (issue) begin
      w1 <= wmem[waddr];
      first1 <= sf_cnt == 0;
      last1 <= sf_cnt == SF_LAST;
    end
  end
  generate if (NF > 1) begin : replay
    reg [SIMD*IB-1:0] ibuf [0:SF-1];
    always @(posedge clk) begin
      if (issue) begin
        x1 <= first_pass ? in_data : ibuf[sf_cnt];
        if (first_pass) ibuf[sf_cnt] <= in_data;
      end
    end
  end else begin : direct
    always @(posedge clk) if (issue) x1 <= in_data;
  end endgenerate
  // Lanes.
  genvar p;
  generate for (p = 0; p < PE; p = p + 1) begin : lane
    reg [CW-1:0] acc;
    reg [CW-1:0] sum;
    reg [OB-1:0] res;
    wire [OB-1:0] value;
    if (XNOR != 0) begin : xnor_lane
      localparam [31:0] MW32 = MW;
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
