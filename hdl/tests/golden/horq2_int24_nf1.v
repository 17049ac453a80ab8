// bitloom dataflow "block": 1 engines
/* verilator lint_off DECLFILENAME */


module bitloom_top(clk,rst,in_data,in_valid,in_ready,out_data,out_valid,out_ready);
    
    // Module arguments
    input wire  clk;
    input wire  rst;
    input wire  [23:0] in_data;
    input wire  in_valid;
    output reg  in_ready;
    output reg  [87:0] out_data;
    output reg  out_valid;
    input wire  out_ready;
    
    // Stub signals
    reg  engines$0$clk;
    reg  engines$0$rst;
    reg  [23:0] engines$0$in_data;
    reg  engines$0$in_valid;
    wire  engines$0$in_ready;
    wire  [87:0] engines$0$out_data;
    wire  engines$0$out_valid;
    reg  engines$0$out_ready;
    reg  engines$0$wr_en;
    reg  [3:0] engines$0$wr_addr;
    reg  [94:0] engines$0$wr_data;
    
    // Sub module instances
    bitloom_top$engines$0 engines$0(
        .clk(engines$0$clk),
        .rst(engines$0$rst),
        .in_data(engines$0$in_data),
        .in_valid(engines$0$in_valid),
        .in_ready(engines$0$in_ready),
        .out_data(engines$0$out_data),
        .out_valid(engines$0$out_valid),
        .out_ready(engines$0$out_ready),
        .wr_en(engines$0$wr_en),
        .wr_addr(engines$0$wr_addr),
        .wr_data(engines$0$wr_data)
    );
    
    // Update code (custom)
    always @(*) begin
        engines$0$clk = clk;
        engines$0$rst = rst;
        engines$0$in_data = in_data;
        engines$0$in_valid = in_valid;
        in_ready = engines$0$in_ready;
        out_data = engines$0$out_data;
        out_valid = engines$0$out_valid;
        engines$0$out_ready = out_ready;
        engines$0$wr_en = 1'b0;
        engines$0$wr_addr = 4'd0;
        engines$0$wr_data = 95'd0;
    end
endmodule // bitloom_top

// v-- Setting output parameters to net type for wrapped code.


module bitloom_top$engines$0(clk,rst,in_data,in_valid,in_ready,out_data,out_valid,out_ready,wr_en,wr_addr,wr_data);
    
    // Module arguments
    input wire  clk;
    input wire  rst;
    input wire  [23:0] in_data;
    input wire  in_valid;
    output wire  in_ready;
    output wire  [87:0] out_data;
    output wire  out_valid;
    input wire  out_ready;
    input wire  wr_en;
    input wire  [3:0] wr_addr;
    input wire  [94:0] wr_data;
    
    // Update code (wrapper)
    bitloom_horq #(.PE(4), .SIMD(3), .SF(4), .NF(1), .MW(12), .K(2), .IB(24), .SIGNED_IN(1), .XB(24), .MB(32), .AB(63), .PSW(64), .SHIFT(20), .QB(17), .RB(18), .SUMB(20), .DVB(21), .PD(12), .PAW(4), .ECW(4), .LW(2), .RAW(2), .DCW(5), .OCW(1), .NCW(1), .MOB(5), .M_CW(4), .M_SW(2), .M_NW(1), .M_AW(2), .OB(22), .YW(24), .WW(95), .WAW(4), .LIM(64'sd65536), .DIVISOR_TOP(21'd786432), .W_FILE("bitloom_top_horq_w.mem"), .P_FILE("bitloom_top_horq_p.mem")) core (.clk(clk), .rst(rst), .in_data(in_data), .in_valid(in_valid), .in_ready(in_ready), .out_data(out_data), .out_valid(out_valid), .out_ready(out_ready), .wr_en(wr_en), .wr_addr(wr_addr), .wr_data(wr_data));
