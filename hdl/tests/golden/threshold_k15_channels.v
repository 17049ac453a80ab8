// bitloom dataflow "block": 1 engines
/* verilator lint_off DECLFILENAME */


module bitloom_top(clk,rst,in_data,in_valid,in_ready,out_data,out_valid,out_ready);
    
    // Module arguments
    input wire  clk;
    input wire  rst;
    input wire  [7:0] in_data;
    input wire  in_valid;
    output reg  in_ready;
    output reg  [3:0] out_data;
    output reg  out_valid;
    input wire  out_ready;
    
    // Stub signals
    reg  engines$0$clk;
    reg  engines$0$rst;
    reg  [7:0] engines$0$in_data;
    reg  engines$0$in_valid;
    wire  engines$0$in_ready;
    wire  [3:0] engines$0$out_data;
    wire  engines$0$out_valid;
    reg  engines$0$out_ready;
    reg  engines$0$wr_en;
    reg  [6:0] engines$0$wr_addr;
    reg  [9:0] engines$0$wr_data;
    
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
        engines$0$wr_addr = 7'd0;
        engines$0$wr_data = 10'd0;
    end
endmodule // bitloom_top

// v-- Setting output parameters to net type for wrapped code.


module bitloom_top$engines$0(clk,rst,in_data,in_valid,in_ready,out_data,out_valid,out_ready,wr_en,wr_addr,wr_data);
    
    // Module arguments
    input wire  clk;
    input wire  rst;
    input wire  [7:0] in_data;
    input wire  in_valid;
    output wire  in_ready;
    output wire  [3:0] out_data;
    output wire  out_valid;
    input wire  out_ready;
    input wire  wr_en;
    input wire  [6:0] wr_addr;
    input wire  [9:0] wr_data;
    
    // Update code (wrapper)
    bitloom_top_thr core (.clk(clk), .rst(rst), .in_data(in_data), .in_valid(in_valid), .in_ready(in_ready), .out_data(out_data), .out_valid(out_valid), .out_ready(out_ready), .wr_en(wr_en), .wr_addr(wr_addr), .wr_data(wr_data));
endmodule // bitloom_top$engines$0
// bitloom multi-threshold unit: out = #{ j : a >= T[ch][j] } + BIAS (or, with BIPOLAR, the one
// step's bit), PE channels of IB bits per beat, compared signed at TW bits, by a pipelined binary
// search over each row's thresholds, sorted and padded to 2^B - 1 with "never reached" values.
// Stage s (0 <= s < B) decides bit B-1-s of the count from one threshold: for the s count bits
// decided so far, n, it is step (2n + 1)·2^(B-s-1) - 1 of the row. SHARED: one row for every
// channel, ROW ((2^B - 1)·TW bits, step j at bits j·TW), indexed by n in logic; a write port of
// WW = 1 bit that is not used. Otherwise stage s's thresholds are a memory, 2^s per row at
// address {row, n}: stage 0 one memory of NF words of PE·TW bits (lane p at bits p·TW) for every
// lane, later stages one memory of NF·2^s words of TW bits per lane, each loaded from
// MEM_PREFIX + "ss.mem" (stage 0) or MEM_PREFIX + "ss_" + lane in LD digits + ".mem", in block
// RAM or, where bit s of LOGIC is set, flip-flops. The write port (wr_en, wr_addr, wr_data of
// WW = PE·TW bits) sees one memory of NF·(2^B - 1) words, the stages one after another, stage s
// from word NF·(2^s - 1). RW is the row counter's width, AW the write address's
// (hdl/src/blocks/threshold, Params). One beat per cycle; latency B + 1; one enable stalls the
// whole pipeline, and every memory read, while the output register is full.
`ifndef BITLOOM_THRESHOLD_V
`define BITLOOM_THRESHOLD_V
`ifdef VERILATOR
`define BITLOOM_THRESHOLD_LOAD(mem) \
    string dir; \
    initial begin \
      if (!$value$plusargs("bitloom_mem_dir=%s", dir)) dir = "."; \
      $readmemh({dir, "/", FILE}, mem); \
    end
