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