endmodule // bitloom_top$engines$0
// bitloom matrix-unit control, shared by bitloom_mvu, bitloom_int_mvu and bitloom_shift_mvu (and
// any unit whose lanes add SIMD products per cycle). It owns the weight memory (DEPTH = NF·SF
// words of WW bits loaded from MEM_FILE, word nf·SF + sf, with the write port wr_en, wr_addr,
// wr_data), the SF and NF counters and the weight address, the input buffer (during the first of
// NF passes it takes SF input beats of SIMD IB-bit elements and keeps them; later passes replay
// them) and the operand registers: w1 and x1 are the weight word and input beat of a step, v1
// says they are valid, first1 and last1 that they are the first and last of the SF steps of a
// row group. The lanes outside add when `en && v1` and latch their results when also last1; the
// output register's valid bit is out_valid, set one cycle after such a last step. en is the one
// enable: everything stalls while the output register is full. NF·SF cycles per vector.
// Padding: when SIMD does not divide MW, the columns MW..SF·SIMD-1 of the last step reach x1 as
// code 0 whatever the producer sent, so a lane sees padded elements as zeros (bit 0 for bipolar
// inputs). SW, NW, AW are the counters' widths.
`ifndef BITLOOM_MVU_CTRL_V
`define BITLOOM_MVU_CTRL_V
module bitloom_mvu_ctrl #(
  parameter integer SIMD = 1,
  parameter integer IB = 1,
  parameter integer SF = 1,
  parameter integer NF = 1,
  parameter integer MW = SF*SIMD,
  parameter integer WW = 1,
  parameter integer DEPTH = 1,
  parameter integer SW = 1,
  parameter integer NW = 1,
  parameter integer AW = 1,
  parameter MEM_FILE = ""
) (
  input  wire clk,
  input  wire rst,
  input  wire [SIMD*IB-1:0] in_data,
  input  wire in_valid,
  output wire in_ready,
  output wire out_valid,
  input  wire out_ready,
  input  wire wr_en,
  input  wire [AW-1:0] wr_addr,
  input  wire [WW-1:0] wr_data,
  output wire en,
  output reg v1,
  output reg first1,
  output reg last1,
  output reg [WW-1:0] w1,
  output reg [SIMD*IB-1:0] x1
);
  localparam [31:0] SF_LAST32 = SF - 1;
  localparam [31:0] NF_LAST32 = NF - 1;
  localparam [31:0] ADDR_LAST32 = DEPTH - 1;
  localparam [SW-1:0] SF_LAST = SF_LAST32[SW-1:0];
  localparam [NW-1:0] NF_LAST = NF_LAST32[NW-1:0];
  localparam [AW-1:0] ADDR_LAST = ADDR_LAST32[AW-1:0];
  (* ram_style = "block" *) reg [WW-1:0] wmem [0:DEPTH-1];
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
  assign en = !out_v || out_ready;
  wire first_pass = nf_cnt == 0;
  wire issue = en && (!first_pass || in_valid);
  assign in_ready = en && first_pass;
  assign out_valid = out_v;
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
  // The beat a step works on: live during the first pass, replayed from the buffer after.
  wire [SIMD*IB-1:0] beat;
  generate if (NF > 1) begin : replay
    reg [SIMD*IB-1:0] ibuf [0:SF-1];
    assign beat = first_pass ? in_data : ibuf[sf_cnt];
    always @(posedge clk) if (issue && first_pass) ibuf[sf_cnt] <= in_data;
  end else begin : direct
    assign beat = in_data;
  end endgenerate
  generate if (SF*SIMD > MW) begin : pad
    // The last step's columns past MW are padding: zero them.
    localparam integer REAL = (MW - (SF-1)*SIMD) * IB;
    wire [SIMD*IB-1:0] keep = {{(SIMD*IB-REAL){1'b0}}, {REAL{1'b1}}};
    always @(posedge clk) if (issue) x1 <= (sf_cnt == SF_LAST) ? (beat & keep) : beat;
  end else begin : whole
    always @(posedge clk) if (issue) x1 <= beat;
  end endgenerate