`else
`define BITLOOM_THRESHOLD_LOAD(mem) initial $readmemh(FILE, mem);
`endif
// One stage's threshold memory: D words of W bits, one write and one read port, the read
// registered and enabled by re; in flip-flops when LOGIC is set, else in block RAM.
module bitloom_threshold_mem #(
  parameter integer W = 1,
  parameter integer D = 1,
  parameter integer A = 1,
  parameter integer LOGIC = 0,
  parameter FILE = ""
) (
  input  wire clk,
  input  wire we,
  input  wire [A-1:0] wa,
  input  wire [W-1:0] wd,
  input  wire re,
  input  wire [A-1:0] ra,
  output reg  [W-1:0] q
);
  generate if (LOGIC != 0) begin : ff
    (* ram_style = "logic" *) reg [W-1:0] words [0:D-1];
    if (FILE != "") begin : load
      `BITLOOM_THRESHOLD_LOAD(words)
    end
    always @(posedge clk) if (we) words[wa] <= wd;
    always @(posedge clk) if (re) q <= words[ra];
  end else begin : bram
    (* ram_style = "block" *) reg [W-1:0] words [0:D-1];
    if (FILE != "") begin : load
      `BITLOOM_THRESHOLD_LOAD(words)
    end
    always @(posedge clk) if (we) words[wa] <= wd;
    always @(posedge clk) if (re) q <= words[ra];
  end endgenerate
endmodule

module bitloom_threshold #(
  parameter integer PE = 1,
  parameter integer B = 1,
  parameter integer TW = 2,
  parameter integer IB = 1,
  parameter integer OB = 1,
  parameter integer NF = 1,
  parameter integer RW = 1,
  parameter integer AW = 1,
  parameter integer SIGNED_IN = 0,
  parameter integer BIPOLAR = 1,
  parameter [OB-1:0] BIAS = 0,
  parameter integer SHARED = 1,
  parameter [((1 << B) - 1)*TW-1:0] ROW = 0,
  parameter [B-1:0] LOGIC = 0,
  parameter integer WW = PE*TW,
  parameter MEM_PREFIX = "",
  parameter integer LD = 1
) (
  input  wire clk,
  input  wire rst,
  input  wire [PE*IB-1:0] in_data,
  input  wire in_valid,
  output wire in_ready,
  output wire [PE*OB-1:0] out_data,
  output wire out_valid,
  input  wire out_ready,
  input  wire wr_en,
  input  wire [AW-1:0] wr_addr,
  input  wire [WW-1:0] wr_data
);
  // The decimal digits of v, least significant byte last, for memory file names.
  /* verilator lint_off UNUSEDSIGNAL */
  function [63:0] dec8(input integer v);
    integer i, x, c;
    begin
      x = v;
      for (i = 0; i < 8; i = i + 1) begin
        c = 48 + x % 10;
        dec8[i*8 +: 8] = c[7:0];
        x = x / 10;
      end
    end
  endfunction
  /* verilator lint_on UNUSEDSIGNAL */
  reg out_v;
  wire en = !out_v || out_ready;
  assign in_ready = en;
  assign out_valid = out_v;
  // Stage s's registers, flat: valid, data, row; per lane its threshold (a memory's read
  // register) and the count bits decided after its comparison (in a B-bit field).
  wire [B-1:0] v;
  wire [B*PE*IB-1:0] d;
  wire [B*RW-1:0] r;
  wire [B*PE*TW-1:0] t;
  wire [B*PE*B-1:0] n;
  wire [RW-1:0] ch;
  generate if (SHARED != 0) begin : shared
    assign ch = 0;
    assign t = 0;
    /* verilator lint_off UNUSEDSIGNAL */
    wire unused = &{1'b0, wr_en, wr_addr, wr_data, r, t};
    /* verilator lint_on UNUSEDSIGNAL */
  end else begin : channels
    localparam [31:0] LAST32 = NF - 1;
    localparam [RW-1:0] LAST = LAST32[RW-1:0];
    reg [RW-1:0] chr;
    always @(posedge clk) if (rst) chr <= 0; else if (en && in_valid) chr <= (chr == LAST) ? 0 : chr + 1'b1;
    assign ch = chr;
  end endgenerate
  // The last stage's data and row registers feed no further stage.
  /* verilator lint_off UNUSEDSIGNAL */
  wire unused_last = &{1'b0, d[(B-1)*PE*IB +: PE*IB], r[(B-1)*RW +: RW]};
  /* verilator lint_on UNUSEDSIGNAL */
  genvar s, p;
  generate for (s = 0; s < B; s = s + 1) begin : stage
    wire vin;
    wire [PE*IB-1:0] din;
    wire [RW-1:0] rin;
    if (s == 0) begin : first
      assign vin = in_valid;
      assign din = in_data;
      assign rin = ch;
    end else begin : next
      assign vin = v[s-1];
      assign din = d[(s-1)*PE*IB +: PE*IB];
      assign rin = r[(s-1)*RW +: RW];
    end
    reg vr;
    reg [PE*IB-1:0] dr;
    reg [RW-1:0] rr;
    always @(posedge clk) if (rst) vr <= 0; else if (en) vr <= vin;
    always @(posedge clk) if (en && vin) begin dr <= din; rr <= rin; end
    assign v[s] = vr;
    assign d[s*PE*IB +: PE*IB] = dr;
    assign r[s*RW +: RW] = rr;
    // This stage's words in the write port's address space: NF·2^s from NF·(2^s - 1).
    localparam integer DEPTH = NF << s;
    localparam [31:0] BASE32 = NF * ((1 << s) - 1);
    localparam [31:0] END32 = BASE32 + DEPTH;
    localparam [63:0] S8 = dec8(s);
    /* verilator lint_off UNUSEDSIGNAL */
    wire [AW-1:0] wl = wr_addr - BASE32[AW-1:0];
    /* verilator lint_off UNSIGNED */
    wire we = wr_en && {1'b0, wr_addr} >= BASE32[AW:0] && {1'b0, wr_addr} < END32[AW:0];
    /* verilator lint_on UNSIGNED */
    /* verilator lint_on UNUSEDSIGNAL */
    if (SHARED == 0 && s == 0) begin : mem0
      // Every lane reads the same row: one memory, lane p at bits p·TW.
      bitloom_threshold_mem #(.W(PE*TW), .D(NF), .A(RW), .LOGIC(LOGIC[0] ? 1 : 0), .FILE({MEM_PREFIX, S8[15:0], ".mem"})) store (
        .clk(clk), .we(we), .wa(wl[RW-1:0]), .wd(wr_data), .re(en && vin), .ra(rin), .q(t[0 +: PE*TW]));
    end
    for (p = 0; p < PE; p = p + 1) begin : lane
      // The count bits decided before this stage: arriving (cin, which addresses this stage's
      // memory) and held with the stage's other registers (cr).
      /* verilator lint_off UNUSEDSIGNAL */
      wire [B-1:0] cin;
      /* verilator lint_on UNUSEDSIGNAL */
      wire [B-1:0] cr;
      if (s == 0) begin : none
        assign cin = 0;
        assign cr = 0;
      end else begin : held
        reg [B-1:0] c;
        assign cin = n[((s-1)*PE + p)*B +: B];
        always @(posedge clk) if (en && vin) c <= cin;
        assign cr = c;
      end
      wire signed [TW-1:0] thr;
      if (SHARED != 0) begin : constant_row
        // Step (2n + 1)·2^(B-s-1) - 1 of the shared row for the n in cr: a function of the
        // stage's s count bits, one constant per value.
        reg [TW-1:0] pick;
        integer e;
        always @* begin
          pick = ROW[((1 << (B - s - 1)) - 1)*TW +: TW];
          for (e = 1; e < (1 << s); e = e + 1)
            if (cr[B-1:0] == e[B-1:0]) pick = ROW[(((2*e + 1) << (B - s - 1)) - 1)*TW +: TW];
        end
        assign thr = pick;
      end else begin : memory
        if (s > 0) begin : lane_mem
          localparam [63:0] P8 = dec8(p);
          wire [RW+s-1:0] ra = {rin, cin[s-1:0]};
          bitloom_threshold_mem #(.W(TW), .D(DEPTH), .A(RW+s), .LOGIC(LOGIC[s] ? 1 : 0),
              .FILE({MEM_PREFIX, S8[15:0], "_", P8[8*LD-1:0], ".mem"})) store (
            .clk(clk), .we(we), .wa(wl[RW+s-1:0]), .wd(wr_data[p*TW +: TW]), .re(en && vin), .ra(ra),
            .q(t[(s*PE + p)*TW +: TW]));
        end
        assign thr = t[(s*PE + p)*TW +: TW];
      end
      // Lane p's element, sign- or zero-extended to the comparison width.
      wire [IB-1:0] x = dr[p*IB +: IB];
      wire signed [TW-1:0] a;
      if (TW == IB) begin : same
        assign a = x;
      end else if (SIGNED_IN != 0) begin : sext
        assign a = {{(TW-IB){x[IB-1]}}, x};
      end else begin : zext
        assign a = {{(TW-IB){1'b0}}, x};
      end
      // The count bits so far, shifted, and this stage's bit (the top bit is always 0).
      /* verilator lint_off UNUSEDSIGNAL */
      wire [B:0] nx = {cr, a >= thr};
      /* verilator lint_on UNUSEDSIGNAL */
      assign n[(s*PE + p)*B +: B] = nx[B-1:0];
    end
  end endgenerate
  always @(posedge clk) if (rst) out_v <= 0; else if (en) out_v <= v[B-1];
  generate for (p = 0; p < PE; p = p + 1) begin : out_lane
    wire [B-1:0] cnt = n[((B-1)*PE + p)*B +: B];
    wire [OB-1:0] value;
    if (BIPOLAR != 0) begin : bipolar
      assign value = cnt[0];
    end else begin : integer_out
      assign value = cnt + BIAS;
    end
    reg [OB-1:0] res;
    always @(posedge clk) if (en && v[B-1]) res <= value;
    assign out_data[p*OB +: OB] = res;
  end endgenerate
endmodule
`endif
// Threshold unit thr: 6 channels, 15 steps, PE 1, uint8 -> uint4
module bitloom_top_thr (
  input  wire clk,
  input  wire rst,
  input  wire [7:0] in_data,
  input  wire in_valid,
  output wire in_ready,
  output wire [3:0] out_data,
  output wire out_valid,
  input  wire out_ready,
  input  wire wr_en,
  input  wire [6:0] wr_addr,
  input  wire [9:0] wr_data
);
  bitloom_threshold #(.PE(1), .B(4), .TW(10), .IB(8), .OB(4), .NF(6), .RW(3), .AW(7), .SIGNED_IN(0), .BIPOLAR(0), .SHARED(0), .BIAS(4'd0), .ROW(150'd0), .LOGIC(4'b0001), .WW(10), .MEM_PREFIX("bitloom_top_thr_t"), .LD(1)) core (
    .clk(clk), .rst(rst), .in_data(in_data), .in_valid(in_valid), .in_ready(in_ready),
    .out_data(out_data), .out_valid(out_valid), .out_ready(out_ready), .wr_en(wr_en), .wr_addr(wr_addr), .wr_data(wr_data));
endmodule