endmodule
`endif
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
// bitloom HORQ engine: y = sum_i beta_i * (W . H_i) for the residual binarization of each input
// vector (compiler/src/model.rs HorqDense). Three stages in series (hdl/src/blocks/horq, Params):
// - load: MW input elements, one per beat, IB bits (signed when SIGNED_IN); a multiplier gives
//   R0 = clamp((mult*x + add) >>> SHIFT, +-LIM) with (mult, add) from the prescale memory
//   (PD words of MB + AB bits: mult in the low MB bits, add above; PD = 1 shares one row),
//   packed SIMD residuals of RB bits a word into the residual buffer (SF words), summing |R0|;
// - binarizer, per order: a restoring divider gives beta = floor(sum / MW) in QB + 2 cycles, beta
//   goes to the combiner's queue, then a pass over the buffer sends the signs (1 = R >= 0) to the
//   MVU SIMD per beat and writes back R - beta (R >= 0) or R + beta, summing the new |R|;
// - the binary MVU (bitloom_mvu, XNOR lanes) runs its NF row groups on each sign vector; the
//   combiner adds beta * p per PE into a buffer of NF words of PE OB-bit sums, and the last
//   order's sums leave as the output beat.
// The next vector loads while the MVU replays the last order. Memories: the MVU's weights
// (W_FILE) and the prescale (P_FILE) behind one write port: words 0 .. NF*SF-1 are weights,
// NF*SF .. NF*SF+PD-1 the prescale.
`ifndef BITLOOM_HORQ_V
`define BITLOOM_HORQ_V
module bitloom_horq #(
  parameter integer PE = 1,
  parameter integer SIMD = 1,
  parameter integer SF = 1,
  parameter integer NF = 1,
  parameter integer MW = 1,
  parameter integer K = 1,
  parameter integer IB = 8,
  parameter integer SIGNED_IN = 0,
  parameter integer XB = 9,
  parameter integer MB = 32,
  parameter integer AB = 63,
  parameter integer PSW = 64,
  parameter integer SHIFT = 0,
  parameter integer QB = 2,
  parameter integer RB = 3,
  parameter integer SUMB = 3,
  parameter integer DVB = 3,
  parameter integer PD = 1,
  parameter integer PAW = 1,
  parameter integer ECW = 1,
  parameter integer LW = 1,
  parameter integer RAW = 1,
  parameter integer DCW = 2,
  parameter integer OCW = 1,
  parameter integer NCW = 1,
  parameter integer MOB = 2,
  parameter integer M_CW = 1,
  parameter integer M_SW = 1,
  parameter integer M_NW = 1,
  parameter integer M_AW = 1,
  parameter integer OB = 2,
  parameter integer YW = 2,
  parameter integer WW = 95,
  parameter integer WAW = 1,
  parameter signed [PSW-1:0] LIM = 2,
  parameter [DVB-1:0] DIVISOR_TOP = 2,
  parameter W_FILE = "",
  parameter P_FILE = ""
) (
  input  wire clk,
  input  wire rst,
  input  wire [IB-1:0] in_data,
  input  wire in_valid,
  output wire in_ready,
  output wire [PE*OB-1:0] out_data,
  output wire out_valid,
  input  wire out_ready,
  input  wire wr_en,
  input  wire [WAW-1:0] wr_addr,
  input  wire [WW-1:0] wr_data
);
  localparam integer WDEPTH = NF * SF;
  localparam [31:0] MW_LAST32 = MW - 1;
  localparam [31:0] SF_LAST32 = SF - 1;
  localparam [31:0] NF_LAST32 = NF - 1;
  localparam [31:0] K_LAST32 = K - 1;
  localparam [31:0] SIMD_LAST32 = SIMD - 1;
  localparam [31:0] QB32 = QB;
  localparam [31:0] WDEPTH32 = WDEPTH;
  localparam [ECW-1:0] MW_LAST = MW_LAST32[ECW-1:0];
  localparam [RAW-1:0] SF_LAST = SF_LAST32[RAW-1:0];
  localparam [NCW-1:0] NF_LAST = NF_LAST32[NCW-1:0];
  localparam [OCW-1:0] K_LAST = K_LAST32[OCW-1:0];
  localparam [LW-1:0] SIMD_LAST = SIMD_LAST32[LW-1:0];
  localparam [31:0] DIV_PUSH32 = QB + 1;
  localparam [DCW-1:0] DIV_STEPS = QB32[DCW-1:0];
  localparam [DCW-1:0] DIV_PUSH = DIV_PUSH32[DCW-1:0];
  localparam [31:0] P_END32 = WDEPTH + PD;
  localparam [WAW-1:0] P_BASE = WDEPTH32[WAW-1:0];
  localparam [WAW:0] P_END = P_END32[WAW:0];
  localparam signed [PSW-1:0] NLIM = -LIM;
  localparam [1:0] LOAD = 2'd0, DIV = 2'd1, PASS = 2'd2;

  // Prescale memory (run-time writable): a register when shared, else a block RAM.
  wire p_wr = wr_en && wr_addr >= P_BASE && {1'b0, wr_addr} < P_END;
  /* verilator lint_off UNUSEDSIGNAL */
  wire [WAW-1:0] p_wr_addr = wr_addr - P_BASE;
  /* verilator lint_on UNUSEDSIGNAL */
  reg [MB+AB-1:0] pq;
  wire take_in;
  generate if (PD == 1) begin : shared_p
    reg [MB+AB-1:0] pmem [0:0];
    if (P_FILE != "") begin : load_p
`ifdef VERILATOR
      string pmem_dir;
      initial begin
        if (!$value$plusargs("bitloom_mem_dir=%s", pmem_dir)) pmem_dir = ".";
        $readmemh({pmem_dir, "/", P_FILE}, pmem);
      end
`else
      initial $readmemh(P_FILE, pmem);
`endif
    end
    always @(posedge clk) begin
      if (p_wr) pmem[0] <= wr_data[MB+AB-1:0];
      if (take_in) pq <= pmem[0];
    end
  end else begin : channel_p
    (* ram_style = "block" *) reg [MB+AB-1:0] pmem [0:PD-1];
    wire [PAW-1:0] p_addr = ec[PAW-1:0];
    if (P_FILE != "") begin : load_p
`ifdef VERILATOR
      string pmem_dir;
      initial begin
        if (!$value$plusargs("bitloom_mem_dir=%s", pmem_dir)) pmem_dir = ".";
        $readmemh({pmem_dir, "/", P_FILE}, pmem);
      end
`else
      initial $readmemh(P_FILE, pmem);
`endif
    end
    always @(posedge clk) begin
      if (p_wr) pmem[p_wr_addr[PAW-1:0]] <= wr_data[MB+AB-1:0];
      if (take_in) pq <= pmem[p_addr];
    end
  end endgenerate

  reg [1:0] ph;
  reg [OCW-1:0] ord;
  reg [SUMB-1:0] sum;

  // ---- Load: accept, prescale read (A), multiply-add (B), shift and clamp (C), pack (D).
  reg [ECW-1:0] ec;
  reg lfull;
  assign in_ready = ph == LOAD && !lfull;
  assign take_in = in_valid && in_ready;
  reg va, vb, vc;
  reg [IB-1:0] xa;
  reg signed [PSW-1:0] sb;
  reg signed [RB-1:0] rcl;
  wire signed [XB-1:0] xs;
  generate if (SIGNED_IN != 0) begin : sx
    assign xs = xa;
  end else begin : zx
    assign xs = {1'b0, xa};
  end endgenerate
  wire signed [MB-1:0] pm = pq[MB-1:0];
  wire signed [AB-1:0] pa = pq[MB+AB-1:MB];
  wire signed [MB+XB-1:0] prod = pm * xs;
  wire signed [PSW-1:0] prod_w = {{(PSW-MB-XB){prod[MB+XB-1]}}, prod};
  wire signed [PSW-1:0] pa_w = {{(PSW-AB){pa[AB-1]}}, pa};
  wire signed [PSW-1:0] shifted = sb >>> SHIFT;
  wire signed [PSW-1:0] clamped = shifted > LIM ? LIM : (shifted < NLIM ? NLIM : shifted);
  /* verilator lint_off UNUSEDSIGNAL */
  wire [PSW-1:0] clamped_u = clamped;
  /* verilator lint_on UNUSEDSIGNAL */
  always @(posedge clk) begin
    if (take_in) begin
      xa <= in_data;
    end
    if (va) sb <= prod_w + pa_w;
    if (vb) rcl <= clamped_u[RB-1:0];
  end
  // |rcl| (at most LIM < 2^QB).
  wire [QB-1:0] rcl_neg = -rcl[QB-1:0];
  wire [QB-1:0] rcl_abs = rcl[RB-1] ? rcl_neg : rcl[QB-1:0];

  // Residual buffer: SF words of SIMD residuals.
  (* ram_style = "block" *) reg [SIMD*RB-1:0] rbuf [0:SF-1];
  reg [LW-1:0] li;
  reg [RAW-1:0] wc;
  // The word being packed, lane 0 first: each residual enters at the top.
  wire [SIMD*RB-1:0] wnext;
  generate if (SIMD == 1) begin : one_lane
    assign wnext = rcl;
  end else begin : lanes
    reg [(SIMD-1)*RB-1:0] wreg;
    always @(posedge clk) if (vc) wreg <= wnext[SIMD*RB-1:RB];
    assign wnext = {rcl, wreg};
  end endgenerate
  wire pack_word = vc && li == SIMD_LAST;
  wire load_done = pack_word && wc == SF_LAST;

  // ---- Binarizer: divider, then a pass over the buffer.
  reg [DCW-1:0] dcnt;
  reg [DVB-1:0] rem, dd;
  reg [QB-1:0] q;
  wire [QB-1:0] q_next = {q[QB-2:0], rem >= dd};
  // The combiner's queue of betas.
  reg [QB-1:0] bq [0:3];
  reg [1:0] bq_head, bq_tail;
  reg [2:0] bq_cnt;
  wire bq_full = bq_cnt == 3'd4;
  wire push = ph == DIV && dcnt == DIV_PUSH && !bq_full;
  wire pop;

  reg [RAW-1:0] rc;
  reg rall, s1_v, hb_v;
  reg [RAW-1:0] s1a;
  reg [SIMD*RB-1:0] rq;
  reg [SIMD-1:0] hb;
  wire m_in_ready;
  wire en_p = !hb_v || m_in_ready;
  wire issue = ph == PASS && !rall && en_p;
  wire pass_done = en_p && s1_v && s1a == SF_LAST;
  wire [SIMD*RB-1:0] rnew;
  wire [SIMD-1:0] signs;
  wire [SIMD*QB-1:0] rnew_abs;
  wire [RB-1:0] beta_r = {1'b0, q};
  genvar l;
  generate for (l = 0; l < SIMD; l = l + 1) begin : bin
    wire [RB-1:0] r = rq[l*RB +: RB];
    wire [RB-1:0] n = r[RB-1] ? r + beta_r : r - beta_r;
    wire [QB-1:0] n_neg = -n[QB-1:0];
    assign signs[l] = !r[RB-1];
    assign rnew[l*RB +: RB] = n;
    assign rnew_abs[l*QB +: QB] = n[RB-1] ? n_neg : n[QB-1:0];
  end endgenerate
  reg [SUMB-1:0] pass_sum;
  integer j;
  always @* begin
    pass_sum = sum;
    for (j = 0; j < SIMD; j = j + 1) pass_sum = pass_sum + {{(SUMB-QB){1'b0}}, rnew_abs[j*QB +: QB]};
  end

  always @(posedge clk) begin
    if (pack_word) rbuf[wc] <= wnext;
    else if (en_p && s1_v) rbuf[s1a] <= rnew;
    if (issue) rq <= rbuf[rc];
    if (en_p && s1_v) hb <= signs;
    if (ph == DIV) begin
      if (dcnt == 0) begin
        rem <= {{(DVB-SUMB){1'b0}}, sum};
        dd <= DIVISOR_TOP;
        q <= 0;
      end else if (dcnt <= DIV_STEPS) begin
        if (rem >= dd) rem <= rem - dd;
        dd <= dd >> 1;
        q <= q_next;
      end
    end
    if (push) bq[bq_tail] <= q;
  end

  // Control of load and binarizer.
  always @(posedge clk) begin
    if (rst) begin
      ph <= LOAD; ord <= 0; sum <= 0; ec <= 0; lfull <= 0; va <= 0; vb <= 0; vc <= 0;
      li <= 0; wc <= 0; dcnt <= 0; rc <= 0; rall <= 0; s1_v <= 0; hb_v <= 0; s1a <= 0;
    end else begin
      va <= take_in;
      vb <= va;
      vc <= vb;
      if (take_in) begin
        ec <= (ec == MW_LAST) ? 0 : ec + 1'b1;
        if (ec == MW_LAST) lfull <= 1;
      end
      if (vc) begin
        sum <= sum + {{(SUMB-QB){1'b0}}, rcl_abs};
        li <= (li == SIMD_LAST) ? 0 : li + 1'b1;
        if (pack_word) wc <= (wc == SF_LAST) ? 0 : wc + 1'b1;
      end
      if (load_done) begin
        ph <= DIV;
        lfull <= 0;
      end
      if (ph == DIV) begin
        if (dcnt == 0) sum <= 0;
        if (dcnt <= DIV_STEPS) dcnt <= dcnt + 1'b1;
        else if (push) begin
          dcnt <= 0;
          ph <= PASS;
        end
      end
      if (en_p) begin
        hb_v <= s1_v;
        s1_v <= issue;
        if (s1_v) sum <= pass_sum;
      end
      if (issue) begin
        s1a <= rc;
        rc <= (rc == SF_LAST) ? 0 : rc + 1'b1;
        if (rc == SF_LAST) rall <= 1;
      end
      if (pass_done) begin
        rall <= 0;
        if (ord == K_LAST) begin
          ph <= LOAD;
          ord <= 0;
          sum <= 0;
        end else begin
          ph <= DIV;
          ord <= ord + 1'b1;
        end
      end
    end
  end

  // ---- The binary MVU on the sign vectors.
  wire [PE*MOB-1:0] m_data;
  wire m_valid, m_ready;
  bitloom_mvu #(
    .PE(PE), .SIMD(SIMD), .SF(SF), .NF(NF), .MW(MW), .IB(1), .OB(MOB), .CW(M_CW), .DEPTH(WDEPTH),
    .SW(M_SW), .NW(M_NW), .AW(M_AW), .XNOR(1), .SIGNED_IN(0), .MEM_FILE(W_FILE)
  ) mvu (
    .clk(clk), .rst(rst), .in_data(hb), .in_valid(hb_v), .in_ready(m_in_ready),
    .out_data(m_data), .out_valid(m_valid), .out_ready(m_ready),
    .wr_en(wr_en && wr_addr < P_BASE), .wr_addr(wr_addr[M_AW-1:0]), .wr_data(wr_data[PE*SIMD-1:0])
  );

  // ---- Combiner: y += beta * p per row, the last order's sums out.
  reg [NCW-1:0] cc;
  reg [OCW-1:0] c_ord;
  reg out_v;
  wire last = c_ord == K_LAST;
  wire beta_v = bq_cnt != 0;
  wire [QB-1:0] beta = bq[bq_head];
  assign m_ready = beta_v && (!last || !out_v || out_ready);
  wire take = m_valid && m_ready;
  assign pop = take && cc == NF_LAST;
  wire [NCW-1:0] cc_next = take ? ((cc == NF_LAST) ? 0 : cc + 1'b1) : cc;
  wire [PE*OB-1:0] yq;
  wire [PE*OB-1:0] ynew;
  genvar p;
  generate for (p = 0; p < PE; p = p + 1) begin : comb
    // The product at its own width (QB + 1 by MOB bits), then the sum modulo 2^OB.
    wire signed [MOB-1:0] pv = m_data[p*MOB +: MOB];
    wire signed [QB:0] bv = {1'b0, beta};
    wire signed [QB+MOB:0] bp = bv * pv;
    wire [YW-1:0] bp_w = {{(YW-QB-MOB-1){bp[QB+MOB]}}, bp};
    wire [YW-1:0] base = {{(YW-OB){1'b0}}, (c_ord == 0) ? {OB{1'b0}} : yq[p*OB +: OB]};
    /* verilator lint_off UNUSEDSIGNAL */
    wire [YW-1:0] y = base + bp_w;
    /* verilator lint_on UNUSEDSIGNAL */
    assign ynew[p*OB +: OB] = y[OB-1:0];
  end endgenerate
  generate if (NF == 1) begin : one_row_group
    reg [PE*OB-1:0] ybuf;
    always @(posedge clk) if (take && !last) ybuf <= ynew;
    assign yq = ybuf;
  end else begin : row_groups
    (* ram_style = "block" *) reg [PE*OB-1:0] ybuf [0:NF-1];
    reg [PE*OB-1:0] yr;
    always @(posedge clk) begin
      if (take && !last) ybuf[cc] <= ynew;
      yr <= ybuf[cc_next];
    end
    assign yq = yr;
  end endgenerate
  reg [PE*OB-1:0] res;
  always @(posedge clk) if (take && last) res <= ynew;
  always @(posedge clk) begin
    if (rst) begin
      cc <= 0; c_ord <= 0; out_v <= 0; bq_head <= 0; bq_tail <= 0; bq_cnt <= 0;
    end else begin
      if (take) begin
        cc <= cc_next;
        if (cc == NF_LAST) c_ord <= last ? 0 : c_ord + 1'b1;
      end
      if (take && last) out_v <= 1;
      else if (out_ready) out_v <= 0;
      if (push) bq_tail <= bq_tail + 1'b1;
      if (pop) bq_head <= bq_head + 1'b1;
      bq_cnt <= bq_cnt + {2'b0, push} - {2'b0, pop};
    end
  end
  assign out_data = res;
  assign out_valid = out_v;
endmodule
`endif
